-- Manage links (docs/internals/manage.md): every message that carries a link to the client's
-- own appointment gets its own random token; only its SHA-256 is kept here. A token stays
-- valid through reschedules, until 30 days after the appointment (checked by the code, from
-- the appointment's current end). Tokens issued before this table (appointments.
-- manage_token_hash) are copied over, so one lookup serves every link.
CREATE TABLE manage_tokens (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	appointment_id INTEGER NOT NULL,
	token_hash TEXT NOT NULL,
	purpose TEXT NOT NULL CHECK (purpose IN ('booking', 'confirmation', 'reminder', 'change', 'cancellation')),
	created_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, appointment_id) REFERENCES appointments (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX manage_tokens_token_hash ON manage_tokens (token_hash);
CREATE INDEX manage_tokens_appointment ON manage_tokens (account_id, appointment_id);

INSERT INTO manage_tokens (account_id, appointment_id, token_hash, purpose, created_at)
	SELECT account_id, id, manage_token_hash, 'booking', created_at FROM appointments
	WHERE manage_token_hash IS NOT NULL;
