-- The marks of changes to closed hours are few in the normal course, but a historical load writes
-- one a receipt, and the fold deletes them as it repairs: the table keeps its pages, empty (VACUUM
-- does not give back empty pages it skips as all-visible). Every report and segment condition
-- asks first whether marks are pending (loyalty/rollups.ts, rollupsForReport), which was a scan of
-- every page: 0.2 s for 101 MB of empty pages after a year's load of 10 M receipts, on every ask.
-- By this index it is a look at the index's first entry.
create index rollup_dirty_hour on rollup_dirty (hour);
