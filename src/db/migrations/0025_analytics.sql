-- Analytics (issue 10): where customers joined (funnels split by it), and alert rules with the
-- alerts they fired.
alter table customers add column signup_source text;

create table analytics_alert_rules (
  id text primary key,
  name text not null,
  -- 'drop': the day's value below (1 − threshold) × the median of the N days before;
  -- 'weekday_band': the day's value outside median ± k·MAD of the same weekday over N weeks before
  kind text not null check (kind in ('drop', 'weekday_band')),
  kpi text not null,
  group_by text not null check (group_by in ('none', 'store', 'register', 'channel')),
  params jsonb not null,
  timezone text not null,
  active boolean not null default true,
  -- the last day checked by the schedule (null before the first check)
  checked_through date,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table analytics_alerts (
  id text primary key,
  rule_id text not null references analytics_alert_rules (id) on delete cascade,
  day date not null,
  -- the group the value is of ({} in total, {"store": "s1"} …), so one rule fires once a group and day
  group_key jsonb not null,
  kpi text not null,
  value double precision not null,
  message text not null,
  evidence jsonb not null,
  fired_at timestamptz not null,
  unique (rule_id, day, group_key)
);
create index analytics_alerts_fired on analytics_alerts (fired_at desc, id desc);
