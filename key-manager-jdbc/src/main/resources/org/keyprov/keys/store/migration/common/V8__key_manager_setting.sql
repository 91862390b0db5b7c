-- What a Key Manager database belongs to, checked by every process that opens it (several keyprov
-- nodes share one PostgreSQL database): the domain its B-TIDs and IMPIs carry, and a value sealed
-- under the master key, so a node started with another master key is refused before it seals
-- anything the others cannot open. The master key itself is never stored.
CREATE TABLE key_manager_setting (
  name           VARCHAR(64) NOT NULL PRIMARY KEY,
  setting        VARCHAR(1024) NOT NULL
);
