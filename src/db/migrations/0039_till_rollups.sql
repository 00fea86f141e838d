-- Rollups of the receipts and the points ledger, kept by loyalty (src/modules/loyalty/rollups.ts),
-- which the analytics reports read instead of a year of raw receipts and ledger entries
-- (docs/performance.md has the figures).
--
-- The rollups hold every fact of the hours before `closed_until` (an hour boundary in UTC): a
-- report reads them for its closed hours and scans the raw rows from `closed_until` on, so the
-- current hour (and whatever the job has not closed yet) is always counted live. Hours are the
-- grain because a report's day starts at midnight in its own time zone: every zone with a whole
-- hour's offset cuts its days on hour boundaries. Hours are numbered from 1970 (epoch ÷ 3600).
-- (Sizes at 1 M customers / 10 M receipts: ~17,000 hour rows a year, ~1 M customer rows.)

create table rollup_state (
  id boolean primary key default true check (id),
  -- Every fact before this instant is in the rollups; null: nothing folded yet (reports read raw rows).
  closed_until timestamptz,
  -- Where a backfill over existing history began (the first fact's hour), for its progress.
  history_from timestamptz,
  -- When the closing first caught up with the clock (the backfill's end, after which the
  -- customers' table is compacted once: each backfill step rewrote every buyer's row).
  backfilled_at timestamptz,
  folded_at timestamptz
);
insert into rollup_state (id) values (true);

-- Additive receipt figures per hour and channel (a receipt counts as the KPIs count it: confirmed
-- and still holding a line not wholly returned; money net of refunds). By channel only: the
-- till's recognition rate needs it, and a finer key (300 registers) made a row of nearly every
-- receipt; grouped and filtered reports read the raw rows.
create table rollup_receipt_hours (
  hour integer not null,
  channel text not null,
  receipts bigint not null,
  identified bigint not null,
  revenue_minor bigint not null,
  gross_minor bigint not null,
  discount_minor bigint not null,
  redeemed_minor bigint not null,
  units_milli bigint not null,
  primary key (hour, channel)
);

create table rollup_point_hours (
  hour integer not null,
  kind text not null,
  at_till boolean not null,
  -- sum of available_delta + pending_delta, and of available_delta alone (what a redemption takes)
  points bigint not null,
  available bigint not null,
  primary key (hour, kind, at_till)
);

-- Per customer, their closed history as sorted arrays: the hour of each purchase (repeated for
-- two in one hour) with what it paid net of refunds, and the hours they earned, were awarded or
-- redeemed points. How many purchases fall in any hour-aligned period is two binary searches
-- (width_bucket, in C, no unpacking), so distinct, repeat, new and retained buyers and active
-- members of a year read one row a customer instead of every receipt.
create table rollup_customer_hours (
  customer_id text primary key,
  purchase_hours int4[] not null,
  purchase_net bigint[] not null,
  points_hours int4[] not null,
  -- The first purchase ever (the cohorts' acquisition): its instant, receipt, store and channel (earliest, then lowest id).
  first_at timestamptz,
  first_receipt_id text,
  first_store_id text,
  first_channel text
);

-- Hours (and their customers) whose facts changed after the hour had closed: a refund, a
-- cancel, a merge, a receipt or ledger entry written for a past hour (historical loads). The
-- triggers below append one row per hour and customer a statement touched; the fold recomputes
-- those hours and customers and deletes the rows it saw. Append-only (no upsert), so a row and
-- the change it marks commit together and the fold never deletes a mark whose change it missed.
create table rollup_dirty (
  id bigint generated always as identity primary key,
  hour integer not null,
  customer_id text
);

-- A write for the current hour (every till's confirm) is not marked: the fold closes an hour only
-- once no transaction that began before the hour's end is still running (loyalty/rollups.ts), and such a
-- write's transaction began before its hour ended. So only writes for hours that had ended when
-- their transaction began are marked, and the hot path's statements insert nothing here.
create function rollup_mark_receipts() returns trigger language plpgsql as $$
begin
  if tg_op in ('UPDATE', 'DELETE') then
    insert into rollup_dirty (hour, customer_id)
      select distinct floor(extract(epoch from o.occurred_at) / 3600)::int, o.customer_id from old_rows o
      where o.occurred_at < date_trunc('hour', now());
  end if;
  if tg_op in ('UPDATE', 'INSERT') then
    insert into rollup_dirty (hour, customer_id)
      select distinct floor(extract(epoch from n.occurred_at) / 3600)::int, n.customer_id from new_rows n
      where n.occurred_at < date_trunc('hour', now());
  end if;
  return null;
end $$;

create trigger rollup_receipts_insert after insert on receipts
  referencing new table as new_rows for each statement execute function rollup_mark_receipts();
create trigger rollup_receipts_update after update on receipts
  referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_receipts();
create trigger rollup_receipts_delete after delete on receipts
  referencing old table as old_rows for each statement execute function rollup_mark_receipts();

-- A line's refunded quantity decides whether its receipt still counts and its units.
create function rollup_mark_lines() returns trigger language plpgsql as $$
begin
  insert into rollup_dirty (hour, customer_id)
    select distinct floor(extract(epoch from r.occurred_at) / 3600)::int, r.customer_id
    from receipts r where r.id in (select o.receipt_id from old_rows o)
      and r.occurred_at < date_trunc('hour', now());
  return null;
end $$;

create trigger rollup_lines_update after update on receipt_lines
  referencing old table as old_rows for each statement execute function rollup_mark_lines();
create trigger rollup_lines_delete after delete on receipt_lines
  referencing old table as old_rows for each statement execute function rollup_mark_lines();

create trigger rollup_entries_insert after insert on point_entries
  referencing new table as new_rows for each statement execute function rollup_mark_receipts();
create trigger rollup_entries_update after update on point_entries
  referencing old table as old_rows new table as new_rows for each statement execute function rollup_mark_receipts();
create trigger rollup_entries_delete after delete on point_entries
  referencing old table as old_rows for each statement execute function rollup_mark_receipts();

-- The fold reads a closing hour's ledger entries, and a report the entries since `closed_until`.
create index point_entries_occurred on point_entries (occurred_at);

-- The economics' state of the lots now (not a flow, so no rollup): what is outstanding by the
-- month it expires, and the history breakage is estimated from, each read from an index alone
-- instead of every lot (three passes over 1.3 GB of lots took 8–13 s at 7 M lots).
create index point_lots_outstanding on point_lots (expires_at) include (remaining) where expired_at is null and remaining > 0;
create index point_lots_settling on point_lots (expires_at) include (points) where source <> 'return';
create index point_entries_expired on point_entries (customer_id, lot_id) include (available_delta, pending_delta) where kind = 'expire';
