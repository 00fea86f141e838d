-- A hash of each top-level field of a confirmed receipt's request (storeId, customer, lines, …),
-- so a confirm that reuses the POS receipt id with another body is told which fields differ.
-- Receipts confirmed before this column have none: their conflicts say "a different body".
alter table receipts add column request_fields jsonb;
