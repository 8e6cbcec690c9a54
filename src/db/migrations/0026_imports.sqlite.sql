-- Imports (docs/internals/data.md): an uploaded file's rows go to a staging area in chunks of
-- about a thousand per transaction, each with the values it would give and its validation
-- report; the commit publishes the good rows in one short transaction and the staging rows are
-- deleted. Nothing reaches `clients` before the commit.
CREATE TABLE imports (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('clients', 'appointments')),
	format TEXT NOT NULL CHECK (format IN ('csv', 'vcard')),
	file_name TEXT NOT NULL DEFAULT '',
	encoding TEXT NOT NULL DEFAULT 'utf-8',
	separator TEXT NOT NULL DEFAULT '',
	columns TEXT NOT NULL DEFAULT '[]',
	mapping TEXT NOT NULL DEFAULT '[]',
	state TEXT NOT NULL CHECK (state IN ('staging', 'ready', 'publishing', 'done', 'failed')),
	rows_total INTEGER NOT NULL DEFAULT 0,
	rows_ok INTEGER NOT NULL DEFAULT 0,
	rows_invalid INTEGER NOT NULL DEFAULT 0,
	rows_duplicate INTEGER NOT NULL DEFAULT 0,
	rows_existing INTEGER NOT NULL DEFAULT 0,
	rows_published INTEGER NOT NULL DEFAULT 0,
	progress INTEGER NOT NULL DEFAULT 0,
	error TEXT NOT NULL DEFAULT '',
	publish_ms INTEGER NOT NULL DEFAULT 0,
	created_by INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	published_at INTEGER
) STRICT;
CREATE UNIQUE INDEX imports_public_id ON imports (public_id);
CREATE INDEX imports_account ON imports (account_id, created_at);

-- One row of the file: its cells as read (a JSON array of strings, kept so a new mapping can
-- be checked without a new upload), the values the mapping gives, and the verdict: ok,
-- invalid (issues say which field and why), duplicate (an earlier row of the same file has
-- the e-mail or phone) or existing (a client of the account has it; reuse, not a copy).
CREATE TABLE import_rows (
	import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
	row_no INTEGER NOT NULL,
	cells TEXT NOT NULL,
	status TEXT NOT NULL CHECK (status IN ('ok', 'invalid', 'duplicate', 'existing')),
	issues TEXT NOT NULL DEFAULT '[]',
	public_id TEXT NOT NULL,
	first_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	consent_email INTEGER NOT NULL DEFAULT 1,
	consent_sms INTEGER NOT NULL DEFAULT 0,
	search_text TEXT NOT NULL DEFAULT '',
	match_public_id TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (import_id, row_no)
) STRICT;
CREATE INDEX import_rows_email ON import_rows (import_id, email);
CREATE INDEX import_rows_phone ON import_rows (import_id, phone);
CREATE INDEX import_rows_status ON import_rows (import_id, status, row_no);
