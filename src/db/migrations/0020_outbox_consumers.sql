-- One way to read the outbox for every consumer (src/platform/outbox-consumer.ts): engagement's
-- action detection was the first, with tables of its own; segments' live membership is the second.
--
-- Outbox ids are identities, which commit out of order: a consumer's cursor only passes events
-- older than a margin, and the newer events it handled already are remembered in outbox_seen.
-- A consumer's migration inserts its cursor where it starts; no row is the outbox's beginning.
create table outbox_cursors (
  name text primary key,
  position bigint not null,
  updated_at timestamptz not null
);

create table outbox_seen (
  consumer text not null,
  outbox_id bigint not null,
  seen_at timestamptz not null,
  primary key (consumer, outbox_id)
);

-- Engagement's detection carries on where it stopped.
insert into outbox_cursors (name, position, updated_at)
  select name, position::bigint, updated_at from engagement_job_state where name = 'detect-customer-actions' and position is not null;
insert into outbox_seen (consumer, outbox_id, seen_at)
  select 'detect-customer-actions', outbox_id, seen_at from engagement_outbox_seen;
delete from engagement_job_state where name = 'detect-customer-actions';
drop table engagement_outbox_seen;
