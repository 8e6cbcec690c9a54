-- Payments (docs/internals/payments.md): SEPA mandates, the debits sent in pain.008 batches,
-- the bank files imported (every one kept, the same file never applied twice), their lines,
-- and the payment state of each invoice. Invoices are immutable once final, so their payment
-- state lives here, keyed by invoice id, and is kept with them (no foreign key to accounts,
-- "invoice" in the name: the account purge keeps it).
CREATE TABLE sepa_mandates (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	reference TEXT NOT NULL UNIQUE, -- the unique mandate reference (RUM), 35 characters at most
	iban TEXT NOT NULL,
	bic TEXT NOT NULL DEFAULT '',
	holder_name TEXT NOT NULL,
	creditor_id TEXT NOT NULL,
	signature_date TEXT NOT NULL, -- YYYY-MM-DD in Europe/Paris
	signed_at INTEGER NOT NULL,
	signed_ip TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('active', 'revoked')),
	revoked_at INTEGER,
	created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX sepa_mandates_one_active ON sepa_mandates (account_id) WHERE state = 'active';

-- One row per final invoice: what is owed, how it is being collected, and the dunning level
-- reached (1 = due + 7 reminder, 2 = due + 21, 3 = read-only at due + 30).
CREATE TABLE invoice_payments (
	invoice_id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL,
	amount_due INTEGER NOT NULL CHECK (amount_due >= 0),
	state TEXT NOT NULL CHECK (state IN ('open', 'collecting', 'paid')),
	method TEXT NOT NULL DEFAULT 'transfer',
	paid_at INTEGER,
	paid_by TEXT NOT NULL DEFAULT '', -- 'sepa_dd' | 'transfer' | 'manual'
	note TEXT NOT NULL DEFAULT '',
	dunning_level INTEGER NOT NULL DEFAULT 0,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX invoice_payments_account ON invoice_payments (account_id, state);

-- A debit sent to the bank in a pain.008 batch: once per invoice; FRST or RCUR fixed when
-- first written, so a second download of the batch gives the same file.
CREATE TABLE sepa_debits (
	id INTEGER PRIMARY KEY,
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	invoice_id INTEGER NOT NULL UNIQUE,
	mandate_id INTEGER NOT NULL REFERENCES sepa_mandates (id) ON DELETE CASCADE,
	end_to_end_id TEXT NOT NULL UNIQUE,
	seq_type TEXT NOT NULL CHECK (seq_type IN ('FRST', 'RCUR')),
	collection_date TEXT NOT NULL,
	amount INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('sent', 'rejected', 'settled')),
	reason_code TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sepa_debits_date ON sepa_debits (collection_date);

-- Every bank file parsed (pain.002, camt.054, camt.053), applied or rejected whole.
CREATE TABLE bank_files (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	sha256 TEXT NOT NULL UNIQUE,
	kind TEXT NOT NULL, -- 'pain.002' | 'camt.054' | 'camt.053' | 'unknown'
	name TEXT NOT NULL DEFAULT '',
	message_id TEXT NOT NULL DEFAULT '',
	size INTEGER NOT NULL,
	content BLOB NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('applied', 'rejected')),
	reason TEXT NOT NULL DEFAULT '',
	summary TEXT NOT NULL DEFAULT '{}',
	operator_id INTEGER,
	received_at INTEGER NOT NULL
) STRICT;

-- The lines read from applied files: what each did, and the ones left for an operator.
CREATE TABLE bank_lines (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	bank_file_id INTEGER NOT NULL REFERENCES bank_files (id),
	kind TEXT NOT NULL, -- 'transfer' | 'debit_settled' | 'debit_rejected'
	amount INTEGER NOT NULL,
	booking_date TEXT NOT NULL DEFAULT '',
	reference TEXT NOT NULL DEFAULT '',
	counterparty TEXT NOT NULL DEFAULT '',
	end_to_end_id TEXT NOT NULL DEFAULT '',
	reason_code TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL CHECK (state IN ('matched', 'unmatched', 'ambiguous', 'resolved')),
	invoice_id INTEGER,
	candidates TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX bank_lines_state ON bank_lines (state);
