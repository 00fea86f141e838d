-- Scheduled reports and alerts delivered (issue 10): a report's run and a fired alert are outbox
-- events (report.completed, report.failed, alert.fired), so webhooks subscribed to them get the
-- CSV and the evidence; the e-mail addresses on a report or an alert rule get them by e-mail,
-- as service messages with no customer, queued by messaging's staff-mail consumer.
alter table analytics_reports add column recipients text[] not null default '{}';
alter table analytics_alert_rules add column recipients text[] not null default '{}';

alter table messages drop constraint messages_source_check;
alter table messages add constraint messages_source_check check (source in ('test', 'api', 'campaign', 'journey', 'ticket', 'resend', 'report', 'alert'));

-- The consumer starts at the present: there is nothing before it to deliver.
insert into outbox_cursors (name, position, updated_at)
  select 'staff-mail', coalesce(max(id), 0), now() from outbox_events;
