-- Engagement (issue 8): bonuses for actions and birthday offers.
--
-- Customer events are append-only: a row per accepted event, keyed by the caller's eventId (a
-- replay finds it). Patron's own events (customer.joined, profile.completed,
-- consent.marketing_given, app.first_login) use deterministic ids ('auto:<type>:<customerId>'),
-- so each happens at most once per customer record however often it is detected.
create table action_rules (
  id text primary key,
  name text not null,
  event_type text not null,
  points integer not null check (points > 0),
  status text not null check (status in ('active', 'paused', 'archived')),
  valid_from timestamptz,
  valid_to timestamptz,
  once_per_customer boolean not null default false,
  per_customer_per_day integer check (per_customer_per_day > 0),
  per_customer_total integer check (per_customer_total > 0),
  -- the points budget across every customer, and what was given from it: the guarded UPDATE
  -- (budget_used + points <= total_points) and this CHECK keep it from ever being passed
  total_points bigint check (total_points > 0),
  budget_used bigint not null default 0 check (budget_used >= 0),
  conditions jsonb not null default '{}',
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint action_rules_window check (valid_from is null or valid_to is null or valid_from < valid_to),
  constraint action_rules_within_budget check (total_points is null or budget_used <= total_points)
);
create index action_rules_active on action_rules (event_type) where status = 'active';

create table customer_events (
  event_id text primary key,
  customer_id text not null,
  type text not null,
  -- erased with the customer (a review's text is personal data); the row stays for the ledger
  properties jsonb not null default '{}',
  occurred_at timestamptz not null,
  received_at timestamptz not null,
  -- sha-256 of {type, properties, occurredAt}: a replay with another body is refused
  request_hash text not null,
  source text not null check (source in ('api', 'patron'))
);
create index customer_events_customer on customer_events (customer_id, received_at desc, event_id desc);

-- What each event earned from each rule: the answer a replay repeats. Points are in the ledger
-- (reference = event_id); this is the rule's side of it.
create table action_awards (
  event_id text not null references customer_events (event_id),
  rule_id text not null references action_rules (id),
  customer_id text not null,
  points integer not null check (points > 0),
  awarded_at timestamptz not null,
  primary key (event_id, rule_id)
);
create index action_awards_customer on action_awards (customer_id, rule_id);

-- Guarded counters: "once ever", "N in all" and "N a day" are one upsert each,
-- ON CONFLICT DO UPDATE … WHERE awards < limit, so concurrent events of one customer take turns
-- on the row and the limit holds under any interleaving.
create table action_rule_counts (
  customer_id text not null,
  rule_id text not null references action_rules (id),
  awards integer not null check (awards >= 0),
  points bigint not null check (points >= 0),
  primary key (customer_id, rule_id)
);
create index action_rule_counts_rule on action_rule_counts (rule_id);

create table action_rule_daily_counts (
  customer_id text not null,
  rule_id text not null references action_rules (id),
  -- the day in the customer's timezone (UTC when none) when Patron received the event
  day date not null,
  awards integer not null check (awards >= 0),
  primary key (customer_id, rule_id, day)
);

-- The birthday offer's setting: one versioned row.
create table birthday_offer_settings (
  id boolean primary key default true check (id),
  body jsonb not null,
  version integer not null,
  updated_at timestamptz not null
);

-- One offer per customer per year: the partial unique index is the guarantee (a missed run, a
-- second instance or a retry cannot issue another). A merge moves the duplicate's offers to the
-- survivor; one for a year the survivor already has keeps merged_from and stays out of the index.
create table birthday_offers (
  id text primary key,
  customer_id text not null,
  year integer not null,
  -- the day celebrated that year (28 February for a 29 February birthday in other years) and the
  -- offer's window; null once the customer is erased (they reveal the birth date)
  birthday date,
  valid_from timestamptz,
  valid_to timestamptz,
  kind text not null check (kind in ('points', 'promo_code')),
  points integer check (points > 0),
  promotion_id text,
  code text,
  merged_from text,
  issued_at timestamptz not null
);
create unique index birthday_offers_once_a_year on birthday_offers (customer_id, year) where merged_from is null;

-- Where the scheduled jobs stopped: the outbox consumer's cursor, the birthday walk's last customer.
create table engagement_job_state (
  name text primary key,
  position text,
  day date,
  updated_at timestamptz not null
);

-- Outbox events above the cursor already handled (identity ids commit out of order, so the cursor
-- only passes events older than a margin; newer ones are remembered here until it does).
create table engagement_outbox_seen (
  outbox_id bigint primary key,
  seen_at timestamptz not null
);

-- Off until a marketer turns it on: 500 points, valid for the birthday and the week after.
insert into birthday_offer_settings (id, body, version, updated_at) values
  (true, '{"enabled": false, "benefit": {"kind": "points", "points": 500}, "daysBefore": 0, "daysAfter": 7, "defaultTimezone": "UTC"}', 1, now());

-- Customers who joined before this migration joined before bonuses for actions existed: the
-- outbox consumer starts after the events already there, not at the beginning of history.
insert into engagement_job_state (name, position, day, updated_at)
  select 'detect-customer-actions', coalesce(max(id), 0)::text, null, now() from outbox_events;
