-- What the device holds for each assignment: the key version written, when it expires and when the
-- DM server renews it (RenewalPolicy). A provisioned assignment whose renew_at has passed is due
-- again; one whose key_expires_at has passed reads as EXPIRED.
ALTER TABLE assignment ADD COLUMN key_version INT;
ALTER TABLE assignment ADD COLUMN key_expires_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE assignment ADD COLUMN renew_at TIMESTAMP WITH TIME ZONE;
UPDATE assignment SET
  key_version = (SELECT MAX(k.version) FROM key_record k
                  WHERE k.device_id = assignment.device_id AND k.enabler_id = assignment.enabler_id),
  key_expires_at = (SELECT MAX(k.expires_at) FROM key_record k
                  WHERE k.device_id = assignment.device_id AND k.enabler_id = assignment.enabler_id)
  WHERE state = 'PROVISIONED';
UPDATE assignment SET renew_at = key_expires_at
  WHERE state = 'PROVISIONED' AND detail NOT LIKE 'parameters come from the device''s SIM%';
CREATE INDEX assignment_renew_at ON assignment(renew_at);
