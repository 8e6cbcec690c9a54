-- The double-booking guard read every earlier block of a staff member on each insert (the
-- overlap test bounded blocked_from only from above). A block can never last more than three
-- days (a service's duration and each buffer are at most 24 h), so the guard refuses longer
-- blocks and looks only at blocks starting less than three days before the new one: an indexed
-- range of a few rows instead of the staff member's whole history.
DROP TRIGGER blocks_no_overlap_insert;
DROP TRIGGER blocks_no_overlap_update;

CREATE TRIGGER blocks_too_long_insert BEFORE INSERT ON blocks
WHEN NEW.blocked_to - NEW.blocked_from > 259200
BEGIN
	SELECT RAISE(ABORT, 'blocks_max_length');
END;

CREATE TRIGGER blocks_too_long_update BEFORE UPDATE OF blocked_from, blocked_to ON blocks
WHEN NEW.blocked_to - NEW.blocked_from > 259200
BEGIN
	SELECT RAISE(ABORT, 'blocks_max_length');
END;

CREATE TRIGGER blocks_no_overlap_insert BEFORE INSERT ON blocks
WHEN NEW.status <> 'cancelled' AND EXISTS (
	SELECT 1 FROM blocks b
	WHERE b.account_id = NEW.account_id AND b.staff_id = NEW.staff_id AND b.status <> 'cancelled'
	  AND b.blocked_from > NEW.blocked_from - 259200
	  AND b.blocked_from < NEW.blocked_to AND NEW.blocked_from < b.blocked_to)
BEGIN
	SELECT RAISE(ABORT, 'blocks_no_overlap');
END;

CREATE TRIGGER blocks_no_overlap_update BEFORE UPDATE OF staff_id, blocked_from, blocked_to, status ON blocks
WHEN NEW.status <> 'cancelled' AND EXISTS (
	SELECT 1 FROM blocks b
	WHERE b.id <> NEW.id AND b.account_id = NEW.account_id AND b.staff_id = NEW.staff_id
	  AND b.status <> 'cancelled' AND b.blocked_from > NEW.blocked_from - 259200
	  AND b.blocked_from < NEW.blocked_to AND NEW.blocked_from < b.blocked_to)
BEGIN
	SELECT RAISE(ABORT, 'blocks_no_overlap');
END;

-- The seats of a group session are the appointments pointing at its block.
CREATE INDEX appointments_account_block ON appointments (account_id, block_id);
