-- The back office's first-run checklist (docs/internals/dashboard.md): what the store cannot
-- tell by itself — when the owner copied the booking link from it, and when they dismissed it.
-- The other items (a service, hours) are read from the set-up tables.
CREATE TABLE office_checklist (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	link_shared_at INTEGER,
	dismissed_at INTEGER
) STRICT;
