-- PostgreSQL twin of h2/V15__next_bs_psk.sql (BYTEA where H2 has VARBINARY).
-- Factory bootstrap credential rotation (issue 15): the bootstrap credential the bootstrap server
-- wrote to the device and the device has not bootstrapped with yet (accepted beside the current
-- one until it does), and the current one's version.
ALTER TABLE device ADD COLUMN next_bs_psk_identity VARCHAR(255) UNIQUE;
ALTER TABLE device ADD COLUMN next_bs_psk_enc BYTEA CHECK (octet_length(next_bs_psk_enc) <= 512);
ALTER TABLE device ADD COLUMN bs_psk_version INT DEFAULT 1 NOT NULL;
