-- Coalition partners (issue 8): companies that run some of the stores of the store catalog, earn
-- and burn points in the common ledger at their own rates, hold API keys scoped to their own
-- stores, and settle money with the operator for the points issued and redeemed at them.
create table partners (
  id text primary key,
  name text not null,
  status text not null check (status in ('active', 'suspended')),
  -- points earned at the partner's stores: this share of the paid amount, in point value (500 = 5%)
  earn_rate_bp integer not null check (earn_rate_bp between 0 and 10000),
  -- money (minor units) the partner owes the operator for every 100 points issued at its stores
  issued_rate_minor bigint not null check (issued_rate_minor >= 0),
  -- money (minor units) the operator owes the partner for every 100 points redeemed at its stores
  redeemed_rate_minor bigint not null check (redeemed_rate_minor >= 0),
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- A store belongs to at most one partner: the primary key says so, whoever writes the row.
create table partner_stores (
  store_id text primary key references stores (id),
  partner_id text not null references partners (id),
  added_at timestamptz not null
);
create index partner_stores_partner on partner_stores (partner_id, store_id);

-- A partner's API keys: role partner, bound to the partner, acting only at its stores. Only a
-- partner key may name a partner, and a partner named is a partner that exists.
alter table api_keys add column partner_id text references partners (id);
alter table api_keys add constraint api_keys_partner_role check (partner_id is null or role = 'partner');
create index api_keys_partner on api_keys (partner_id) where partner_id is not null;
