-- Acquisition cohorts kept as counts (src/modules/loyalty/rollup-cohort-cells.ts), so a year's
-- cohort report reads a few thousand cells instead of unpacking every customer's purchase hours
-- (~7 M array elements at 1 M customers: 7–23 s measured, against a goal of 5 s).
--
-- A customer's cohort is fixed by their first purchase, so what they add to the report is fixed
-- by their row of rollup_customer_hours: the fold, which alone writes those rows, takes a row's
-- old contribution out and puts its new one in, in the same transaction. A cell is keyed by the
-- day of the first purchase, not its month or week, so any period of whole days is a sum of
-- cells; a grid is the calendar the days, months and weeks are read on (a unit and a zone).

create table rollup_cohort_grids (
  id serial primary key,
  unit text not null check (unit in ('month', 'week')),
  timezone text not null,
  -- Null until the fold has filled its cells from every customer's row (then they are kept).
  built_at timestamptz,
  unique (unit, timezone)
);
-- UTC, the reports' default zone, from the start; a report in another zone asks for its grids.
insert into rollup_cohort_grids (unit, timezone) values ('month', 'UTC'), ('week', 'UTC');

create table rollup_cohort_cells (
  grid_id integer not null references rollup_cohort_grids (id) on delete cascade,
  -- How the cohort is split: none, store, channel or promotion (the one the first receipt got).
  split text not null check (split in ('none', 'store', 'channel', 'promotion')),
  -- The first purchase's day on the grid's clock.
  first_day date not null,
  -- The split's value ('' when not split).
  grp text not null,
  -- Buckets (months or weeks) since the cohort's; -1 holds the cohort's size.
  idx integer not null check (idx >= -1),
  -- Customers counted in the bucket (at their first purchase in it), and their net revenue in it.
  customers bigint not null,
  revenue bigint not null,
  primary key (grid_id, split, first_day, grp, idx)
);
