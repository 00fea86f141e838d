-- Support sends a message again (a code that never arrived): a new message whose source is
-- 'resend' and whose source_id is the message it repeats.
alter table messages drop constraint messages_source_check;
alter table messages add constraint messages_source_check check (source in ('test', 'api', 'campaign', 'journey', 'ticket', 'resend'));
