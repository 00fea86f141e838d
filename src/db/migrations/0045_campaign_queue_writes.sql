-- "if exists": the bench database has this applied as 0045; renumbered at merge, it may run there again.
-- A campaign's start writes a row a recipient (a million for a campaign to everyone) in one
-- statement; each row also paid for an entry in an index no query reads and a foreign-key check.
--
-- campaign_recipients_customer: nothing looks recipients up by customer alone (the queueing and
-- the report read a campaign's recipients by its key; a merge or an erasure leaves the snapshot
-- as it was). A million entries a start, for nothing.
drop index if exists campaign_recipients_customer;

-- The campaign's key: only the transaction holding the campaign's row in 'scheduled' inserts its
-- recipients (campaign-run.ts), so the check each row paid for (a look-up of the campaign,
-- 5.5 s of a 24 s snapshot of a million on the bench database) can never fail. Deleting a
-- campaign deletes its recipients in the same transaction (campaigns.ts), as the cascade did.
alter table campaign_recipients drop constraint if exists campaign_recipients_campaign_id_fkey;

-- A message's history rows: every writer inserts them with the message or after it (a campaign's
-- chunk in the same statement as its 20,000 messages), and no code deletes a message, so the
-- look-up of the message each row paid for (0.16–0.55 s of a 1.4–3 s chunk of 20,000 under
-- load) could never fail either. What deletes messages (the bench's clean-up) deletes their history first.
alter table message_events drop constraint if exists message_events_message_id_fkey;
