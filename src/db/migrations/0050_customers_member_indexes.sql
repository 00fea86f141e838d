-- The KPIs' member counts over a million customers without reading every customer row
-- (customers/member-facts.ts; docs/performance.md has the figures):
-- - the exceptions (no members, or joined on or after a period's end) are two short index ranges
--   instead of a scan of the whole table for a few rows;
-- - the members who had joined before a period's end are counted from the index of their join
--   times alone (an index-only scan of ~20 MB instead of the 170 MB table).
create index customers_active_created on customers (created_at) where status = 'active';
create index customers_not_active on customers (id) where status <> 'active';
