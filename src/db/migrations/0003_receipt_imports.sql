-- Imports of receipts (NDJSON) run on the same job machinery as customer imports.
alter table import_jobs drop constraint import_jobs_kind_check;
alter table import_jobs add constraint import_jobs_kind_check check (kind in ('customers', 'receipts'));
-- Per-import options, e.g. whether historical receipts earn points.
alter table import_jobs add column options jsonb not null default '{}';
-- Line numbers start at 1 and a format may have no header: nothing is done before line 1.
alter table import_jobs alter column checkpoint_line set default 0;
