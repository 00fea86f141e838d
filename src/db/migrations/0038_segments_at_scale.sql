-- A recompute first finds every customer the rules match in one statement over everyone (purchase
-- conditions become one pass over the window's receipts), kept here until its pages have written
-- the difference; `events_after` is the live-membership cursor when it did, so a page looks afresh
-- at the customers that events named since (live membership may have written them meanwhile).
create table segment_recompute_matches (
  recompute_id text not null references segment_recomputes (id) on delete cascade,
  customer_id text not null,
  primary key (recompute_id, customer_id)
);
alter table segment_recomputes add column matched_at timestamptz;
alter table segment_recomputes add column events_after bigint;
-- The rules the matches were found for: a save of new rules during the recompute has it find them again.
alter table segment_recomputes add column matched_rules jsonb;

-- A run's scores keyed run first: a run writes its million rows at the index's right edge (run ids
-- grow with time) instead of splitting every page of an index sorted by customer, and a
-- customer's score in the current run is still one index read (the run's id, then theirs).
-- The run's index by group went with it: the report reads a run's scores in one grouped pass.
alter table rfm_scores drop constraint rfm_scores_pkey;
alter table rfm_scores add primary key (run_id, customer_id);
drop index rfm_scores_run;
