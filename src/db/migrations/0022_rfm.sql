-- RFM (issue 9): recency, frequency and monetary quintile scores of every customer who bought in
-- a window, their named group, and the report of each run (the 5×5 grid, the groups, the moves
-- between groups since the run before).
create table rfm_runs (
  id text primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  window_days integer not null check (window_days between 1 and 3660),
  -- the instant the scores are about: purchases in [as_of − window, as_of)
  as_of timestamptz not null,
  phase text not null check (phase in ('scoring', 'reporting', 'done')),
  scored integer not null default 0,
  -- the report written when the run completes: grid, groups, score ranges, transitions
  report jsonb,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz,
  -- the run segments, the customer view and the report read (one at most)
  is_current boolean not null default false
);
create unique index rfm_runs_current on rfm_runs (is_current) where is_current;
-- One run at a time: a second request is answered with the one under way.
create unique index rfm_runs_running on rfm_runs (status) where status = 'running';
create index rfm_runs_started on rfm_runs (started_at desc);

-- A run's scores, one row per customer who bought in its window; the current run's and the one
-- before it are kept (the transitions compare them), older runs' rows are deleted.
create table rfm_scores (
  customer_id text not null,
  run_id text not null references rfm_runs (id) on delete cascade,
  recency_days integer not null,
  frequency integer not null,
  monetary_minor bigint not null,
  r smallint not null check (r between 1 and 5),
  f smallint not null check (f between 1 and 5),
  m smallint not null check (m between 1 and 5),
  rfm_group text not null,
  -- customer first: a customer's scores are one index read (segments, the customer view) and the
  -- table distributes by customer_id (docs/scale-out.md)
  primary key (customer_id, run_id)
);
create index rfm_scores_run on rfm_scores (run_id, rfm_group);
