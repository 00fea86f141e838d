-- Predicted customer lifetime value (issue 10): BG/NBD for how many purchases a customer will
-- make, Gamma-Gamma for how much each will be, fitted on every customer's purchase summary
-- (x, t_x, T, mean repeat spend). A fit is a background job; its parameters and the distribution
-- of the predictions are kept on the run, every customer's prediction in customer_clv. The latest
-- completed fit's rows are what the customer view and the `clv.*` segment fields read.
create table clv_runs (
  id text primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  -- summary (reading purchases), fitting (both models), predicting (every customer), writing (storing them), done
  phase text not null check (phase in ('summary', 'fitting', 'predicting', 'writing', 'done')),
  -- the settings it ran with: calibration end (a date), unit, horizon, discount rate, margin, seed, minimum repeat customers
  params jsonb not null,
  -- customers with a purchase by the calibration end; those with a purchase on a later day; rows written so far
  customers integer not null default 0,
  repeat_customers integer not null default 0,
  processed integer not null default 0,
  -- {"bgnbd": {r, alpha, a, b, logLikelihood}, "gammaGamma": {p, q, v, logLikelihood}, "distribution": …}
  result jsonb,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index clv_runs_completed on clv_runs (finished_at desc) where status = 'completed';
-- One fit at a time: a second start answers the running one (two starts racing meet here).
create unique index clv_runs_one_running on clv_runs (status) where status = 'running';

-- Each customer's prediction in a fit (the fits before the latest completed one are cleared when it completes).
create table customer_clv (
  customer_id text not null,
  run_id text not null references clv_runs (id) on delete cascade,
  -- the summary it was predicted from: repeat purchase days, days from the first purchase to the last and to the calibration end
  x integer not null,
  recency_days integer not null,
  age_days integer not null,
  expected_purchases double precision not null,
  p_alive double precision not null,
  -- money in minor units, rounded half away from zero from the model's float
  expected_spend_minor bigint not null,
  clv_minor bigint not null,
  primary key (customer_id, run_id)
);
create index customer_clv_run on customer_clv (run_id);
