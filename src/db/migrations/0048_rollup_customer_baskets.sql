-- Each customer's closed purchases as running totals, for reading a window of behaviour per
-- customer without their receipts and lines (clustering's features: loyalty/rollup-baskets.ts
-- keeps the rows in the fold's steps, purchase-summaries.ts reads them; docs/performance.md has
-- the figures). Purchases are those of rollup_customer_purchases, in the same order (occurred_at,
-- then receipt id); any window of them is two binary searches (width_bucket) on `purchase_at`,
-- and its sums one subtraction of running totals.
--
-- The per-store and per-category columns are matrices flattened row by row: row k holds, for
-- each purchase i of the n, the running total up to i (element (k - 1) * n + i).
create table rollup_customer_baskets (
  customer_id text primary key,
  purchase_at timestamptz[] not null,
  -- Each purchase's hour (0–23) in its store's time zone when it was folded (a store's zone
  -- changing starts the rows over: the trigger below).
  local_hours int2[] not null,
  online boolean[] not null,
  -- Running totals by purchase: paid net of refunds, discounts, paid with points, totals before
  -- discounts, lines still held, and those lines' paid share.
  net_cum bigint[] not null,
  discount_cum bigint[] not null,
  redeemed_cum bigint[] not null,
  total_cum bigint[] not null,
  lines_cum int4[] not null,
  lines_net_cum bigint[] not null,
  -- One row a store the customer bought at (stores in id order): purchases there so far.
  store_cum int4[] not null,
  -- One row a top-level category (the first part of the path) of a line held, in name order:
  -- the lines' paid share and their count so far.
  category_names text[] not null,
  category_net_cum bigint[] not null,
  category_lines_cum int4[] not null
);

-- Where the baskets' backfill stands, as purchases_backfill does for rollup_customer_purchases:
-- null once done, else the last customer id written ('' for none). It starts at '' on every
-- install, so closing steps leave the rows to it until it has written every customer once.
alter table rollup_state add column baskets_backfill text;
update rollup_state set baskets_backfill = '';

-- A purchase's local hour is folded in its store's zone: a store moved to another zone has
-- every row written again (until then readers read raw receipts).
create function rollup_baskets_restart() returns trigger language plpgsql as $$
begin
  update rollup_state set baskets_backfill = '';
  return null;
end $$;

create trigger rollup_stores_zone after update of timezone on stores
  for each row when (old.timezone is distinct from new.timezone) execute function rollup_baskets_restart();
