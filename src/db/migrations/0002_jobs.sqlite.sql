-- The job queue (docs/internals/jobs.md) and the test clock.
CREATE TABLE jobs (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,
	unique_key TEXT NOT NULL,
	account_id INTEGER,
	payload TEXT NOT NULL DEFAULT '{}',
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'dead')),
	run_at INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	max_attempts INTEGER NOT NULL DEFAULT 10 CHECK (max_attempts > 0),
	lease_owner TEXT,
	lease_until INTEGER,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key);
CREATE INDEX jobs_state_run_at ON jobs (state, run_at);

-- One row at most: the clock every process of a test reads when test mode is on.
CREATE TABLE test_clock (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	instant INTEGER NOT NULL
) STRICT;
