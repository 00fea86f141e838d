-- Loyalty core: program settings, stores, products, receipts, the points ledger, rules and tiers.
-- Points are integers, money is integer minor units, quantities are integer thousandths.

create table loyalty_config (
  -- one row per kind ('program', 'earning_rules', 'tiers'); every change is a new version
  kind text not null check (kind in ('program', 'earning_rules', 'tiers')),
  version integer not null,
  body jsonb not null,
  created_at timestamptz not null,
  created_by text,
  primary key (kind, version)
);

create table stores (
  id text primary key,
  name text not null,
  region text,
  timezone text not null,
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table products (
  sku text primary key,
  name text not null,
  category_path text[] not null default '{}',
  brand text,
  attributes jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table receipts (
  id text primary key,
  store_id text not null references stores (id),
  pos_receipt_id text not null,
  register_id text,
  channel text not null check (channel in ('offline', 'online')),
  source text not null check (source in ('checkout', 'bulk')),
  -- null for an anonymous receipt: it still counts for the recognition rate at the till
  customer_id text references customers (id),
  status text not null check (status in ('confirmed', 'cancelled')),
  occurred_at timestamptz not null,
  created_at timestamptz not null,
  currency text not null,
  total_minor bigint not null,
  discount_minor bigint not null default 0,
  points_redeemed integer not null default 0,
  redeemed_minor bigint not null default 0,
  paid_minor bigint not null,
  points_earned integer not null default 0,
  refunded_minor bigint not null default 0,
  -- the request's fingerprint and the first answer, for idempotent replays
  request_hash text not null,
  response jsonb not null,
  unique (store_id, pos_receipt_id)
);
create index receipts_customer on receipts (customer_id, occurred_at) where customer_id is not null;
create index receipts_occurred on receipts (occurred_at);

create table receipt_lines (
  receipt_id text not null references receipts (id),
  line_no integer not null,
  customer_id text,
  sku text not null,
  name text,
  category text,
  brand text,
  qty_milli bigint not null check (qty_milli > 0),
  price_minor bigint not null check (price_minor >= 0),
  total_minor bigint not null,
  discount_minor bigint not null default 0,
  points_earned integer not null default 0,
  points_redeemed integer not null default 0,
  redeemed_minor bigint not null default 0,
  refunded_qty_milli bigint not null default 0 check (refunded_qty_milli >= 0 and refunded_qty_milli <= qty_milli),
  primary key (receipt_id, line_no)
);

create table refunds (
  receipt_id text not null references receipts (id),
  refund_id text not null,
  customer_id text,
  request_hash text not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (receipt_id, refund_id)
);

-- The cached balance: always the sum of the customer's ledger entries, changed in the same
-- transaction. Redemptions take it with "where available >= n", so it never goes below zero
-- through spending; only a refund of spent points may push it under (a program setting).
create table point_balances (
  customer_id text primary key references customers (id),
  available integer not null default 0,
  pending integer not null default 0,
  lifetime_earned bigint not null default 0,
  lifetime_redeemed bigint not null default 0,
  lifetime_expired bigint not null default 0,
  updated_at timestamptz not null
);

create table point_lots (
  id text not null,
  customer_id text not null references customers (id),
  source text not null check (source in ('receipt', 'adjustment', 'return', 'bulk')),
  receipt_id text,
  points integer not null check (points > 0),
  remaining integer not null check (remaining >= 0 and remaining <= points),
  earned_at timestamptz not null,
  activates_at timestamptz not null,
  activated_at timestamptz,
  expires_at timestamptz,
  expired_at timestamptz,
  expiring_notified_at timestamptz,
  primary key (customer_id, id)
);
create index point_lots_pending on point_lots (activates_at) where activated_at is null;
create index point_lots_expiring on point_lots (expires_at) where expired_at is null and remaining > 0;
create index point_lots_receipt on point_lots (receipt_id) where receipt_id is not null;

-- Append-only: one row per change to a balance; sums per customer equal point_balances.
create table point_entries (
  id bigint generated always as identity,
  customer_id text not null references customers (id),
  kind text not null check (kind in ('earn', 'activate', 'redeem', 'expire', 'reverse_earn', 'return_redeemed', 'adjust')),
  available_delta integer not null,
  pending_delta integer not null,
  lot_id text,
  receipt_id text,
  refund_id text,
  reason text,
  actor text,
  occurred_at timestamptz not null,
  primary key (customer_id, id)
);
create index point_entries_receipt on point_entries (receipt_id) where receipt_id is not null;

-- Which lots a redemption (or expiry, or reversal) took points from, so a refund can give
-- redeemed points back with the expiry they had.
create table lot_consumptions (
  customer_id text not null,
  lot_id text not null,
  receipt_id text,
  kind text not null check (kind in ('redeem', 'reverse_earn', 'adjust')),
  points integer not null check (points > 0),
  occurred_at timestamptz not null
);
create index lot_consumptions_receipt on lot_consumptions (receipt_id, customer_id) where receipt_id is not null;

create table customer_tiers (
  customer_id text primary key references customers (id),
  tier_id text not null,
  since timestamptz not null,
  reviewed_at timestamptz
);

create table adjustments (
  customer_id text not null references customers (id),
  idempotency_key text not null,
  points integer not null,
  reason text not null,
  response jsonb not null,
  created_at timestamptz not null,
  primary key (customer_id, idempotency_key)
);
