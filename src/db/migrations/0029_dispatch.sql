-- Several instances on one database (src/platform/leases.ts, outbox-consumer.ts): a lease says
-- which instance runs a scheduled job or reads an outbox consumer now, so two never run one at
-- once; a lease whose holder died runs out and another instance takes it. Times are the
-- database's (clock_timestamp()), one clock for every instance whatever their own say.
create table leases (
  name text primary key,
  holder text not null,
  expires_at timestamptz not null,
  acquired_at timestamptz not null
);

-- Events a consumer failed to handle: retried with backoff, each apart from the rest of the
-- stream (the consumer's cursor moves on), and after the last attempt kept as a dead letter
-- until an owner has it retried.
create table outbox_failures (
  consumer text not null,
  outbox_id bigint not null,
  attempts integer not null check (attempts > 0),
  first_failed_at timestamptz not null,
  next_attempt_at timestamptz not null,
  last_error text not null,
  dead_at timestamptz,
  primary key (consumer, outbox_id)
);
create index outbox_failures_due on outbox_failures (consumer, next_attempt_at) where dead_at is null;
