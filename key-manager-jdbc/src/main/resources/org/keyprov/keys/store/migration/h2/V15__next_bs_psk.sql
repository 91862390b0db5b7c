-- Factory bootstrap credential rotation (issue 15): the bootstrap credential the bootstrap server
-- wrote to the device and the device has not bootstrapped with yet (accepted beside the current
-- one until it does), and the current one's version.
ALTER TABLE device ADD COLUMN next_bs_psk_identity VARCHAR(255) UNIQUE;
ALTER TABLE device ADD COLUMN next_bs_psk_enc VARBINARY(512);
ALTER TABLE device ADD COLUMN bs_psk_version INT DEFAULT 1 NOT NULL;
