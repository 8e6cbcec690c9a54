-- Messages to send, written in the transaction of what caused them (docs/internals/notify.md).
-- account_id is NULL for platform mail; the unique key reads it as 0 so NULLs still collide.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	account_id INTEGER,
	kind TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	subject_ref TEXT NOT NULL,
	recipient TEXT NOT NULL,
	version INTEGER NOT NULL DEFAULT 0,
	locale TEXT NOT NULL,
	template TEXT NOT NULL,
	vars TEXT NOT NULL DEFAULT '{}',
	reply_to TEXT,
	state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed', 'suppressed')),
	message_id TEXT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	last_error TEXT,
	created_at INTEGER NOT NULL,
	sent_at INTEGER
) STRICT;
CREATE UNIQUE INDEX outbox_unique_key
	ON outbox (COALESCE(account_id, 0), subject_ref, recipient, kind, version, channel);
CREATE INDEX outbox_account_state ON outbox (account_id, state);
