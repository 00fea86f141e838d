import type { Clock } from '../../platform/clock.ts';
import { consumeOutbox, type OutboxRow } from '../../platform/outbox-consumer.ts';
import { lockSegment, prepareFields, writeDiff, type Compiler } from './membership.ts';
import { referencedSegments } from './rules.ts';
import { segmentsInOrder } from './segment-store.ts';
import type { Db } from './segments.db.ts';
import type { Ids } from './segments.ids.ts';

/**
 * Live membership: every outbox event about a customer (a receipt confirmed or refunded, a
 * profile, consent, tier or points change, a custom event, a merge, another segment's entry)
 * re-evaluates every segment for the customers the batch names, restricted to them: a member
 * enters or leaves within a run of this job (every few seconds) without a recompute.
 *
 * Conditions on time alone (no purchase for 30 days) change with no event: the daily
 * recompute of every segment catches those.
 */
export const CONSUMER = 'segment-membership';
const BATCH = 1000;
const CUSTOMER_ID = /^cus_[0-9A-Za-z_-]{1,60}$/;

/** The customers an event names: its own customer and any customer id in its payload (a merge names both records). */
export function customersOf(rows: OutboxRow[]): string[] {
  const found = new Set<string>();
  for (const row of rows) {
    if (row.customerId) found.add(row.customerId);
    for (const value of Object.values(row.payload ?? {})) if (typeof value === 'string' && CUSTOMER_ID.test(value)) found.add(value);
  }
  return [...found];
}

export async function updateLiveMembership(deps: { db: Db; clock: Clock; ids: Ids; compiler: Compiler }, signal?: AbortSignal, woken = false): Promise<{ events: number; entered: number; left: number }> {
  const report = { events: 0, entered: 0, left: 0 };
  const { events } = await consumeOutbox(
    deps.db,
    deps.clock,
    {
      name: CONSUMER,
      types: null,
      batch: BATCH,
      async handle(rows) {
        // Read each batch: a segment saved meanwhile is evaluated from its next batch on (its recompute covers the rest).
        const segments = await segmentsInOrder(deps.db);
        // A segment's own entries and exits matter only to segments built on it: a recompute that
        // moves a million customers must not make this job re-evaluate them all for nothing.
        const builtOn = new Set(segments.flatMap((segment) => referencedSegments(segment.rules)));
        const customers = customersOf(rows.filter((row) => !row.type.startsWith('segment.') || builtOn.has(String(row.payload.segmentId))));
        if (customers.length === 0) return true;
        // Outside the segments' transactions: preparing may repair the purchases' rollups first.
        const prepared = await prepareFields(deps.compiler);
        for (const segment of segments) {
          if (signal?.aborted) return false;
          const diff = await deps.db.transaction().execute(async (tx) => {
            const current = await lockSegment(tx, segment.id);
            return current ? writeDiff(tx, deps, current, { kind: 'ids', ids: customers }, 'event', undefined, prepared) : { entered: [], left: [] };
          });
          report.entered += diff.entered.length;
          report.left += diff.left.length;
        }
        return true;
      },
    },
    signal,
    { woken },
  );
  report.events = events;
  return report;
}
