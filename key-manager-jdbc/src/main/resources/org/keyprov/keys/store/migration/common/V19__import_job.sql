-- Device imports run as jobs (issue 13): the node that took the upload works through it and
-- writes its progress here, so that any node answers how far it has come and what it found.
-- problems holds at most 1,000 "line<TAB>message" lines (never a key); kept for a day.
CREATE TABLE import_job (
  id             VARCHAR(16) NOT NULL PRIMARY KEY,
  actor          VARCHAR(255) NOT NULL,
  mode           VARCHAR(8) NOT NULL,
  state          VARCHAR(8) NOT NULL,
  total_rows     INT NOT NULL,
  done_rows      INT NOT NULL,
  imported       INT NOT NULL,
  problem_count  INT NOT NULL,
  problems       VARCHAR(1000000) NOT NULL,
  started_at     TIMESTAMP WITH TIME ZONE NOT NULL,
  finished_at    TIMESTAMP WITH TIME ZONE
);
CREATE INDEX import_job_started ON import_job(started_at);
