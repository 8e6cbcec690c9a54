-- Public bookings stored their answer for Idempotency-Key replays with the manage token in
-- clear; tokens are kept hashed only. Answers are now stored without it (a replay is given a
-- newly issued token), the ones already stored lose theirs, and keys are purged a day after
-- the booking by the daily clients job (the index below). docs/internals/appointments.md.
UPDATE idempotency_keys SET response = json_remove(response, '$.manage_token')
	WHERE account_id = 0 AND json_valid(response);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
