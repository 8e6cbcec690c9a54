-- Branding of the public booking page (docs/internals/public.md): one row per account, kept
-- when the account leaves the Optimum plan (then simply not shown). texts is a JSON object
-- {"fr": {...}, "en": {...}} validated by src/schedule/theme.c; the logo is a file of the
-- account in the files table.
CREATE TABLE themes (
	account_id BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	primary_color TEXT NOT NULL,
	accent_color TEXT NOT NULL,
	logo_file_id TEXT,
	logo_type TEXT,
	texts TEXT NOT NULL DEFAULT '{}',
	updated_at BIGINT NOT NULL
);
