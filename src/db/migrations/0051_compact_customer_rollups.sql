-- The fold compacts its per-customer rollups once, when its closing first catches up
-- (loyalty/rollups.ts, compactAfterBackfill). It used to compact the customers' hours alone,
-- leaving the purchases and the baskets at 2.2 GB and 1.6 GB after a year's catch-up for 1 M
-- customers, where 0.56 GB and 1.1 GB are live: a database that caught up before this compacts
-- all three at its next fold.
update rollup_state set backfilled_at = null where backfilled_at is not null and history_from is not null;
