-- 0001_core (PostgreSQL): files kept in the store, in chunks of 256 KiB; btree_gist for
-- the exclusion constraints of later migrations.
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE files (
	account_id BIGINT NOT NULL,
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size BIGINT NOT NULL CHECK (size >= 0),
	sha256 TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	CONSTRAINT files_pkey PRIMARY KEY (account_id, id)
);

CREATE TABLE file_chunks (
	account_id BIGINT NOT NULL,
	file_id TEXT NOT NULL,
	seq BIGINT NOT NULL CHECK (seq >= 0),
	data BYTEA NOT NULL,
	CONSTRAINT file_chunks_pkey PRIMARY KEY (account_id, file_id, seq),
	CONSTRAINT file_chunks_file_fkey FOREIGN KEY (account_id, file_id)
		REFERENCES files (account_id, id) ON DELETE CASCADE
);
