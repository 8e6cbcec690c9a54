-- People and operators (docs/internals/people.md): an operator's TOTP code is accepted once,
-- so the last accepted time step (Unix time / 30) is kept; a code of that step or an earlier
-- one is refused.
ALTER TABLE operators ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
