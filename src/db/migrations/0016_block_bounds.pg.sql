-- A block never lasts more than three days (a service's duration and each buffer are at most
-- 24 h); the same bound as the SQLite guard's. The exclusion constraint's GiST index already
-- finds overlaps directly.
ALTER TABLE blocks ADD CONSTRAINT blocks_max_length CHECK (blocked_to - blocked_from <= 259200);

-- The seats of a group session are the appointments pointing at its block.
CREATE INDEX appointments_account_block ON appointments (account_id, block_id);
