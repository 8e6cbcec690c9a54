-- Rate-limit counters shared by every server on PostgreSQL (src/ratelimit). UNLOGGED: no
-- WAL for a table written on every limited request; losing it in a crash only resets counts.
CREATE UNLOGGED TABLE rate_limits (
	key TEXT NOT NULL,
	window_start BIGINT NOT NULL,
	hits BIGINT NOT NULL,
	CONSTRAINT rate_limits_pkey PRIMARY KEY (key)
);
