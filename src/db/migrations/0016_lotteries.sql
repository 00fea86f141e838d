-- Lotteries (issue 8): entries earned in a period by spend and by customer actions, drawn by a
-- provably fair algorithm (src/modules/lotteries/fair-draw.ts, docs/lotteries.md). The seed is
-- made when the lottery is and kept secret until the draw; its SHA-256 (the commitment) is
-- public from the start. The draw freezes the entries, reveals the seed and records the winners,
-- all in one transaction, once.
create table lotteries (
  id text primary key,
  name text not null,
  description text,
  state text not null check (state in ('open', 'drawn', 'cancelled')),
  entry_from timestamptz not null,
  entry_to timestamptz not null,
  rules jsonb not null,
  prizes jsonb not null,
  algorithm text not null,
  seed text not null check (seed ~ '^[0-9a-f]{64}$'),
  commitment text not null check (commitment ~ '^[0-9a-f]{64}$'),
  entries_digest text,
  entrants integer,
  total_entries bigint,
  version integer not null default 1,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  drawn_at timestamptz,
  check (entry_from < entry_to),
  check ((state = 'drawn') = (drawn_at is not null and entries_digest is not null))
);
create index lotteries_state on lotteries (state, id);

-- The entries the draw froze, in customer-id order: the list entries_digest hashes. The id is
-- compared as bytes (collate "C", the order of the published algorithm), so the key's index
-- pages the list in that order.
create table lottery_entries (
  lottery_id text not null references lotteries (id),
  customer_id text collate "C" not null,
  entries bigint not null check (entries > 0),
  first_ticket bigint not null check (first_ticket >= 0),
  spend_entries bigint not null check (spend_entries >= 0),
  action_entries bigint not null check (action_entries >= 0),
  primary key (lottery_id, customer_id)
);
create index lottery_entries_customer on lottery_entries (customer_id);

-- One row per prize slot won. A prize with a reward is issued through the rewards module in the
-- draw's transaction (granted, with its order); without the rewards service it waits (pending).
create table lottery_winners (
  lottery_id text not null references lotteries (id),
  slot integer not null check (slot >= 0),
  prize_index integer not null check (prize_index >= 0),
  customer_id text not null,
  ticket bigint not null check (ticket >= 0),
  attempts integer not null check (attempts >= 1),
  reward_id text,
  prize_status text not null check (prize_status in ('granted', 'pending', 'failed', 'no_reward')),
  order_id text,
  failure text,
  primary key (lottery_id, slot),
  unique (lottery_id, customer_id)
);
create index lottery_winners_customer on lottery_winners (customer_id);

-- The draw counts accepted customer events (the engagement module's customer.action outbox
-- events) by type and customer: this keeps that an index scan as the outbox grows.
create index outbox_events_customer_actions on outbox_events ((payload->>'type'), customer_id) where type = 'customer.action';
