-- Device lists sorted by creation (issue 13) page by keyset on this index.
CREATE INDEX device_created ON device (created_at, endpoint);
