-- The DM server leaves Enabler parameters that a device read from its SIM alone, unless the
-- operator asked to overwrite them for this assignment.
ALTER TABLE assignment ADD COLUMN overwrite_sim BOOLEAN DEFAULT FALSE NOT NULL;
