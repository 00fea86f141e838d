-- Scheduled reports (issue 10): any analytics report on a schedule, each run's answer kept as
-- JSON and CSV to download (messaging will deliver them by e-mail or webhook).
create table analytics_reports (
  id text primary key,
  name text not null,
  kind text not null check (kind in ('kpis', 'cohorts', 'funnels', 'economics')),
  -- the report's query as its route takes it, less the period (the schedule sets it)
  query jsonb not null,
  -- daily covers yesterday, weekly last Monday to Sunday, monthly last month, as `timezone`'s clock shows them
  schedule text not null check (schedule in ('daily', 'weekly', 'monthly')),
  timezone text not null,
  active boolean not null default true,
  -- when the period the next run covers has ended; an instance claims a run by moving it on
  next_run_at timestamptz not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index analytics_reports_due on analytics_reports (next_run_at) where active;

create table analytics_report_runs (
  id text primary key,
  report_id text not null references analytics_reports (id) on delete cascade,
  period_from date not null,
  period_to date not null,
  trigger text not null check (trigger in ('schedule', 'request')),
  status text not null check (status in ('completed', 'failed')),
  result jsonb,
  csv text,
  failure text,
  created_at timestamptz not null
);
create index analytics_report_runs_report on analytics_report_runs (report_id, id desc);
-- A schedule covers a period once, however many instances or retries.
create unique index analytics_report_runs_scheduled on analytics_report_runs (report_id, period_from, period_to) where trigger = 'schedule';
