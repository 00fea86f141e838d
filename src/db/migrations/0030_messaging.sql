-- Messaging (src/modules/messaging): channels, templates with versions, the message queue with
-- each message's status history, the suppression list, the contact policy, push subscriptions,
-- webhook endpoints and their deliveries.

create table messaging_channels (
  id text primary key,
  kind text not null check (kind in ('email', 'sms', 'push', 'telegram')),
  name text not null unique,
  -- The transport's settings, secrets included (never answered: the API masks them).
  config jsonb not null,
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
-- One active channel of a kind carries that kind's messages.
create unique index messaging_channels_active_kind on messaging_channels (kind) where active;

create table message_templates (
  id text primary key,
  name text not null unique,
  kind text not null check (kind in ('email', 'sms', 'push', 'telegram')),
  purpose text not null check (purpose in ('marketing', 'service')),
  topic text,
  version integer not null check (version > 0),
  parts jsonb not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

-- Every saved version, so a message names the exact text it was made from.
create table message_template_versions (
  template_id text not null references message_templates (id) on delete cascade,
  version integer not null,
  parts jsonb not null,
  created_at timestamptz not null,
  created_by text,
  primary key (template_id, version)
);

create table messages (
  id text primary key,
  customer_id text,
  kind text not null check (kind in ('email', 'sms', 'push', 'telegram')),
  purpose text not null check (purpose in ('marketing', 'service')),
  template_id text,
  template_version integer,
  -- What made it: a test send, an integrator's call, a campaign, a journey step; with its id.
  source text not null check (source in ('test', 'api', 'campaign', 'journey')),
  source_id text,
  -- One message per key ever (a campaign's customer, a journey step's entry): a retried or
  -- restarted enqueue adds nothing.
  dedupe_key text unique,
  recipient text,
  content jsonb,
  status text not null check (status in ('queued', 'held', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'skipped')),
  -- Why it was skipped or failed, in words and as a stable reason code.
  reason text,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  -- Taken by a sender until then: a sender that died leaves it to be taken again.
  locked_until timestamptz,
  -- Passed the contact policy at its claim (the caps count it from then on).
  cleared boolean not null default false,
  provider_id text,
  parts integer,
  created_at timestamptz not null,
  sent_at timestamptz,
  updated_at timestamptz not null
);
create index messages_due on messages (next_attempt_at) where status in ('queued', 'sending');
create index messages_customer on messages (customer_id, created_at desc, id desc);
-- A campaign's or journey's messages: pause, resume, cancel, completion and the report find them.
create index messages_source on messages (source_id, status) where source_id is not null;
-- The contact-pressure count: a customer's marketing messages sent recently.
create index messages_pressure on messages (customer_id, sent_at) where purpose = 'marketing' and sent_at is not null;

create table message_events (
  id bigint generated always as identity primary key,
  message_id text not null references messages (id) on delete cascade,
  customer_id text,
  status text not null,
  occurred_at timestamptz not null,
  detail jsonb not null default '{}'
);
create index message_events_message on message_events (message_id, id);

-- Addresses never written to again: hard bounces, complaints, dead push subscriptions, blocked bots, by hand.
create table messaging_suppressions (
  kind text not null check (kind in ('email', 'sms', 'push', 'telegram')),
  address text not null,
  reason text not null,
  created_at timestamptz not null,
  primary key (kind, address)
);

-- The contact policy, one row: frequency caps, quiet hours, and what a template knows of the
-- program (its name; the locale and zone of a customer who has none).
create table messaging_policy (
  id integer primary key check (id = 1),
  caps jsonb not null,
  quiet_hours jsonb,
  default_timezone text not null,
  default_locale text not null,
  program_name text not null,
  -- Where links in messages point (tracking, unsubscribe): this server as customers reach it.
  public_url text not null,
  -- Signs those links; made here, never answered.
  link_secret text not null,
  -- The global control group: customers held out of all marketing, redrawn with a new salt.
  global_control_bp integer not null default 0 check (global_control_bp between 0 and 5000),
  global_control_salt text not null,
  global_control_redraw_days integer check (global_control_redraw_days between 1 and 3660),
  global_control_drawn_at timestamptz not null,
  updated_at timestamptz not null
);
insert into messaging_policy (id, caps, quiet_hours, default_timezone, default_locale, program_name, public_url, link_secret, global_control_salt, global_control_drawn_at, updated_at)
values (1, '[]', '{"from": "21:00", "to": "09:00"}', 'UTC', 'ru', 'Patron', 'http://localhost:8080',
  md5(random()::text || clock_timestamp()::text) || md5(random()::text || clock_timestamp()::text), md5(random()::text || clock_timestamp()::text), now(), now());

create table push_subscriptions (
  id text primary key,
  customer_id text not null,
  endpoint text not null unique,
  p256dh text not null,
  auth text not null,
  user_agent text,
  created_at timestamptz not null,
  last_sent_at timestamptz
);
create index push_subscriptions_customer on push_subscriptions (customer_id);

create table telegram_links (
  customer_id text primary key,
  chat_id text not null unique,
  linked_at timestamptz not null
);

create table webhooks (
  id text primary key,
  url text not null,
  description text,
  secret text not null,
  event_types text[] not null,
  active boolean not null default true,
  -- Off unless an owner allows it: a URL typed in must not reach inside our own network.
  allow_private_network boolean not null default false,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table webhook_deliveries (
  id text primary key,
  webhook_id text not null references webhooks (id) on delete cascade,
  event_id text not null,
  event_type text not null,
  payload jsonb not null,
  status text not null check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  response_status integer,
  last_error text,
  created_at timestamptz not null,
  delivered_at timestamptz,
  unique (webhook_id, event_id)
);
create index webhook_deliveries_due on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_webhook on webhook_deliveries (webhook_id, id desc);

-- The webhooks consumer starts at the present: endpoints get the events after they subscribe.
insert into outbox_cursors (name, position, updated_at)
  select 'webhooks', coalesce(max(id), 0), now() from outbox_events;

-- Campaigns: an audience (a segment's members when it starts, or a list), variants each with
-- its channels in fallback order, a holdout control group drawn by hashing each customer with
-- the campaign's salt, a schedule, and the enqueue's progress.
create table campaigns (
  id text primary key,
  name text not null,
  status text not null check (status in ('draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled')),
  audience jsonb not null,
  variants jsonb not null,
  schedule jsonb not null,
  throttle_per_minute integer check (throttle_per_minute > 0),
  control_share_bp integer not null check (control_share_bp between 0 and 9000),
  salt text not null,
  attribution_days integer not null check (attribution_days between 1 and 90),
  audience_size integer,
  control_size integer,
  enqueued integer not null default 0,
  -- The last recipient queued (customer id order): a restarted run carries on after it.
  position text,
  starts_at timestamptz,
  started_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index campaigns_due on campaigns (starts_at) where status in ('scheduled', 'running');

-- The audience as it was when the campaign started, each customer with their arm.
create table campaign_recipients (
  campaign_id text not null references campaigns (id) on delete cascade,
  customer_id text not null,
  arm text not null,
  primary key (campaign_id, customer_id)
);
create index campaign_recipients_customer on campaign_recipients (customer_id);

-- An uploaded audience, kept until the campaign starts and takes its snapshot.
create table campaign_list_members (
  campaign_id text not null references campaigns (id) on delete cascade,
  customer_id text not null,
  primary key (campaign_id, customer_id)
);

-- Journeys: a trigger, then steps (wait, condition, send, award points, personal code, tag,
-- webhook, exit). Each change is a new version; a customer inside keeps the version they entered.
create table journeys (
  id text primary key,
  name text not null,
  status text not null check (status in ('draft', 'active', 'paused', 'archived')),
  version integer not null,
  trigger jsonb not null,
  steps jsonb not null,
  reentry text not null check (reentry in ('never', 'always', 'after_days')),
  reentry_days integer,
  control_share_bp integer not null check (control_share_bp between 0 and 9000),
  salt text not null,
  -- When it was last switched on: events from before then enter no one.
  active_since timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table journey_versions (
  journey_id text not null references journeys (id) on delete cascade,
  version integer not null,
  trigger jsonb not null,
  steps jsonb not null,
  created_at timestamptz not null,
  primary key (journey_id, version)
);

-- A customer's way through a journey: where they are and when they wake; one entry per trigger event.
create table journey_entries (
  id text primary key,
  journey_id text not null references journeys (id) on delete cascade,
  version integer not null,
  customer_id text not null,
  arm text not null check (arm in ('control', 'journey')),
  trigger_key text not null,
  status text not null check (status in ('active', 'completed', 'exited')),
  step_id text,
  wake_at timestamptz,
  locked_until timestamptz,
  context jsonb not null,
  entered_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  unique (journey_id, trigger_key)
);
create index journey_entries_due on journey_entries (wake_at) where status = 'active';
create index journey_entries_customer on journey_entries (customer_id, journey_id, entered_at desc);
-- At most one active entry per customer and journey.
create unique index journey_entries_one_active on journey_entries (journey_id, customer_id) where status = 'active';

-- Each step an entry took, once: a step redone after a crash finds its row and does nothing twice.
create table journey_entry_steps (
  entry_id text not null references journey_entries (id) on delete cascade,
  step_id text not null,
  customer_id text not null,
  outcome text not null,
  detail jsonb not null default '{}',
  at timestamptz not null,
  primary key (entry_id, step_id)
);

-- The journeys consumer starts at the present.
insert into outbox_cursors (name, position, updated_at)
  select 'journeys', coalesce(max(id), 0), now() from outbox_events;
