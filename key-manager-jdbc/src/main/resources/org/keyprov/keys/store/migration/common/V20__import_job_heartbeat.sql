-- The node running an import job says it is alive here every few seconds: a running job whose
-- node stopped without finishing it (killed, crashed) reads as failed once this is stale, instead
-- of "running" until it is pruned. Jobs stored before this column have none: they read as stale.
ALTER TABLE import_job ADD COLUMN heartbeat_at TIMESTAMP WITH TIME ZONE;
