-- The scheduling engine (docs/internals/schedule.md): booking rules, staff, services, hours,
-- exceptions, closed days, clients, appointments, and the blocks table that makes a double
-- booking impossible in the store itself. Every tenant table has account_id, composite keys
-- (account_id, id) and an is_demo flag (demo rows: never notified, never counted).

-- Booking rules of the account; a service may override each (NULL = the account's).
ALTER TABLE accounts ADD COLUMN min_notice_s INTEGER NOT NULL DEFAULT 3600;
ALTER TABLE accounts ADD COLUMN horizon_s INTEGER NOT NULL DEFAULT 7776000;
ALTER TABLE accounts ADD COLUMN slot_step_min INTEGER NOT NULL DEFAULT 15;
ALTER TABLE accounts ADD COLUMN cancel_cutoff_s INTEGER NOT NULL DEFAULT 86400;

CREATE TABLE staff (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	color TEXT NOT NULL DEFAULT '',
	user_id INTEGER,
	bookable INTEGER NOT NULL DEFAULT 1 CHECK (bookable IN (0, 1)),
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	position INTEGER NOT NULL DEFAULT 0,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, user_id) REFERENCES users (account_id, id)
) STRICT;
CREATE UNIQUE INDEX staff_public_id ON staff (public_id);
CREATE UNIQUE INDEX staff_account_id_id ON staff (account_id, id);

CREATE TABLE services (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	category TEXT NOT NULL DEFAULT '',
	color TEXT NOT NULL DEFAULT '',
	duration_min INTEGER NOT NULL CHECK (duration_min > 0),
	price_cents INTEGER NOT NULL DEFAULT 0 CHECK (price_cents >= 0),
	currency TEXT NOT NULL DEFAULT 'EUR',
	buffer_before_min INTEGER NOT NULL DEFAULT 0 CHECK (buffer_before_min >= 0),
	buffer_after_min INTEGER NOT NULL DEFAULT 0 CHECK (buffer_after_min >= 0),
	capacity INTEGER NOT NULL DEFAULT 1 CHECK (capacity >= 1),
	min_notice_s INTEGER,
	horizon_s INTEGER,
	slot_step_min INTEGER,
	cancel_cutoff_s INTEGER,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	position INTEGER NOT NULL DEFAULT 0,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX services_public_id ON services (public_id);
CREATE UNIQUE INDEX services_account_id_id ON services (account_id, id);

-- Which staff provide which service.
CREATE TABLE service_staff (
	account_id INTEGER NOT NULL,
	service_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	PRIMARY KEY (account_id, service_id, staff_id),
	FOREIGN KEY (account_id, service_id) REFERENCES services (account_id, id) ON DELETE CASCADE,
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id) ON DELETE CASCADE
) STRICT;

-- Questions asked when booking a service.
CREATE TABLE service_questions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	service_id INTEGER NOT NULL,
	public_id TEXT NOT NULL,
	position INTEGER NOT NULL DEFAULT 0,
	label TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('text', 'choice', 'yesno')),
	choices TEXT NOT NULL DEFAULT '[]',
	required INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	FOREIGN KEY (account_id, service_id) REFERENCES services (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX service_questions_public_id ON service_questions (public_id);
CREATE UNIQUE INDEX service_questions_account_id_id ON service_questions (account_id, id);

-- Weekly hours: ranges in minutes from local midnight (end <= 1440), weekday 1 = Monday.
CREATE TABLE staff_hours (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	weekday INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),
	start_min INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1439),
	end_min INTEGER NOT NULL CHECK (end_min BETWEEN 1 AND 1440),
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	CHECK (end_min > start_min),
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX staff_hours_staff ON staff_hours (account_id, staff_id, weekday);

-- Date exceptions: a day (or range of days) off, an extra opening, different hours.
CREATE TABLE staff_exceptions (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	public_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('off', 'extra', 'hours')),
	from_date TEXT NOT NULL,
	to_date TEXT NOT NULL,
	ranges TEXT NOT NULL DEFAULT '[]',
	note TEXT NOT NULL DEFAULT '',
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	CHECK (to_date >= from_date),
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX staff_exceptions_public_id ON staff_exceptions (public_id);
CREATE INDEX staff_exceptions_staff ON staff_exceptions (account_id, staff_id, from_date);

-- Business-wide closed days (public holidays chosen by the business, closures).
CREATE TABLE closed_days (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	day TEXT NOT NULL,
	label TEXT NOT NULL DEFAULT '',
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1))
) STRICT;
CREATE UNIQUE INDEX closed_days_public_id ON closed_days (public_id);
CREATE UNIQUE INDEX closed_days_account_day ON closed_days (account_id, day);

