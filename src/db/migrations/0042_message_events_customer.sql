-- Segment rules on message interactions (issue 9: "opened an e-mail in the last 30 days") look up
-- a customer's message events by status and time; until now they were found only by message.
create index message_events_customer on message_events (customer_id, status, occurred_at) where customer_id is not null;
