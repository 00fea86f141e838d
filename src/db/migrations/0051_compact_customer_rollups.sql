-- The fold compacts its per-customer rollups once, when its closing first catches up
-- (loyalty/rollups.ts, compactAfterBackfill). It used to compact the customers' hours alone,
-- leaving the purchases and the baskets at ~4× their live size after a year's catch-up (2.1 GB
-- and 1.5 GB for 1 M customers, where 0.5 GB and 0.4 GB are live): a database that caught up
-- before this compacts all three at its next fold.
update rollup_state set backfilled_at = null where backfilled_at is not null and history_from is not null;
