-- Gift cards (issue 8), follow-ups of the review.
--
-- Issuing a card or a batch honours an Idempotency-Key: the key is claimed in the same
-- transaction as the card or batch it makes (a second request with the key waits on this primary
-- key, then finds it taken and answers the first card or batch; another body under the key is a
-- 409). Keys are per operation ('issue' one card, 'batch'), shared by all API keys.
create table gift_card_requests (
  operation text not null check (operation in ('issue', 'batch')),
  idempotency_key text not null,
  request_hash text not null,
  -- the card (gcd_…) or batch (gcb_…) the first request made
  entity_id text not null,
  created_at timestamptz not null,
  primary key (operation, idempotency_key)
);

-- Every customer merge moves the duplicate's gift-card payments by customer_id (gift-cards index.ts).
create index gift_card_payments_customer on gift_card_payments (customer_id) where customer_id is not null;

-- The expiry job takes off what a return put back on an already expired card (gift-card-ledger.ts expireDue).
create index gift_cards_expired_holding on gift_cards (expires_at) where status = 'expired' and balance_minor > 0;
