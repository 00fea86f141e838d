-- Foundation: access, audit, outbox, customers with identifiers and consents, imports.
-- Every customer-owned table carries customer_id so it can be distributed by it (docs/scale-out.md).

create table system_settings (
  key text primary key,
  value jsonb not null,
  updated_at timestamptz not null
);

create table api_keys (
  id text primary key,
  name text not null,
  role text not null check (role in ('owner', 'marketer', 'analyst', 'support', 'pos', 'partner')),
  -- SHA-256 of the secret: keys are 256 random bits, so a slow hash adds nothing but latency.
  secret_hash text not null unique,
  hint text not null,
  source text not null check (source in ('api', 'cli', 'env', 'bootstrap')),
  created_at timestamptz not null,
  created_by text,
  last_used_at timestamptz,
  revoked_at timestamptz
);

create table audit_log (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null,
  actor_key_id text,
  actor_name text not null,
  actor_role text,
  action text not null,
  entity_type text not null,
  entity_id text,
  -- names of what changed, never personal values: the log outlives an erased customer
  details jsonb not null default '{}',
  request_id text
);
create index audit_log_entity on audit_log (entity_type, entity_id, id);

create table outbox_events (
  id bigint generated always as identity primary key,
  event_id text not null unique,
  type text not null,
  customer_id text,
  payload jsonb not null,
  occurred_at timestamptz not null,
  published_at timestamptz
);
create index outbox_events_unpublished on outbox_events (id) where published_at is null;

create table attribute_definitions (
  key text primary key,
  type text not null check (type in ('string', 'number', 'integer', 'boolean', 'date', 'enum')),
  label text not null,
  options text[],
  -- values of personal attributes (and of every string attribute) are removed on erase
  personal boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  check ((type = 'enum') = (options is not null))
);

create table customers (
  id text primary key,
  status text not null default 'active' check (status in ('active', 'merged', 'erased')),
  merged_into text references customers (id),
  first_name text,
  last_name text,
  birth_date date,
  gender text check (gender in ('female', 'male', 'other')),
  city text,
  timezone text,
  locale text,
  tags text[] not null default '{}',
  attributes jsonb not null default '{}',
  created_at timestamptz not null,
  updated_at timestamptz not null,
  merged_at timestamptz,
  erased_at timestamptz,
  check ((status = 'merged') = (merged_into is not null))
);
create index customers_merged_into on customers (merged_into) where merged_into is not null;
create index customers_last_name on customers (lower(last_name) text_pattern_ops) where status = 'active';

create table customer_identifiers (
  kind text not null check (kind in ('phone', 'email', 'card', 'external')),
  -- '' except for external ids, where it names the system (eshop, app, ...)
  source text not null default '',
  -- C collation so a prefix search (LIKE 'x%') can use the primary key
  value text collate "C" not null,
  customer_id text not null references customers (id),
  is_primary boolean not null,
  created_at timestamptz not null,
  primary key (kind, source, value),
  check ((kind = 'external') = (source <> ''))
);
create index customer_identifiers_customer on customer_identifiers (customer_id);
create unique index customer_identifiers_one_primary
  on customer_identifiers (customer_id, kind, source) where is_primary;

create table consent_events (
  id text not null,
  customer_id text not null references customers (id),
  channel text not null check (channel in ('email', 'sms', 'push', 'messenger', 'call', 'post', 'all')),
  purpose text not null check (purpose in ('personal_data', 'marketing', 'transactional', 'profiling')),
  granted boolean not null,
  source text not null check (source in ('pos', 'web', 'app', 'import', 'api', 'operator')),
  occurred_at timestamptz not null,
  recorded_at timestamptz not null,
  evidence jsonb not null default '{}',
  primary key (customer_id, id)
);
create index consent_events_current on consent_events (customer_id, channel, purpose, occurred_at desc, id desc);

create table import_jobs (
  id text primary key,
  kind text not null check (kind in ('customers')),
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  file_name text not null,
  file_sha256 text not null,
  bytes_total bigint not null,
  bytes_done bigint not null default 0,
  -- the last line whose row is committed; a resumed import skips up to here
  checkpoint_line integer not null default 1,
  rows_done integer not null default 0,
  rows_failed integer not null default 0,
  rows_created integer not null default 0,
  rows_updated integer not null default 0,
  failure text,
  created_by text,
  created_at timestamptz not null,
  started_at timestamptz,
  heartbeat_at timestamptz,
  finished_at timestamptz
);

create table import_errors (
  import_id text not null references import_jobs (id),
  line integer not null,
  field text not null,
  -- a reason, never the rejected value: the value may be personal data
  reason text not null,
  primary key (import_id, line, field)
);
