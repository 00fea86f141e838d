-- What-if replay of rule changes (issue 10): the last N days of receipts run through the
-- checkout pipeline under changed earning rules, tiers and promotions, writing nothing but this
-- run's row. A run is a background job: it keeps where it stands (the last receipt done) and its
-- running sums in the row, batch by batch, so a stopped process resumes it where it stopped.
create table what_if_runs (
  id text primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  -- counting: how many receipts the window holds; replaying: a batch at a time (processed counts them); done
  phase text not null check (phase in ('counting', 'replaying', 'done')),
  days integer not null,
  -- the purchases replayed: occurred_at in [window_from, window_to), fixed when the run was asked for
  window_from timestamptz not null,
  window_to timestamptz not null,
  -- what was changed, as asked: {"rules": bool, "tiers": bool, "promotions": n}
  changes jsonb not null,
  -- the live configuration and the changed one, resolved when the run was asked for, so a resumed run replays the same
  baseline jsonb not null,
  scenario jsonb not null,
  receipts integer not null default 0,
  processed integer not null default 0,
  -- {"at": occurred_at as text, "id": receipt id}: the last receipt added to sums
  cursor jsonb,
  -- the running sums: in total, by store and by tier, actual and what-if
  sums jsonb not null,
  -- the report, once done
  result jsonb,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index what_if_runs_running on what_if_runs (status) where status = 'running';
