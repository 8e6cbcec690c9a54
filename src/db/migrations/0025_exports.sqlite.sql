-- Exports (docs/internals/data.md): the full account archives, built by a job and kept as a
-- stored file for 7 days, and the private calendar feeds of staff members (the token is given
-- once; only its SHA-256 is kept, and revoking it ends the feed).
CREATE TABLE export_archives (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'ready', 'failed', 'expired')),
	file_id TEXT,
	size INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	ready_at INTEGER,
	expires_at INTEGER
) STRICT;
CREATE UNIQUE INDEX export_archives_public_id ON export_archives (public_id);
CREATE INDEX export_archives_account ON export_archives (account_id, created_at);

CREATE TABLE staff_feeds (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	staff_id INTEGER NOT NULL,
	public_id TEXT NOT NULL,
	token_hash TEXT NOT NULL,
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER,
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX staff_feeds_public_id ON staff_feeds (public_id);
CREATE UNIQUE INDEX staff_feeds_token ON staff_feeds (token_hash);
CREATE INDEX staff_feeds_account ON staff_feeds (account_id, staff_id);
