import { sql } from 'kysely';
import { referencedSegments, type RuleNode } from './rules.ts';
import type { DbOrTx } from './segments.db.ts';

/**
 * The customers among `candidates` that events after `position` name as live membership reads
 * them (live.ts): an event's own customer and any customer id in its payload (a merge names
 * both records), except a segment's own entries and exits where no segment is built on that
 * segment — live membership skips those, so they never make it write anyone from fresher data.
 *
 * A recompute asks this on every page. Skipping those events is also what keeps a page's cost
 * from growing with the walk: every page before it wrote a `segment.entered` or `segment.left`
 * event for each customer it moved (4,700 a page for a 47,000-member segment at 1 M customers),
 * and a segment of a million written a week ago left a million of them after the live cursor.
 */
export async function customersNamedAfter(db: DbOrTx, position: number, candidates: string[]): Promise<string[]> {
  if (candidates.length === 0) return [];
  const segments = await db.selectFrom('segments').select('rules').execute();
  const builtOn = [...new Set(segments.flatMap((segment) => referencedSegments(segment.rules as RuleNode)))];
  const read = sql`o.id > ${position} and (o.type not like 'segment.%' or o.payload->>'segmentId' = any(${builtOn}::text[]))`;
  const rows = await sql<{ id: string }>`
    with named as (
      select o.customer_id as id from outbox_events o where ${read} and o.customer_id is not null
      union
      select p.value from outbox_events o
        cross join lateral jsonb_each_text(case when jsonb_typeof(o.payload) = 'object' then o.payload else '{}'::jsonb end) p
      where ${read} and p.value like 'cus\_%')
    select c.id from unnest(${candidates}::text[]) c(id) where c.id in (select id from named)`.execute(db);
  return rows.rows.map((row) => row.id);
}
