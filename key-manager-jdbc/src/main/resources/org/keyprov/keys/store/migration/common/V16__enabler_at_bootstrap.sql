-- Enablers whose parameters the bootstrap server writes to a device at its first bootstrap,
-- before it ever registers (issue 15); the DM server renews them as usual.
ALTER TABLE enabler ADD COLUMN at_bootstrap BOOLEAN DEFAULT FALSE NOT NULL;
