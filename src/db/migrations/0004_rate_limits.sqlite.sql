-- On SQLite the rate-limit counters live in memory (src/ratelimit): one process serves the
-- store, and nothing that happens on every request may write to it. Nothing to create.
SELECT 1;
