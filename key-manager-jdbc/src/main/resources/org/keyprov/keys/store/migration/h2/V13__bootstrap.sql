-- LwM2M bootstrap (issue 15). Per device: a factory bootstrap credential (identity and sealed key,
-- both optional: devices flashed with a DM PSK have none), the DM PSK the bootstrap server issued
-- and the device has not registered with yet (accepted beside the current one until it does), the
-- current DM PSK's version, when a rotation was asked for and when the device last bootstrapped.
ALTER TABLE device ADD COLUMN bs_psk_identity VARCHAR(255) UNIQUE;
ALTER TABLE device ADD COLUMN bs_psk_enc VARBINARY(512);
ALTER TABLE device ADD COLUMN next_dm_psk_identity VARCHAR(255) UNIQUE;
ALTER TABLE device ADD COLUMN next_dm_psk_enc VARBINARY(512);
ALTER TABLE device ADD COLUMN next_dm_psk_issued_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE device ADD COLUMN dm_psk_version INT DEFAULT 1 NOT NULL;
ALTER TABLE device ADD COLUMN dm_rotation_requested_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE device ADD COLUMN bootstrapped_at TIMESTAMP WITH TIME ZONE;
