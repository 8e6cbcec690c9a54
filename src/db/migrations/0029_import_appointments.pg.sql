-- Imports of appointments (docs/internals/data.md, "Imports"): a staged row also holds the
-- appointment it would give — service and staff resolved by name, its start and end instants
-- and the interval it blocks (buffers included) — and the warnings that do not stop it (outside
-- the weekly hours). The index finds the rows of the same file that overlap one staff
-- member's interval. `publish_issues` keeps the rows the store refused at the publish (a slot
-- taken meanwhile), since the staging rows are deleted after it.
ALTER TABLE import_rows ADD COLUMN service_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN staff_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN starts_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN ends_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN blocked_from BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN blocked_to BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_rows ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
CREATE INDEX import_rows_staff_time ON import_rows (import_id, staff_id, blocked_from);

ALTER TABLE imports ADD COLUMN rows_warning BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN rows_skipped BIGINT NOT NULL DEFAULT 0;
ALTER TABLE imports ADD COLUMN publish_issues TEXT NOT NULL DEFAULT '[]';
