-- Billing (docs/internals/billing.md): who is invoiced, what was billed each month, and the
-- invoices and credit notes themselves. invoices has NO foreign key to accounts: documents
-- are kept 10 years, after the account is purged; each carries its own copy of the customer
-- and the seller, so it stands alone. Finalised documents are immutable (triggers below).
CREATE TABLE billing_identities (
	account_id INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	legal_name TEXT NOT NULL,
	street TEXT NOT NULL,
	postcode TEXT NOT NULL,
	city TEXT NOT NULL,
	country TEXT NOT NULL CHECK (country = 'FR'),
	siren TEXT NOT NULL,
	vat_number TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

-- What was billed for each account and month: the plan segments of the month
-- ("day:price_cents,..." from day 1) and the net HT billed (invoices minus credit notes), so a
-- new change recomputes the exact month total and bills only the difference. The primary key
-- makes the 1st-of-month invoice happen once per account and month.
CREATE TABLE billing_months (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	month INTEGER NOT NULL, -- yyyymm in Europe/Paris
	days INTEGER NOT NULL,
	segments TEXT NOT NULL,
	billed_ht INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	CONSTRAINT billing_months_pkey PRIMARY KEY (account_id, month)
) STRICT;

-- One gapless series per document type and year: the row is locked (upsert) at finalisation,
-- in the finalising transaction, so a rollback gives the number back.
CREATE TABLE invoice_counters (
	series TEXT NOT NULL CHECK (series IN ('F', 'AV')),
	year INTEGER NOT NULL,
	next INTEGER NOT NULL CHECK (next >= 1),
	CONSTRAINT invoice_counters_pkey PRIMARY KEY (series, year)
) STRICT;

CREATE TABLE invoices (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL,
	account_id INTEGER NOT NULL, -- no foreign key: kept after the account is purged
	type TEXT NOT NULL CHECK (type IN ('invoice', 'credit_note')),
	state TEXT NOT NULL CHECK (state IN ('draft', 'final')),
	series TEXT NOT NULL CHECK (series IN ('F', 'AV')),
	year INTEGER NOT NULL,
	seq INTEGER,
	number TEXT,
	reason TEXT NOT NULL,
	issued_at INTEGER NOT NULL,
	issue_date TEXT NOT NULL,
	due_date TEXT NOT NULL,
	period_start TEXT NOT NULL,
	period_end TEXT NOT NULL,
	month INTEGER NOT NULL,
	customer_legal_name TEXT NOT NULL,
	customer_street TEXT NOT NULL,
	customer_postcode TEXT NOT NULL,
	customer_city TEXT NOT NULL,
	customer_country TEXT NOT NULL,
	customer_siren TEXT NOT NULL,
	customer_vat_number TEXT NOT NULL,
	customer_email TEXT NOT NULL,
	seller TEXT NOT NULL, -- JSON object: the seller's identity and mentions as printed
	lines TEXT NOT NULL,  -- JSON array: description, period, quantity, unit and amount HT
	note TEXT NOT NULL DEFAULT '',
	currency TEXT NOT NULL DEFAULT 'EUR',
	vat_rate_bp INTEGER NOT NULL,
	total_ht INTEGER NOT NULL CHECK (total_ht >= 0),
	total_vat INTEGER NOT NULL CHECK (total_vat >= 0),
	total_ttc INTEGER NOT NULL CHECK (total_ttc >= 0),
	credit_applied_ttc INTEGER NOT NULL DEFAULT 0 CHECK (credit_applied_ttc >= 0),
	amount_due_ttc INTEGER NOT NULL CHECK (amount_due_ttc >= 0),
	credit_notes TEXT NOT NULL DEFAULT '',
	corrects_invoice_id INTEGER,
	corrects_number TEXT,
	pdf_file_id TEXT,
	pdf_sha256 TEXT,
	created_at INTEGER NOT NULL,
	CHECK (state = 'draft' OR (number IS NOT NULL AND seq IS NOT NULL AND pdf_file_id IS NOT NULL)),
	CHECK (type = 'invoice' OR corrects_invoice_id IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX invoices_public_id ON invoices (public_id);
CREATE UNIQUE INDEX invoices_number ON invoices (number);
CREATE UNIQUE INDEX invoices_series_seq ON invoices (series, year, seq);
CREATE INDEX invoices_account ON invoices (account_id, id);

-- Finalised documents never change and are never deleted (corrections are credit notes).
CREATE TRIGGER invoices_final_no_update BEFORE UPDATE ON invoices
WHEN OLD.state = 'final'
BEGIN
	SELECT RAISE(ABORT, 'invoice_final');
END;
CREATE TRIGGER invoices_final_no_delete BEFORE DELETE ON invoices
WHEN OLD.state = 'final'
BEGIN
	SELECT RAISE(ABORT, 'invoice_final');
END;
