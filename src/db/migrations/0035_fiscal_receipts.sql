-- Fiscal-receipt upload (issue 12, docs/fiscal-receipts.md): for brands without a till of their
-- own, a customer submits the QR code of a Russian fiscal receipt; a job asks a verification
-- service for the receipt's lines, and the brand's lines earn points through loyalty's
-- historical receipts. A fiscal receipt earns once: (fn, i, fp) is unique across all customers.

-- The one settings row: the verification service, the brand's SKU matching, the store the
-- receipts are booked at. The token is write-only (never answered, never logged).
create table fiscal_receipt_settings (
  id boolean primary key default true check (id),
  body jsonb not null,
  token text,
  version integer not null default 1,
  updated_at timestamptz not null
);

create table fiscal_receipts (
  id text primary key,
  -- An opaque id; kept when the customer is erased, as loyalty's receipts keep theirs.
  customer_id text not null,
  fn text not null check (fn ~ '^[0-9]{16}$'),
  i bigint not null check (i > 0),
  fp bigint not null check (fp >= 0),
  operation smallint not null,
  total_minor bigint not null check (total_minor > 0),
  -- `t` as printed on the receipt (local time) and the instant it is in the brand's zone.
  local_time text not null,
  purchased_at timestamptz not null,
  qr text not null,
  status text not null check (status in ('pending', 'earned', 'rejected')),
  reason text,
  points integer,
  receipt_id text,
  -- The receipt's lines of the brand's products, as the verification service answered them.
  lines jsonb not null default '[]',
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  locked_until timestamptz,
  last_error text,
  -- How it was submitted (the key, the page); erased with the customer's personal data.
  evidence jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  verified_at timestamptz,
  constraint fiscal_receipts_document unique (fn, i, fp),
  check ((status = 'pending') = (next_attempt_at is not null)),
  check ((status = 'earned') = (points is not null and receipt_id is not null))
);
-- The job's queue: pending receipts by when they are due.
create index fiscal_receipts_due on fiscal_receipts (next_attempt_at) where status = 'pending';
-- A customer's submissions, newest first.
create index fiscal_receipts_customer on fiscal_receipts (customer_id, id);
