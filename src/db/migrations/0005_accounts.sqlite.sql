-- Business accounts, their people, sessions, single-use tokens, operators and the audit log
-- (docs/internals/accounts.md). Every tenant-owned table carries account_id and is reached
-- through composite keys (account_id, id), so one tenant's ids never reach another's rows.
CREATE TABLE accounts (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	name TEXT NOT NULL,
	slug TEXT NOT NULL,
	business_type TEXT NOT NULL,
	plan TEXT NOT NULL CHECK (plan IN ('essentiel', 'pro', 'optimum')),
	state TEXT NOT NULL CHECK (state IN ('trial', 'active', 'cancel_pending', 'frozen', 'read_only',
		'deleting', 'deleted')),
	state_reason TEXT CHECK (state_reason IS NULL OR state_reason IN ('cancelled', 'unpaid')),
	state_changed_at INTEGER NOT NULL,
	trial_ends_at INTEGER,
	time_zone TEXT NOT NULL,
	locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
	contact_email TEXT NOT NULL,
	phone TEXT NOT NULL DEFAULT '',
	address TEXT NOT NULL DEFAULT '',
	website TEXT NOT NULL DEFAULT '',
	terms_version TEXT NOT NULL,
	terms_accepted_at INTEGER NOT NULL,
	dpa_version TEXT NOT NULL,
	dpa_accepted_at INTEGER NOT NULL,
	has_demo INTEGER NOT NULL DEFAULT 0 CHECK (has_demo IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX accounts_public_id ON accounts (public_id);
CREATE UNIQUE INDEX accounts_slug ON accounts (slug);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
	password_hash TEXT,
	email_verified_at INTEGER,
	locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'removed')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_email ON users (email);
CREATE UNIQUE INDEX users_public_id ON users (public_id);
CREATE UNIQUE INDEX users_account_id_id ON users (account_id, id);

CREATE TABLE sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL,
	account_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	user_agent TEXT NOT NULL DEFAULT '',
	FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX sessions_token_hash ON sessions (token_hash);
CREATE INDEX sessions_user ON sessions (account_id, user_id);

-- Single-use tokens sent by e-mail: address verification, password reset, invitation.
CREATE TABLE user_tokens (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('email_verify', 'password_reset', 'invitation')),
	token_hash TEXT NOT NULL,
	account_id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER,
	created_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX user_tokens_token_hash ON user_tokens (token_hash);

-- Platform operators live outside every tenant.
CREATE TABLE operators (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	email TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	totp_secret TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX operators_email ON operators (email);
CREATE UNIQUE INDEX operators_public_id ON operators (public_id);

CREATE TABLE operator_sessions (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL,
	operator_id INTEGER NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	ip TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE UNIQUE INDEX operator_sessions_token_hash ON operator_sessions (token_hash);

-- Who did what, when, from where; never a secret or a content. account_id is NULL for
-- operator actions outside a tenant. Purged after 12 months by a job.
CREATE TABLE audit_log (
	id INTEGER PRIMARY KEY,
	account_id INTEGER,
	user_id INTEGER,
	operator_id INTEGER,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	ip TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT '{}',
	at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_log_account_at ON audit_log (account_id, at);
CREATE INDEX audit_log_at ON audit_log (at);

-- The plans, kept as data: prices excluding VAT in cents, limits (-1 = unlimited), features.
CREATE TABLE plans (
	code TEXT PRIMARY KEY,
	position INTEGER NOT NULL,
	name TEXT NOT NULL,
	price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
	currency TEXT NOT NULL,
	staff_limit INTEGER NOT NULL,
	sms_per_month INTEGER NOT NULL,
	branding INTEGER NOT NULL CHECK (branding IN (0, 1)),
	support_hours INTEGER NOT NULL
) STRICT;
INSERT INTO plans VALUES ('essentiel', 1, 'Essentiel', 1900, 'EUR', 1, 0, 0, 48);
INSERT INTO plans VALUES ('pro', 2, 'Pro', 3900, 'EUR', 5, 100, 0, 48);
INSERT INTO plans VALUES ('optimum', 3, 'Optimum', 6900, 'EUR', -1, 500, 1, 24);
