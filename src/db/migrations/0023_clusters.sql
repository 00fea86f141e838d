-- Customer clusters (issue 9): k-means over each customer's purchase behaviour, k chosen by
-- silhouette, each cluster's stability measured by re-clustering bootstrap samples. A run is a
-- background job; its clusters and every customer's cluster are kept, the latest completed run's
-- rows are what the customer view and the `cluster` segment field read.
create table cluster_runs (
  id text primary key,
  status text not null check (status in ('running', 'completed', 'failed')),
  -- where the run is: features (loading), selecting (k by silhouette), stability (bootstrap), assigning (every customer), done
  phase text not null check (phase in ('features', 'selecting', 'stability', 'assigning', 'done')),
  -- the settings it ran with (window, k range, seed, bootstrap samples, threshold, sample sizes)
  params jsonb not null,
  -- customers with a purchase in the window, and how many have been given a cluster so far
  customers integer not null default 0,
  processed integer not null default 0,
  chosen_k integer,
  -- [{"k": 2, "silhouette": 0.41}, …]: the mean silhouette of each k tried
  silhouettes jsonb,
  -- the features, their means and spreads, the bootstrap's mean adjusted Rand index
  summary jsonb,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index cluster_runs_completed on cluster_runs (finished_at desc) where status = 'completed';
-- One run at a time: a second start answers the running one (two starts racing meet here).
create unique index cluster_runs_one_running on cluster_runs (status) where status = 'running';

-- The clusters of a run: numbered 1… by size (largest first).
create table clusters (
  run_id text not null references cluster_runs (id) on delete cascade,
  cluster integer not null,
  size integer not null,
  -- what its customers spent in the window, net of refunds, in minor units
  revenue_minor bigint not null,
  -- {"feature": mean in the feature's own units}, and the same as z-scores against all customers
  centroid jsonb not null,
  z_scores jsonb not null,
  description text not null,
  -- mean Jaccard similarity of the cluster to its best match over the bootstrap re-clusterings
  stability double precision not null,
  unstable boolean not null,
  primary key (run_id, cluster)
);

-- Each customer's cluster in a run (the runs before the latest completed one are cleared when it completes).
create table customer_clusters (
  customer_id text not null,
  run_id text not null references cluster_runs (id) on delete cascade,
  cluster integer not null,
  primary key (customer_id, run_id)
);
create index customer_clusters_run on customer_clusters (run_id, cluster);
