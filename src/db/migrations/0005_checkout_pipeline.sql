-- Adjustments (discounts from promotions, codes, gift cards) a confirmed receipt got from the
-- checkout pipeline's adjusters: refunds and cancels give back what these reserved.
create table receipt_adjustments (
  receipt_id text not null references receipts (id),
  seq integer not null,
  customer_id text,
  adjuster text not null,
  adjustment_id text not null,
  name text not null,
  discount_minor bigint not null check (discount_minor > 0),
  -- [{line, discountMinor}], line numbers 0-based as in the checkout answer
  lines jsonb not null,
  data jsonb not null default '{}',
  primary key (receipt_id, seq)
);

-- One counter for everything checkout caches in process (program, rules, tiers, stores,
-- products): every change bumps it in the same transaction, and each instance compares it at
-- most once per PATRON_CACHE_MS to drop what it cached.
create table loyalty_cache_version (
  id boolean primary key default true check (id),
  version bigint not null
);
insert into loyalty_cache_version (id, version) values (true, 1);
