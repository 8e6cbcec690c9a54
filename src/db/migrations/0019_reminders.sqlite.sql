-- Reminders (docs/internals/reminders.md): one row per (appointment version, offset,
-- channel), planned when the appointment is booked, moved or cancelled and when the settings
-- change, written to the outbox by the scanner job as it falls due.
-- state: pending (waits for due_at) → written (its outbox row exists) or dropped (reason says
-- why: moved, cancelled, started, settings, no_address, no_phone, invalid_phone).
CREATE TABLE reminders (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	appointment_id INTEGER NOT NULL,
	version INTEGER NOT NULL,
	minutes INTEGER NOT NULL CHECK (minutes > 0),
	channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	due_at INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'written', 'dropped')),
	reason TEXT,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, appointment_id) REFERENCES appointments (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX reminders_key ON reminders (account_id, appointment_id, version, minutes, channel);
CREATE INDEX reminders_due ON reminders (state, due_at);
