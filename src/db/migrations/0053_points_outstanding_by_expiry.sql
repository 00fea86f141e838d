-- What is outstanding by the month it expires, kept as it changes instead of summed over every
-- outstanding lot at each read: the economics' liability by expiry month read 6.3 M index entries
-- (1.5–2.2 s at 1 M customers) for thirteen numbers.
--
-- A lot counts while it has not expired and has points left: `remaining` of a lot whose
-- `expired_at` is null, under the month of `expires_at` in UTC ('YYYY-MM'), or 'never'.
-- A statement-level trigger appends the net change of every statement that touches lots, a row
-- a customer and month (so the till's confirm adds one small insert, and no row is contended: it
-- is an append; the customer's id places the row with the lot's on Citus, docs/scale-out.md); the live fold (loyalty/points-economics.ts, foldOutstandingChanges) moves the changes
-- into the totals and deletes them in one statement, so a reader summing both in one statement
-- sees every committed change exactly once.
create table points_outstanding_by_expiry (
  month text primary key,
  points bigint not null
);

create table points_outstanding_changes (
  id bigint generated always as identity primary key,
  customer_id text not null,
  month text not null,
  points bigint not null
);

create function points_outstanding_track() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    insert into points_outstanding_changes (customer_id, month, points)
      select n.customer_id, coalesce(to_char(n.expires_at at time zone 'UTC', 'YYYY-MM'), 'never'), sum(n.remaining)
      from new_rows n where n.expired_at is null and n.remaining > 0
      group by 1, 2;
  elsif tg_op = 'UPDATE' then
    insert into points_outstanding_changes (customer_id, month, points)
      select c.customer_id, c.month, sum(c.points) from (
        select o.customer_id, coalesce(to_char(o.expires_at at time zone 'UTC', 'YYYY-MM'), 'never') as month, -o.remaining::bigint as points
        from old_rows o where o.expired_at is null and o.remaining > 0
        union all
        select n.customer_id, coalesce(to_char(n.expires_at at time zone 'UTC', 'YYYY-MM'), 'never'), n.remaining::bigint
        from new_rows n where n.expired_at is null and n.remaining > 0
      ) c group by c.customer_id, c.month having sum(c.points) <> 0;
  else
    insert into points_outstanding_changes (customer_id, month, points)
      select o.customer_id, coalesce(to_char(o.expires_at at time zone 'UTC', 'YYYY-MM'), 'never'), -sum(o.remaining)
      from old_rows o where o.expired_at is null and o.remaining > 0
      group by 1, 2;
  end if;
  return null;
end $$;

create trigger points_outstanding_insert after insert on point_lots
  referencing new table as new_rows for each statement execute function points_outstanding_track();
create trigger points_outstanding_update after update on point_lots
  referencing old table as old_rows new table as new_rows for each statement execute function points_outstanding_track();
create trigger points_outstanding_delete after delete on point_lots
  referencing old table as old_rows for each statement execute function points_outstanding_track();

-- What is outstanding now, from the lots (in the same transaction as the trigger's creation, so no
-- change falls between the two).
insert into points_outstanding_by_expiry (month, points)
  select coalesce(to_char(l.expires_at at time zone 'UTC', 'YYYY-MM'), 'never'), sum(l.remaining)
  from point_lots l where l.expired_at is null and l.remaining > 0
  group by 1;
