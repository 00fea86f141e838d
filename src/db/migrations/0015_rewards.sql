-- The rewards catalog (issue 8): rewards bought with points or won as prizes — own goods or
-- services (a redemption code the till accepts), partner vouchers from an uploaded pool, and
-- non-material privileges granted for a period. What concurrent orders race for is guarded in
-- SQL: the stock by the CHECK and the guarded UPDATE of the counters, a voucher by its status.
create table rewards (
  id text primary key,
  name text not null,
  description text,
  kind text not null check (kind in ('goods', 'partner_voucher', 'privilege')),
  status text not null check (status in ('draft', 'active', 'paused', 'archived')),
  points_cost integer not null check (points_cost > 0),
  -- units in all (null: unlimited); what is left is stock - (issued - cancelled)
  stock integer check (stock >= 0),
  issued integer not null default 0 check (issued >= 0),
  cancelled integer not null default 0 check (cancelled >= 0),
  redeemed integer not null default 0 check (redeemed >= 0),
  per_customer integer check (per_customer > 0),
  valid_from timestamptz,
  valid_to timestamptz,
  -- tier ids that may order it (null: every tier)
  tiers jsonb,
  -- how long what the customer gets lasts: a goods code, a privilege (required for privileges)
  valid_days integer check (valid_days > 0),
  privilege text,
  partner text,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint rewards_within_stock check (stock is null or issued - cancelled <= stock),
  constraint rewards_cancelled_issued check (cancelled <= issued and redeemed <= issued),
  constraint rewards_validity check (valid_from is null or valid_to is null or valid_from < valid_to),
  constraint rewards_privilege check (kind <> 'privilege' or (privilege is not null and valid_days is not null))
);
create index rewards_kind on rewards (kind, id);

-- A partner's pool of codes for a partner_voucher reward. A code is handed out at most once:
-- 'free' → 'issued' by one guarded claim (FOR UPDATE SKIP LOCKED); a cancelled order's voucher
-- becomes 'void' (the customer has seen it, so it never goes to anyone else).
create table reward_vouchers (
  reward_id text not null references rewards (id) on delete cascade,
  code text not null,
  seq bigint generated always as identity,
  status text not null default 'free' check (status in ('free', 'issued', 'void')),
  valid_until timestamptz,
  order_id text,
  uploaded_at timestamptz not null,
  issued_at timestamptz,
  primary key (reward_id, code),
  check ((status = 'free') = (order_id is null))
);
create index reward_vouchers_free on reward_vouchers (reward_id, seq) where status = 'free';

-- Orders: a reward bought with points (source 'purchase', idempotent on the Idempotency-Key) or
-- won as a prize (source 'prize', idempotent on the granting module's reference). The points
-- spent are ledger entries whose receipt_id is the order id (loyalty's points port).
create table reward_orders (
  id text primary key,
  customer_id text not null,
  reward_id text not null references rewards (id),
  kind text not null check (kind in ('goods', 'partner_voucher', 'privilege')),
  reward_name text not null,
  source text not null check (source in ('purchase', 'prize')),
  points integer not null check (points >= 0),
  status text not null check (status in ('issued', 'redeemed', 'cancelled')),
  code text,
  privilege text,
  valid_until timestamptz,
  idempotency_key text,
  grant_reference text,
  actor text,
  created_at timestamptz not null,
  redeemed_at timestamptz,
  cancelled_at timestamptz,
  check ((status = 'cancelled') = (cancelled_at is not null)),
  check ((status = 'redeemed') = (redeemed_at is not null))
);
create index reward_orders_customer on reward_orders (customer_id, id);
create index reward_orders_reward on reward_orders (reward_id, customer_id) where status <> 'cancelled';
create index reward_orders_privileges on reward_orders (customer_id, valid_until) where kind = 'privilege' and status = 'issued';
create unique index reward_orders_idempotency on reward_orders (customer_id, idempotency_key) where idempotency_key is not null;
create unique index reward_orders_grant on reward_orders (customer_id, grant_reference) where grant_reference is not null;

-- The goods codes a till redeems, by code: the till knows the code before the customer.
create table reward_codes (
  code text primary key,
  customer_id text not null,
  order_id text not null,
  created_at timestamptz not null
);
