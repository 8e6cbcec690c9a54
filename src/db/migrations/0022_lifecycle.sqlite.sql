-- The account's life (docs/internals/lifecycle.md): when a subscription started, when a pending
-- cancellation takes effect, when a frozen trial froze, when a frozen or cancelled account's data
-- is deleted, when deletion was asked. Jobs carry these instants in their keys and compare them
-- with the row when they run, so a job made stale by a later change does nothing.
ALTER TABLE accounts ADD COLUMN subscribed_at INTEGER;
ALTER TABLE accounts ADD COLUMN cancel_at INTEGER;
ALTER TABLE accounts ADD COLUMN frozen_at INTEGER;
ALTER TABLE accounts ADD COLUMN delete_at INTEGER;
ALTER TABLE accounts ADD COLUMN deletion_requested_at INTEGER;

-- The content-free record of a deletion, kept after the purge: the SHA-256 of the old slug (the
-- old address answers 410 and is never given again), who asked, the credit left to refund by
-- bank transfer, and when the purge ran.
CREATE TABLE account_deletions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	slug_hash TEXT NOT NULL,
	origin TEXT NOT NULL CHECK (origin IN ('owner', 'support', 'retention')),
	requested_at INTEGER NOT NULL,
	purged_at INTEGER,
	credit_left_cents INTEGER NOT NULL DEFAULT 0 CHECK (credit_left_cents >= 0),
	refunded_at INTEGER
) STRICT;
CREATE UNIQUE INDEX account_deletions_account ON account_deletions (account_id);
CREATE UNIQUE INDEX account_deletions_slug_hash ON account_deletions (slug_hash);
