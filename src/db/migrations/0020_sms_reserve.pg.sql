-- The monthly SMS quota across workers (docs/internals/sms.md): before calling Kannel the send
-- job reserves the message's segments on its row (segments + reserved_at) in a short
-- transaction serialised per account, so two workers cannot both pass the quota. A message
-- counts in the month of its reservation (of sent_at for rows sent before this migration);
-- a permanent refusal by Kannel releases the reservation (reserved_at back to NULL).
ALTER TABLE outbox ADD COLUMN reserved_at BIGINT;
CREATE INDEX outbox_sms_month ON outbox (account_id, channel, (COALESCE(reserved_at, sent_at)));
