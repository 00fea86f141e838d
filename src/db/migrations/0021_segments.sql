-- Segments (issue 9): a rule tree compiled to one SQL query; membership stored, kept live by the
-- outbox consumer (segments' membership job) and rebuilt by recomputes.
create table segments (
  id text primary key,
  name text not null,
  description text,
  -- the rule tree: {"all": […]}, {"any": […]}, {"not": …} and conditions {"field", "op", "value", …}
  rules jsonb not null,
  version integer not null,
  member_count integer not null default 0,
  -- when the last full recompute finished (null before the first)
  computed_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index segments_name on segments (lower(name));

create table segment_members (
  segment_id text not null references segments (id) on delete cascade,
  customer_id text not null,
  entered_at timestamptz not null,
  primary key (segment_id, customer_id)
);
-- The checkout's membership provider and the customer view: a customer's segments, one index read.
create index segment_members_customer on segment_members (customer_id);

-- Every entry and exit, with its time and cause; kept when the customer leaves (never personal data).
create table segment_changes (
  id bigint generated always as identity,
  segment_id text not null references segments (id) on delete cascade,
  customer_id text not null,
  change text not null check (change in ('entered', 'left')),
  cause text not null check (cause in ('recompute', 'event')),
  at timestamptz not null,
  -- with customer_id, so the table can be distributed by it (docs/scale-out.md)
  primary key (customer_id, id)
);
create index segment_changes_segment on segment_changes (segment_id, id);

-- A recompute: a resumable job walking the customers in id order, a page at a time.
create table segment_recomputes (
  id text primary key,
  segment_id text not null references segments (id) on delete cascade,
  status text not null check (status in ('running', 'completed', 'failed')),
  -- the last customer id of the last page written (null before the first)
  position text,
  total integer not null,
  processed integer not null default 0,
  entered integer not null default 0,
  left_count integer not null default 0,
  failure text,
  requested_by text,
  started_at timestamptz not null,
  finished_at timestamptz
);
create index segment_recomputes_segment on segment_recomputes (segment_id, started_at desc);
create index segment_recomputes_running on segment_recomputes (started_at) where status = 'running';

-- Live membership reads the outbox from now on: older events were before segments existed.
insert into outbox_cursors (name, position, updated_at)
  select 'segment-membership', coalesce(max(id), 0), now() from outbox_events;
