-- Which keyprov node is provisioning a device, until when: several nodes on one database take a
-- device's lease around each provisioning pass, so two never write to one device at once. A lease
-- of a node that died ends at its term.
CREATE TABLE device_lease (
  device_id      BIGINT NOT NULL PRIMARY KEY REFERENCES device(id) ON DELETE CASCADE,
  node           VARCHAR(128) NOT NULL,
  until          TIMESTAMP WITH TIME ZONE NOT NULL
);
