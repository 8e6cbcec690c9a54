-- Appointment messages (docs/internals/notify.md): what the outbox keeps of each message,
-- the business's notification settings, its edited texts and its suppressed addresses.
--
-- outbox: the end client a message goes to, the appointment it is about, the instant after
-- which it is pointless (a reminder once its appointment has started), the text as sent
-- (bodies are purged after 3 months, the row after 12), SMS parts and coding, why a message
-- was not sent, and the SMS delivery report.
ALTER TABLE outbox ADD COLUMN client_id INTEGER;
ALTER TABLE outbox ADD COLUMN appointment_id INTEGER;
ALTER TABLE outbox ADD COLUMN expires_at INTEGER;
ALTER TABLE outbox ADD COLUMN body TEXT;
ALTER TABLE outbox ADD COLUMN segments INTEGER;
ALTER TABLE outbox ADD COLUMN encoding TEXT CHECK (encoding IS NULL OR encoding IN ('gsm7', 'ucs2'));
ALTER TABLE outbox ADD COLUMN reason TEXT;
ALTER TABLE outbox ADD COLUMN dlr_status INTEGER;
ALTER TABLE outbox ADD COLUMN dlr_at INTEGER;
CREATE INDEX outbox_account_created ON outbox (account_id, created_at);
CREATE INDEX outbox_account_channel_sent ON outbox (account_id, channel, sent_at);
CREATE INDEX outbox_appointment ON outbox (account_id, appointment_id);
CREATE INDEX outbox_created ON outbox (created_at);

-- One row per account once it saved its settings; defaults apply before.
-- reminders: JSON array of {"minutes": N, "channels": ["email", "sms"]}.
CREATE TABLE notification_settings (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id),
	reminders TEXT NOT NULL,
	owner_new_booking INTEGER NOT NULL DEFAULT 1 CHECK (owner_new_booking IN (0, 1)),
	owner_changes INTEGER NOT NULL DEFAULT 1 CHECK (owner_changes IN (0, 1)),
	staff_notices INTEGER NOT NULL DEFAULT 0 CHECK (staff_notices IN (0, 1)),
	sms_sender TEXT NOT NULL DEFAULT '',
	sms_accent_free INTEGER NOT NULL DEFAULT 0 CHECK (sms_accent_free IN (0, 1)),
	version INTEGER NOT NULL DEFAULT 1,
	updated_at INTEGER NOT NULL
) STRICT;

-- Texts the business edited, per message kind, channel and language; the shipped templates
-- apply where there is none.
CREATE TABLE notification_texts (
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	kind TEXT NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
	locale TEXT NOT NULL CHECK (locale IN ('fr', 'en')),
	subject TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, kind, channel, locale)
) STRICT;

-- Addresses that bounced hard: never mailed again for this account.
CREATE TABLE email_suppressions (
	account_id INTEGER NOT NULL REFERENCES accounts (id),
	address TEXT NOT NULL,
	reason TEXT NOT NULL,
	outbox_id INTEGER,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (account_id, address)
) STRICT;
