-- A merged customer's balance row stays, emptied, naming the survivor: a writer that locked the
-- merged record in a race with the merge (it had identified the customer just before) learns
-- from the lock's own answer that the points belong to the survivor, and goes there.
alter table point_balances add column merged_into text;
