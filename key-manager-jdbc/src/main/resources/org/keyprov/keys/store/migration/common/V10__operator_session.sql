-- Signed-in operator sessions, shared by every keyprov node on the database and kept across
-- restarts. token_hash is SHA-256 of the session cookie, never the cookie itself; stamp is the
-- account's credential stamp when the session was opened, so a password or role change ends it.
CREATE TABLE operator_session (
  token_hash     VARCHAR(64) NOT NULL PRIMARY KEY,
  operator_id    BIGINT NOT NULL REFERENCES operator(id) ON DELETE CASCADE,
  stamp          VARCHAR(32) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  last_seen_at   TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX operator_session_last_seen ON operator_session(last_seen_at);
CREATE INDEX operator_session_operator ON operator_session(operator_id);
