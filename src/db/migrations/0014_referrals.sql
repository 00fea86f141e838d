-- Referrals (issue 8, item 7): every customer's referral codes, who named whom, and what the
-- anti-fraud checks compare. Contacts, device ids and payment tokens are kept only as hashes.

-- The program's settings: one row, a JSON body over the code's defaults, a version for PUT's precondition.
create table referral_settings (
  id boolean primary key default true check (id),
  version integer not null check (version >= 1),
  body jsonb not null,
  -- null until the first save
  updated_at timestamptz,
  updated_by text
);
insert into referral_settings (id, version, body, updated_at) values (true, 1, '{}', null);

create table referral_codes (
  code text collate "C" primary key,
  -- the code's owner now: a merge moves the duplicate's codes to the survivor, so shared links keep working
  customer_id text not null references customers (id),
  -- who it was made for: one code a customer, however many first asks race
  made_for text not null unique,
  created_at timestamptz not null
);
create index referral_codes_customer on referral_codes (customer_id, created_at);
-- Every customer has a code: new ones get theirs at sign-up; those already here get one now
-- (8 characters of the app's alphabet, drawn again for the rare code someone else drew first).
do $$
begin
  for attempt in 1..10 loop
    insert into referral_codes (code, customer_id, made_for, created_at)
    select (select string_agg(substr('23456789BCDFGHJKMNPQRSTVWXYZ', 1 + floor(random() * 28)::int, 1), '')
            from generate_series(1, 8) where c.id is not null), c.id, c.id, now()
    from customers c
    where c.status = 'active' and not exists (select 1 from referral_codes r where r.made_for = c.id)
    on conflict do nothing;
    exit when not exists (select 1 from customers c where c.status = 'active' and not exists (select 1 from referral_codes r where r.made_for = c.id));
  end loop;
end $$;

create table referrals (
  id text primary key,
  -- the referee (the new customer) owns the row
  customer_id text not null references customers (id),
  referrer_id text not null references customers (id),
  code text not null,
  status text not null check (status in ('invited', 'qualified', 'rewarded', 'expired', 'void')),
  -- the terms when the referee named the code: a later change of the settings does not move a promise
  referrer_points integer not null check (referrer_points >= 0),
  referee_points integer not null check (referee_points >= 0),
  threshold_minor bigint not null check (threshold_minor >= 0),
  qualify_by timestamptz not null,
  -- sha-256 of the device id and payment token the referee gave, never the values
  device_hash text,
  payment_hash text,
  receipt_id text,
  qualified_at timestamptz,
  reward_due_at timestamptz,
  rewarded_at timestamptz,
  void_reason text,
  -- set when a merge moved this row onto a survivor that already had a referral of its own
  merged_from text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check (customer_id <> referrer_id or status = 'void'),
  check (status not in ('qualified', 'rewarded') or (receipt_id is not null and reward_due_at is not null)),
  check (status <> 'rewarded' or rewarded_at is not null)
);
-- A customer names a referrer once.
create unique index referrals_once on referrals (customer_id) where merged_from is null and status <> 'void';
create index referrals_referrer on referrals (referrer_id, created_at);
create index referrals_invited on referrals (id) where status = 'invited';
create index referrals_due on referrals (reward_due_at) where status = 'qualified';
create index referrals_device on referrals (device_hash) where device_hash is not null;
create index referrals_payment on referrals (payment_hash) where payment_hash is not null;

-- What each customer has shown the referral program (contacts, devices, payment tokens), as
-- hashes: a contact moved to a new account, or the referrer's own phone, still matches.
create table referral_fingerprints (
  customer_id text not null references customers (id),
  kind text not null check (kind in ('phone', 'email', 'card', 'device', 'payment')),
  hash text not null,
  created_at timestamptz not null,
  primary key (customer_id, kind, hash)
);
create index referral_fingerprints_hash on referral_fingerprints (kind, hash);
