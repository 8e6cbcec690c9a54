-- An import never committed kept its staging rows (the file's names, e-mails, phones) for
-- ever. Each import now has a job, data.import_end, due 7 days after its creation, that
-- discards its rows and marks it failed ("expired") unless it was committed
-- (docs/internals/data.md, "Imports"). The imports staged before this get theirs here.
INSERT INTO jobs (kind, unique_key, account_id, payload, state, run_at, attempts, max_attempts,
	created_at, updated_at)
SELECT 'data.import_end', 'data.import_end:' || public_id, account_id,
	'{"import":"' || public_id || '"}', 'queued', created_at + 604800, 0, 10, created_at, created_at
FROM imports WHERE state IN ('staging', 'ready')
ON CONFLICT (unique_key) DO NOTHING;
