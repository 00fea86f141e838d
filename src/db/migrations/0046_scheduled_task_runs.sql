-- When each daily task last finished, kept by the database rather than by the process: a restart
-- used to run every daily task again at once (at 1 M customers an RFM run, every segment's
-- recompute and the recommendations' rebuild, a quarter of an hour of work), and a process
-- restarted more often than daily ran them at every start. A daily task now runs when its last
-- finish is older than its interval, whichever instance or process ran it.
create table scheduled_task_runs (
  name text primary key,
  last_finished_at timestamptz not null
);
