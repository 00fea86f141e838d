-- Gift cards and stored value (issue 8): money on a card, in its own append-only ledger, apart
-- from points. The card row caches the balance; every change to it is one guarded UPDATE that
-- writes its ledger entry in the same statement (src/modules/gift-cards/gift-card-ledger.ts),
-- so the entries of a card always add up to its balance, and the CHECK below makes an overdraft
-- impossible whatever the interleaving.
create table gift_card_batches (
  id text primary key,
  count integer not null check (count > 0),
  amount_minor bigint not null check (amount_minor >= 0),
  currency text not null,
  prefix text not null default '',
  expires_at timestamptz,
  valid_days integer check (valid_days > 0),
  generated integer not null default 0,
  status text not null check (status in ('queued', 'running', 'completed', 'failed')),
  failure text,
  created_by text,
  created_at timestamptz not null,
  started_at timestamptz,
  finished_at timestamptz,
  heartbeat_at timestamptz
);

create table gift_cards (
  id text primary key,
  -- The secret a holder pays with: upper-case letters and digits as printed (dashes dropped).
  code text not null unique,
  batch_id text references gift_card_batches (id),
  status text not null check (status in ('issued', 'active', 'blocked', 'expired')),
  currency text not null,
  balance_minor bigint not null default 0 check (balance_minor >= 0),
  -- The holder it was sold or given to, if known: informational (a gift card pays for whoever holds it).
  customer_id text,
  expires_at timestamptz,
  -- Days of validity counted from activation, for cards sold later from a stock (a batch).
  valid_days integer check (valid_days > 0),
  activated_at timestamptz,
  blocked_at timestamptz,
  block_reason text,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index gift_cards_batch on gift_cards (batch_id, id) where batch_id is not null;
create index gift_cards_customer on gift_cards (customer_id) where customer_id is not null;
create index gift_cards_expiring on gift_cards (expires_at) where status in ('issued', 'active', 'blocked') and expires_at is not null;

-- The ledger: one row per change of a card's balance, never updated or deleted. amount_minor is
-- signed (money onto the card positive, off it negative); balance_after_minor is the card's
-- balance once the entry applied, so a statement of the card reads without sums.
create table gift_card_entries (
  id bigint generated always as identity primary key,
  card_id text not null references gift_cards (id),
  kind text not null check (kind in ('issue', 'activate', 'redeem', 'refund', 'adjust', 'expire')),
  amount_minor bigint not null,
  balance_after_minor bigint not null check (balance_after_minor >= 0),
  receipt_id text,
  refund_id text,
  reason text,
  actor text,
  idempotency_key text,
  request_hash text,
  created_at timestamptz not null,
  check (case kind
    when 'issue' then amount_minor >= 0
    when 'activate' then amount_minor >= 0
    when 'refund' then amount_minor > 0
    when 'redeem' then amount_minor < 0
    when 'expire' then amount_minor < 0
    else amount_minor <> 0 end)
);
create index gift_card_entries_card on gift_card_entries (card_id, id);
create unique index gift_card_entries_key on gift_card_entries (card_id, idempotency_key) where idempotency_key is not null;
-- A return credits each card once: a replayed or concurrent refund cannot write a second entry.
create unique index gift_card_entries_return on gift_card_entries (card_id, receipt_id, refund_id) where kind = 'refund';

-- What each receipt took from each card, and what returns gave back: returned_minor never passes
-- amount_minor (the CHECK and the guarded UPDATE), so a kopeck goes back at most once.
create table gift_card_payments (
  receipt_id text not null,
  card_id text not null references gift_cards (id),
  seq integer not null,
  customer_id text,
  amount_minor bigint not null check (amount_minor > 0),
  returned_minor bigint not null default 0,
  created_at timestamptz not null,
  primary key (receipt_id, card_id),
  check (returned_minor >= 0 and returned_minor <= amount_minor)
);
create index gift_card_payments_card on gift_card_payments (card_id);
