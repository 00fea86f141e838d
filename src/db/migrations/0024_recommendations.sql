-- Next-best-offer (issue 9, part 4): an item-to-item co-purchase model over baskets (receipts),
-- rebuilt by a run that also evaluates it against a popularity baseline on a time holdout.
-- Items are SKUs (kind 'sku') or the lines' category paths (kind 'category').

-- A run: a resumable background job in phases; a killed run starts again from its start.
create table recommendation_runs (
  id text primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  -- the phase under way (or the last one, once finished)
  phase text not null check (phase in ('queued', 'model', 'holdout-model', 'evaluation', 'done')),
  phases_done integer not null default 0,
  -- the run's "now": windows end here, so a restarted run builds the same model
  as_of timestamptz not null,
  window_days integer not null,
  holdout_days integer not null,
  top_n integer not null,
  min_pair_count integer not null,
  neighbours integer not null,
  -- what the served model saw (SKU level)
  baskets integer,
  items integer,
  pairs integer,
  category_pairs integer,
  -- the holdout evaluation: customers with purchases before and after the cut, and how many of
  -- them bought one of their top N (model and popularity baseline), by SKU and by category
  evaluated_customers integer,
  model_hits integer,
  popularity_hits integer,
  category_evaluated_customers integer,
  category_model_hits integer,
  category_popularity_hits integer,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index recommendation_runs_started on recommendation_runs (started_at desc);
-- One run at a time (a second start answers the running one).
create unique index recommendation_runs_one_running on recommendation_runs ((true)) where status = 'running';
create index recommendation_runs_completed on recommendation_runs (finished_at desc) where status = 'completed';

-- Each item of a model: in how many baskets it was (support's numerator) and by how many
-- distinct customers it was bought (the popularity baseline's order).
create table recommendation_items (
  run_id text not null references recommendation_runs (id) on delete cascade,
  -- 'serve': the model the API answers from; 'holdout': the one trained before the cut
  model text not null check (model in ('serve', 'holdout')),
  kind text not null check (kind in ('sku', 'category')),
  item text not null,
  basket_count integer not null,
  customer_count integer not null,
  support double precision not null,
  popularity_rank integer not null,
  primary key (run_id, model, kind, item)
);
-- The popularity baseline: the first N by rank, one index range.
create index recommendation_items_popular on recommendation_items (run_id, model, kind, popularity_rank);

-- Item pairs bought in one basket (A then B: a rule A → B), only the top neighbours of each A.
create table recommendation_pairs (
  run_id text not null references recommendation_runs (id) on delete cascade,
  model text not null check (model in ('serve', 'holdout')),
  kind text not null check (kind in ('sku', 'category')),
  item_a text not null,
  item_b text not null,
  pair_count integer not null,
  support double precision not null,
  confidence double precision not null,
  lift double precision not null,
  -- B's place among A's neighbours by confidence (1 = strongest)
  rank integer not null,
  -- the per-customer query reads a customer's bought items' neighbours by (…, item_a)
  primary key (run_id, model, kind, item_a, item_b)
);
