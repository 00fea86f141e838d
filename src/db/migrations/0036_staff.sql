-- Staff accounts for the web console: people sign in with an e-mail and a password; each holds
-- one of the roles API keys hold (owner, marketer, analyst, support), and the same permission
-- table decides what they may do (src/platform/roles.ts).

create table staff_users (
  id text primary key,
  -- lower-cased on the way in, so the unique index is case-blind
  email text not null unique check (email = lower(email)),
  name text not null,
  role text not null check (role in ('owner', 'marketer', 'analyst', 'support')),
  -- scrypt$N$r$p$salt$hash (src/platform/staff/passwords.ts)
  password_hash text not null,
  -- consecutive wrong passwords; at the limit the account is locked until locked_until
  failed_attempts integer not null default 0 check (failed_attempts >= 0),
  locked_until timestamptz,
  disabled_at timestamptz,
  created_at timestamptz not null,
  created_by text,
  password_changed_at timestamptz not null,
  last_sign_in_at timestamptz
);

create table staff_sessions (
  -- SHA-256 of the cookie's random token: a stolen table signs nobody in
  token_hash text primary key,
  staff_user_id text not null references staff_users (id) on delete cascade,
  -- the value the console sends back in X-CSRF-Token on every change
  csrf_token text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null
);
create index staff_sessions_user on staff_sessions (staff_user_id);