CREATE TABLE clients (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	first_name TEXT NOT NULL DEFAULT '',
	last_name TEXT NOT NULL DEFAULT '',
	search_text TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	notes TEXT NOT NULL DEFAULT '',
	consent_email INTEGER NOT NULL DEFAULT 1 CHECK (consent_email IN (0, 1)),
	consent_sms INTEGER NOT NULL DEFAULT 0 CHECK (consent_sms IN (0, 1)),
	no_show_count INTEGER NOT NULL DEFAULT 0,
	last_appointment_at INTEGER,
	anonymised_at INTEGER,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX clients_public_id ON clients (public_id);
CREATE UNIQUE INDEX clients_account_id_id ON clients (account_id, id);
CREATE INDEX clients_account_email ON clients (account_id, email);
CREATE INDEX clients_account_phone ON clients (account_id, phone);

-- What a staff member is taken by: one appointment, or a group session with seats. The
-- guard below makes two live blocks of one staff member overlapping impossible.
CREATE TABLE blocks (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	service_id INTEGER NOT NULL,
	blocked_from INTEGER NOT NULL,
	blocked_to INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'cancelled')),
	capacity INTEGER NOT NULL DEFAULT 1 CHECK (capacity >= 1),
	seats_taken INTEGER NOT NULL DEFAULT 0 CHECK (seats_taken >= 0),
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	CHECK (blocked_to > blocked_from),
	CHECK (seats_taken <= capacity),
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id),
	FOREIGN KEY (account_id, service_id) REFERENCES services (account_id, id)
) STRICT;
CREATE UNIQUE INDEX blocks_account_id_id ON blocks (account_id, id);
CREATE INDEX blocks_staff_time ON blocks (account_id, staff_id, blocked_from);

CREATE TRIGGER blocks_no_overlap_insert BEFORE INSERT ON blocks
WHEN NEW.status <> 'cancelled' AND EXISTS (
	SELECT 1 FROM blocks b
	WHERE b.account_id = NEW.account_id AND b.staff_id = NEW.staff_id AND b.status <> 'cancelled'
	  AND b.blocked_from < NEW.blocked_to AND NEW.blocked_from < b.blocked_to)
BEGIN
	SELECT RAISE(ABORT, 'blocks_no_overlap');
END;

CREATE TRIGGER blocks_no_overlap_update BEFORE UPDATE OF staff_id, blocked_from, blocked_to, status ON blocks
WHEN NEW.status <> 'cancelled' AND EXISTS (
	SELECT 1 FROM blocks b
	WHERE b.id <> NEW.id AND b.account_id = NEW.account_id AND b.staff_id = NEW.staff_id
	  AND b.status <> 'cancelled' AND b.blocked_from < NEW.blocked_to AND NEW.blocked_from < b.blocked_to)
BEGIN
	SELECT RAISE(ABORT, 'blocks_no_overlap');
END;

CREATE TABLE appointments (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	block_id INTEGER NOT NULL,
	service_id INTEGER NOT NULL,
	staff_id INTEGER NOT NULL,
	client_id INTEGER,
	starts_at INTEGER NOT NULL,
	ends_at INTEGER NOT NULL,
	status TEXT NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'cancelled', 'no_show', 'done')),
	source TEXT NOT NULL DEFAULT 'office' CHECK (source IN ('office', 'public', 'import')),
	notes TEXT NOT NULL DEFAULT '',
	rules_overridden INTEGER NOT NULL DEFAULT 0 CHECK (rules_overridden IN (0, 1)),
	recurrence_id TEXT,
	manage_token_hash TEXT,
	version INTEGER NOT NULL DEFAULT 1,
	change_seq INTEGER NOT NULL DEFAULT 0,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	cancelled_at INTEGER,
	CHECK (ends_at > starts_at),
	FOREIGN KEY (account_id, block_id) REFERENCES blocks (account_id, id),
	FOREIGN KEY (account_id, service_id) REFERENCES services (account_id, id),
	FOREIGN KEY (account_id, staff_id) REFERENCES staff (account_id, id),
	FOREIGN KEY (account_id, client_id) REFERENCES clients (account_id, id)
) STRICT;
CREATE UNIQUE INDEX appointments_public_id ON appointments (public_id);
CREATE UNIQUE INDEX appointments_account_id_id ON appointments (account_id, id);
CREATE UNIQUE INDEX appointments_manage_token ON appointments (manage_token_hash);
CREATE INDEX appointments_account_start ON appointments (account_id, starts_at);
CREATE INDEX appointments_account_staff_start ON appointments (account_id, staff_id, starts_at);
CREATE INDEX appointments_account_client ON appointments (account_id, client_id, starts_at);
CREATE INDEX appointments_account_change ON appointments (account_id, change_seq);

CREATE TABLE appointment_answers (
	account_id INTEGER NOT NULL,
	appointment_id INTEGER NOT NULL,
	question_id INTEGER NOT NULL,
	answer TEXT NOT NULL,
	is_demo INTEGER NOT NULL DEFAULT 0 CHECK (is_demo IN (0, 1)),
	PRIMARY KEY (account_id, appointment_id, question_id),
	FOREIGN KEY (account_id, appointment_id) REFERENCES appointments (account_id, id) ON DELETE CASCADE,
	FOREIGN KEY (account_id, question_id) REFERENCES service_questions (account_id, id) ON DELETE CASCADE
) STRICT;

-- Idempotency-Key of appointment creation: the same key and body answer the same; the same
-- key with another body is 409. account_id 0 = a public booking page's anonymous client.
CREATE TABLE idempotency_keys (
	account_id INTEGER NOT NULL,
	idem_key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status INTEGER NOT NULL,
	response TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, idem_key)
) STRICT;

-- A per-account counter the agenda polls: every appointment change takes the next value.
CREATE TABLE change_counters (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	seq INTEGER NOT NULL
) STRICT;
