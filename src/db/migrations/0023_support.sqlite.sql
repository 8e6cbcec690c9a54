-- Support tickets (docs/internals/support.md): the ticket with its service-level clock, its
-- messages (replies the customer sees, internal notes never shown to the customer) and its
-- attachments (bytes in files). Every table carries account_id, with composite foreign keys,
-- so the account purge removes them like every tenant table. Deadlines are instants: the
-- clock is 24/7.
CREATE TABLE tickets (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	public_id TEXT NOT NULL,
	category TEXT NOT NULL CHECK (category IN ('question', 'bug', 'billing', 'deletion_request')),
	subject TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('new', 'open', 'pending_customer', 'solved', 'closed', 'spam')),
	requester_user_id INTEGER NOT NULL,
	opened_by_operator_id INTEGER,
	assignee_operator_id INTEGER,
	plan TEXT NOT NULL,
	target_hours INTEGER NOT NULL CHECK (target_hours IN (24, 48)),
	awaiting_since INTEGER NOT NULL DEFAULT 0,
	due_at INTEGER NOT NULL DEFAULT 0,
	first_due_at INTEGER NOT NULL,
	first_response_at INTEGER NOT NULL DEFAULT 0,
	replies_late INTEGER NOT NULL DEFAULT 0,
	warned_due_at INTEGER NOT NULL DEFAULT 0,
	breached_due_at INTEGER NOT NULL DEFAULT 0,
	breached INTEGER NOT NULL DEFAULT 0 CHECK (breached IN (0, 1)),
	solved_at INTEGER NOT NULL DEFAULT 0,
	closed_at INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, requester_user_id) REFERENCES users (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX tickets_public_id ON tickets (public_id);
CREATE UNIQUE INDEX tickets_account_id_id ON tickets (account_id, id);
CREATE INDEX tickets_account_created ON tickets (account_id, created_at);
CREATE INDEX tickets_queue ON tickets (state, due_at);
CREATE INDEX tickets_created ON tickets (created_at);

CREATE TABLE ticket_messages (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	ticket_id INTEGER NOT NULL,
	public_id TEXT NOT NULL,
	author TEXT NOT NULL CHECK (author IN ('customer', 'operator')),
	user_id INTEGER,
	operator_id INTEGER,
	author_name TEXT NOT NULL DEFAULT '',
	internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, ticket_id) REFERENCES tickets (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX ticket_messages_public_id ON ticket_messages (public_id);
CREATE INDEX ticket_messages_ticket ON ticket_messages (account_id, ticket_id, id);

CREATE TABLE ticket_attachments (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	ticket_id INTEGER NOT NULL,
	public_id TEXT NOT NULL,
	file_id TEXT NOT NULL,
	name TEXT NOT NULL,
	content_type TEXT NOT NULL,
	size INTEGER NOT NULL,
	author TEXT NOT NULL CHECK (author IN ('customer', 'operator')),
	internal INTEGER NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
	created_at INTEGER NOT NULL,
	FOREIGN KEY (account_id, ticket_id) REFERENCES tickets (account_id, id) ON DELETE CASCADE,
	FOREIGN KEY (account_id, file_id) REFERENCES files (account_id, id) ON DELETE CASCADE
) STRICT;
CREATE UNIQUE INDEX ticket_attachments_public_id ON ticket_attachments (public_id);
CREATE INDEX ticket_attachments_ticket ON ticket_attachments (account_id, ticket_id);
