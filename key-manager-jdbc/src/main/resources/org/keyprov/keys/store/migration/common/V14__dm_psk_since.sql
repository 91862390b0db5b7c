-- When each device's current DM PSK was set, for the rotation policy ("rotate DM PSKs older than N
-- days"); devices from before count from their creation.
ALTER TABLE device ADD COLUMN dm_psk_since TIMESTAMP WITH TIME ZONE;
UPDATE device SET dm_psk_since = created_at;
