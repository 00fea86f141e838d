-- Import kinds are registered by the modules (buildApp wires them), not listed in the schema:
-- a new module's import must not need a migration. A kind is still a short lower-case name,
-- since it also names the import's audit actions (`receipts.import.start`).
alter table import_jobs drop constraint import_jobs_kind_check;
alter table import_jobs add constraint import_jobs_kind_check check (kind ~ '^[a-z][a-z0-9_-]{0,39}$');
