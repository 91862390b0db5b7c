-- The invalidation feed's readers move a cursor over key_invalidation.id, so ids must become
-- visible in the order they are given. An identity column does not promise that: two transactions
-- take 5 and 6, the one with 6 commits first, a reader moves past 6 and never sees 5. Every
-- invalidating transaction takes its ids from this one row instead, which it holds locked until it
-- commits: the next id is given only after the previous one is visible.
CREATE TABLE key_invalidation_sequence (
  id             INT NOT NULL PRIMARY KEY,
  last_id        BIGINT NOT NULL
);
INSERT INTO key_invalidation_sequence(id, last_id)
  SELECT 1, COALESCE(MAX(id), 0) FROM key_invalidation;
