-- Personal API tokens of operators, for scripts. token_hash is SHA-256 of the secret (hex), never
-- the secret itself; scope is the role the token acts with, at most its operator's. Deleting the
-- operator deletes its tokens.
CREATE TABLE api_token (
  id             VARCHAR(12) NOT NULL PRIMARY KEY,
  token_hash     VARCHAR(64) NOT NULL UNIQUE,
  operator_id    BIGINT NOT NULL REFERENCES operator(id) ON DELETE CASCADE,
  name           VARCHAR(64) NOT NULL,
  scope          VARCHAR(16) NOT NULL,
  created_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  revoked_at     TIMESTAMP WITH TIME ZONE
);
CREATE INDEX api_token_operator ON api_token(operator_id);
