-- What happened, for the operator console's live feed: provisioning outcomes and connection
-- results, written by whichever node saw them, read by every node's event stream (so a browser on
-- any node sees every node's events, and resumes after a reconnect with Last-Event-ID). Kept for
-- an hour.
CREATE TABLE operator_event (
  id             BIGINT NOT NULL PRIMARY KEY,
  type           VARCHAR(32) NOT NULL,
  endpoint       VARCHAR(255) NOT NULL,
  enabler        VARCHAR(253) NOT NULL,
  detail         VARCHAR(1024) NOT NULL,
  at             TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX operator_event_at ON operator_event(at);

-- Its ids, like key_invalidation's, come from a row locked until the writer commits (see
-- V9__key_invalidation_order.sql): one table of such rows, one per feed.
CREATE TABLE feed_sequence (
  name           VARCHAR(32) NOT NULL PRIMARY KEY,
  last_id        BIGINT NOT NULL
);
INSERT INTO feed_sequence(name, last_id)
  SELECT 'key_invalidation', last_id FROM key_invalidation_sequence WHERE id = 1;
INSERT INTO feed_sequence(name, last_id) VALUES ('operator_event', 0);
DROP TABLE key_invalidation_sequence;
