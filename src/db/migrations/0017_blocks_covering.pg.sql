-- Availability reads every live block of the service's staff over the asked range (a month
-- for "any" staff is thousands of rows): with the other columns it reads carried in the index,
-- it can be answered from the index. Replaces the narrower index on the same leading columns.
DROP INDEX blocks_staff_time;
CREATE INDEX blocks_staff_time_cover ON blocks (account_id, staff_id, blocked_from)
	INCLUDE (blocked_to, status, service_id, capacity, seats_taken);
