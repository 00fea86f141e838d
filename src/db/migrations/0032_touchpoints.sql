-- Customer touchpoints (src/modules/touchpoints): the join form's settings, one-time codes sent
-- to a phone, and the sessions of customers signed in to their account page.

-- One row: the join form as the marketer set it (null: the built-in default), and the secret
-- that signs the pages' anti-forgery tokens and hashes one-time codes. The secret is made here,
-- from two random UUIDs (244 random bits), and never leaves the database but through the module.
create table touchpoint_settings (
  id smallint primary key default 1 check (id = 1),
  join_form jsonb,
  secret text not null,
  version integer not null default 1,
  updated_at timestamptz not null default now()
);
insert into touchpoint_settings (id, secret)
values (1, replace(gen_random_uuid()::text, '-', '') || replace(gen_random_uuid()::text, '-', ''));

-- A one-time code sent by SMS: to join (the form's answers wait in `payload` until the code is
-- confirmed) or to sign in. Only an HMAC of the code is kept. The rate limits count these rows
-- by phone and by address, so they hold across instances; a job clears old rows.
create table otp_challenges (
  id text primary key,
  purpose text not null check (purpose in ('join', 'sign_in')),
  phone text not null,
  customer_id text,
  code_hash text not null,
  attempts integer not null default 0,
  payload jsonb,
  ip text,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  consumed_at timestamptz
);
create index otp_challenges_phone on otp_challenges (phone, created_at);
create index otp_challenges_ip on otp_challenges (ip, created_at);
create index otp_challenges_customer on otp_challenges (customer_id) where customer_id is not null;

-- A customer signed in to the account page. The cookie holds a random token; only its SHA-256
-- is kept here, so a copy of this table signs no one in.
create table customer_sessions (
  token_hash text primary key,
  customer_id text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index customer_sessions_customer on customer_sessions (customer_id);
