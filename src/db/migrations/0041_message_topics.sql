-- Subscription topics (issue 12): the marketer names topics ("news", "offers", "surveys"); a
-- template may name one; a customer keeps a channel and leaves a topic. The topics are
-- messaging's; a customer's choices are customers', recorded like consents: appended with
-- their source and evidence, never rewritten, the latest per topic is the current one.

create table message_topics (
  key text primary key check (key ~ '^[a-z0-9][a-z0-9_-]{0,59}$'),
  -- {"ru": …, "en": …}: what the preference centre shows.
  name jsonb not null,
  description jsonb not null default '{}',
  -- Whether a customer who never chose is subscribed (opt-out topics) or not (opt-in).
  default_subscribed boolean not null,
  created_at timestamptz not null,
  updated_at timestamptz not null
);

create table topic_events (
  id text not null,
  customer_id text not null references customers (id),
  topic text not null,
  subscribed boolean not null,
  -- Where the customer chose: the account page, a message's preference centre, the API, an operator.
  source text not null check (source in ('account', 'preference_centre', 'api', 'operator', 'import')),
  occurred_at timestamptz not null,
  recorded_at timestamptz not null,
  evidence jsonb not null default '{}',
  primary key (customer_id, id)
);
create index topic_events_current on topic_events (customer_id, topic, occurred_at desc, id desc);
