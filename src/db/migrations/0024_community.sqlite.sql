-- The contact form's leads and the community's improvement requests (docs/internals/community.md).
-- Leads come from prospects without an account; operators answer them by e-mail (lead_replies).
-- Ideas belong to no tenant once published: account_id / user_id only name the author (kept
-- NULL when the author's account goes). Votes are one per user (idea_votes_one). Unsubscribe
-- links carry random tokens, of which only the SHA-256 is kept (idea_unsub_tokens).
CREATE TABLE leads (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	name TEXT NOT NULL,
	email TEXT NOT NULL,
	company TEXT NOT NULL DEFAULT '',
	phone TEXT NOT NULL DEFAULT '',
	message TEXT NOT NULL,
	ip TEXT NOT NULL DEFAULT '',
	status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'answered', 'closed')),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX leads_public_id ON leads (public_id);
CREATE INDEX leads_created ON leads (created_at);

CREATE TABLE lead_replies (
	id INTEGER PRIMARY KEY,
	lead_id INTEGER NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
	operator_id INTEGER REFERENCES operators (id) ON DELETE SET NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX lead_replies_lead ON lead_replies (lead_id);

CREATE TABLE ideas (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	account_id INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_first_name TEXT NOT NULL DEFAULT '',
	author_business_type TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	status TEXT NOT NULL DEFAULT 'under_review' CHECK (status IN ('under_review', 'open', 'planned',
		'started', 'completed', 'declined', 'duplicate')),
	response TEXT NOT NULL DEFAULT '',
	merged_into INTEGER REFERENCES ideas (id) ON DELETE SET NULL,
	published_at INTEGER,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX ideas_public_id ON ideas (public_id);
CREATE INDEX ideas_status ON ideas (status, created_at);
CREATE INDEX ideas_user ON ideas (user_id);

CREATE TABLE idea_votes (
	idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX idea_votes_one ON idea_votes (idea_id, user_id);
CREATE INDEX idea_votes_user ON idea_votes (user_id);

CREATE TABLE idea_comments (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	author_first_name TEXT NOT NULL DEFAULT '',
	author_business_type TEXT NOT NULL DEFAULT '',
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX idea_comments_public_id ON idea_comments (public_id);
CREATE INDEX idea_comments_idea ON idea_comments (idea_id, id);

-- active 0 = unsubscribed (kept so a later vote or comment does not subscribe again silently)
CREATE TABLE idea_subscriptions (
	idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX idea_subscriptions_one ON idea_subscriptions (idea_id, user_id);
CREATE INDEX idea_subscriptions_user ON idea_subscriptions (user_id);

CREATE TABLE idea_unsub_tokens (
	id INTEGER PRIMARY KEY,
	token_hash TEXT NOT NULL,
	idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX idea_unsub_tokens_hash ON idea_unsub_tokens (token_hash);

-- One row per subscriber and status change, until the hourly digest sends it (sent_at).
CREATE TABLE idea_notices (
	id INTEGER PRIMARY KEY,
	idea_id INTEGER NOT NULL REFERENCES ideas (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	status TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	sent_at INTEGER
) STRICT;
CREATE INDEX idea_notices_pending ON idea_notices (sent_at, user_id);
