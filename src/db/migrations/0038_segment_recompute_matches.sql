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
