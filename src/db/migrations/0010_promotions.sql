-- Promotions (issue 8): discounts the checkout pipeline applies as an adjuster, with budgets and
-- limits the database enforces. A promotion's definition (benefit, audience, validity, stacking)
-- is JSON; what concurrent checkouts race for is in columns, guarded by CHECKs and by the
-- guarded UPDATEs of the adjuster's commit.
create table promotions (
  id text primary key,
  name text not null,
  status text not null check (status in ('draft', 'active', 'paused', 'archived')),
  definition jsonb not null,
  budget_minor bigint check (budget_minor >= 0),
  used_minor bigint not null default 0 check (used_minor >= 0),
  uses_limit integer check (uses_limit >= 0),
  uses integer not null default 0 check (uses >= 0),
  per_customer integer check (per_customer > 0),
  per_customer_per_day integer check (per_customer_per_day > 0),
  release_on_return boolean not null default true,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint promotions_within_budget check (budget_minor is null or used_minor <= budget_minor),
  constraint promotions_within_uses check (uses_limit is null or uses <= uses_limit)
);
create index promotions_active on promotions (id) where status = 'active';

-- What each receipt took from each promotion: the per-customer limits count these, and returns
-- release from them, each kopeck and each use at most once (the CHECK and the guarded UPDATE).
create table promotion_redemptions (
  receipt_id text not null,
  promotion_id text not null references promotions (id),
  customer_id text,
  code text,
  -- the purchase's date in the store's timezone: "per customer per day" counts by it
  day date not null,
  discount_minor bigint not null check (discount_minor >= 0),
  released_minor bigint not null default 0,
  use_released boolean not null default false,
  created_at timestamptz not null,
  primary key (receipt_id, promotion_id),
  check (released_minor >= 0 and released_minor <= discount_minor)
);
create index promotion_redemptions_customer on promotion_redemptions (customer_id, promotion_id, day) where customer_id is not null;
create index promotion_redemptions_promotion on promotion_redemptions (promotion_id, created_at);

-- Codes: public (uses_limit null: any number of uses), single-use codes of a batch, personal
-- codes (customer_id set: only that customer may use it). Stored upper-case, as printed.
create table promo_code_batches (
  id text primary key,
  promotion_id text not null references promotions (id),
  count integer not null check (count > 0),
  length integer not null,
  prefix text not null default '',
  check_character boolean not null default false,
  uses_per_code integer not null default 1 check (uses_per_code > 0),
  generated integer not null default 0,
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  failure text,
  created_by text,
  created_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  heartbeat_at timestamptz
);

create table promo_codes (
  code text primary key,
  promotion_id text not null references promotions (id),
  batch_id text references promo_code_batches (id),
  customer_id text,
  uses_limit integer check (uses_limit > 0),
  uses integer not null default 0 check (uses >= 0),
  per_customer integer check (per_customer > 0),
  valid_from timestamptz,
  valid_to timestamptz,
  created_at timestamptz not null,
  constraint promo_codes_within_uses check (uses_limit is null or uses <= uses_limit)
);
-- Codes a person made, by promotion; a batch's codes are listed by batch (the one index it pays for besides the key).
create index promo_codes_promotion on promo_codes (promotion_id, code) where batch_id is null;
create index promo_codes_batch on promo_codes (batch_id, code) where batch_id is not null;
create index promo_codes_customer on promo_codes (customer_id) where customer_id is not null;
