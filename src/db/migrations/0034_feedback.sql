-- The feedback inbox: tickets made from what customers write (the account page, an app or site,
-- a survey's free text), each with a thread of messages: the customer's (in), support's replies
-- sent by e-mail (out) and internal notes (note).
create table tickets (
  id text primary key,
  -- Null: an anonymous message from a public page (its contact, if given, is on the ticket).
  customer_id text,
  source text not null check (source in ('account', 'survey', 'api', 'email')),
  -- The sender's own id of what made the ticket (a survey response id): one ticket per source and
  -- reference, so a redelivered event or a retried call makes no second ticket.
  source_ref text,
  subject text not null,
  status text not null check (status in ('open', 'pending', 'resolved', 'closed')),
  -- A staff member's e-mail (there are no staff users yet).
  assignee text,
  tags text[] not null default '{}',
  contact_name text,
  contact_email text,
  messages integer not null default 0,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  last_activity_at timestamptz not null,
  erased_at timestamptz,
  unique (source, source_ref)
);
-- The inbox: newest activity first, by status (the usual filter) or all.
create index tickets_activity on tickets (last_activity_at desc, id desc);
create index tickets_status_activity on tickets (status, last_activity_at desc, id desc);
-- The customer's 360° view.
create index tickets_customer on tickets (customer_id, last_activity_at desc, id desc) where customer_id is not null;

create table ticket_messages (
  id text primary key,
  ticket_id text not null references tickets (id),
  customer_id text,
  direction text not null check (direction in ('in', 'out', 'note')),
  -- Null once the customer is erased (the message and its count stay).
  body text,
  -- The survey question a survey's answer replies to.
  question text,
  author text not null,
  -- A reply's e-mail in messaging (its delivery status is read from there).
  message_id text,
  created_at timestamptz not null
);
create index ticket_messages_ticket on ticket_messages (ticket_id, created_at, id);
create index ticket_messages_customer on ticket_messages (customer_id) where customer_id is not null;

-- Support's replies are messages of their own source.
alter table messages drop constraint messages_source_check;
alter table messages add constraint messages_source_check check (source in ('test', 'api', 'campaign', 'journey', 'ticket'));
