-- A service whose appointments the back office may lengthen or shorten (the agenda's resize,
-- PATCH /api/v1/appointments/{id} with `end` or `duration_min`). Off by default: an
-- appointment then lasts its service's duration, as before. docs/internals/appointments.md.
ALTER TABLE services ADD COLUMN resizable BIGINT NOT NULL DEFAULT 0 CHECK (resizable IN (0, 1));
