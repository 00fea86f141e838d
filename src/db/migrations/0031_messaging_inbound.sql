-- What comes back to messaging from outside (src/modules/messaging): Telegram deep-link tokens,
-- and the index delivery reports find their message by.

-- A one-time token a customer opens as t.me/<bot>?start=<token>: the bot's "/start <token>"
-- links that chat to the customer. Only its SHA-256 is kept, so a copy of this table links no
-- chat; a token is used once (used_at) and not after expires_at.
create table telegram_link_tokens (
  token_hash text primary key,
  customer_id text not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null
);
create index telegram_link_tokens_customer on telegram_link_tokens (customer_id);

-- An SMS gateway's delivery report names its own id for the message (provider_id).
create index messages_provider on messages (kind, provider_id) where provider_id is not null;
