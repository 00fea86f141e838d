-- Each customer's closed purchase history for segment conditions (loyalty/rollups.ts keeps it in
-- the same fold steps as rollup_customer_hours; segment-fields.ts reads it). A condition such as
-- "spent 2,000.00 in a year" or "bought coffee in 90 days" then reads one row a customer instead
-- of their receipts and every line of them (docs/performance.md has the figures).
--
-- Purchases are in time order (occurred_at, then receipt id), the same order and the same
-- purchases as rollup_customer_hours (till-facts.ts): exact instants, so any window is two binary
-- searches (width_bucket) with no partial hour to read raw; running totals, so the money of any
-- run of purchases is one subtraction; and what each purchase held, as item codes.
create table rollup_customer_purchases (
  customer_id text primary key,
  purchase_at timestamptz[] not null,
  -- net_cum[i]: money paid net of refunds by purchases 1..i
  net_cum bigint[] not null,
  -- The items of purchase i are items[item_ends[i-1] + 1 .. item_ends[i]] (item_ends[0] read as 0).
  item_ends int4[] not null,
  items int4[] not null
);

-- What a purchase held, coded: 'c:' and each part of the category path of a line not wholly
-- returned ('grocery/coffee' gives c:grocery and c:coffee), 'b:' and the line's brand. Codes are
-- never reused or renumbered, so a row's codes stay valid as new ones are added.
create table rollup_items (
  id integer generated always as identity primary key,
  item text not null unique
);

-- Where the purchases' backfill over history folded before this table existed stands: null once
-- done (or nothing was folded yet); otherwise the last customer id it has written ('' for none).
-- Until done, a step of the fold closing hours or repairing customers leaves the customers beyond
-- it alone (the backfill writes them whole), and segments read raw receipts.
alter table rollup_state add column purchases_backfill text;
update rollup_state set purchases_backfill = case when closed_until is null then null else '' end;
