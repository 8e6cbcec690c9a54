-- 0001_core (SQLite): files kept in the store, in chunks of 256 KiB.
CREATE TABLE files (
	account_id INTEGER NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL CHECK (size >= 0),
	sha256 TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	CONSTRAINT files_pkey PRIMARY KEY (account_id, id)
) STRICT;

CREATE TABLE file_chunks (
	account_id INTEGER NOT NULL,
	file_id TEXT NOT NULL,
	seq INTEGER NOT NULL CHECK (seq >= 0),
	data BLOB NOT NULL,
	CONSTRAINT file_chunks_pkey PRIMARY KEY (account_id, file_id, seq),
	CONSTRAINT file_chunks_file_fkey FOREIGN KEY (account_id, file_id)
		REFERENCES files (account_id, id) ON DELETE CASCADE
) STRICT;
