import { sql } from 'kysely';
import type { PurchaseFacts } from '../loyalty/index.ts';
import type { Db } from './clv.db.ts';

/**
 * Every customer's (x, tₓ, T, repeat spend) by a calibration end, aggregated in SQL from
 * loyalty's purchase days (a day's receipts are one purchase) and read through a cursor a page
 * at a time into typed arrays (1 M customers: a few tens of MB). Money stays integer minor units
 * until the model divides it.
 *
 * Per customer: x = purchase days − 1; recency = last day − first day; age = calibration end −
 * first day (days; the caller divides by 7 for weeks); repeat spend = all days' spend − the
 * first day's. The first day's spend comes from `min(array[day, spend])` (arrays compare
 * element by element, so the least is the first day's pair): an aggregate that hashes, where
 * ordering every customer's days would sort the whole history.
 */
export type PurchaseSummary = {
  customerIds: string[];
  x: Float64Array;
  recencyDays: Float64Array;
  ageDays: Float64Array;
  /** Σ spend of the repeat purchase days, minor units (integers; exact below 2⁵³). */
  repeatMinor: Float64Array;
};

const PAGE = 20_000;
const DAY_MS = 86_400_000;

/** How many customers bought on two different days by the end, counting no further than `needed` (answered while the start request waits). */
export async function countRepeatCustomers(db: Db, facts: PurchaseFacts, calibrationEnd: string, needed: number): Promise<number> {
  const to = new Date(Date.parse(`${calibrationEnd}T00:00:00Z`) + 2 * DAY_MS);
  const rows = await sql<{ n: number }>`select count(*)::int as n from (${facts.repeatBuyers({ to }, calibrationEnd, needed)}) c`.execute(db);
  return rows.rows[0]!.n;
}

export async function loadSummary(db: Db, facts: PurchaseFacts, calibrationEnd: string, signal?: AbortSignal): Promise<PurchaseSummary | null> {
  // Receipts up to two days past the end, then cut at the end by their store's local date (no time zone is 48 h off UTC).
  const to = new Date(Date.parse(`${calibrationEnd}T00:00:00Z`) + 2 * DAY_MS);
  const query = sql`select d.customer_id as id, (count(*) - 1)::int as x,
      (max(d.day) - min(d.day))::int as recency, (${calibrationEnd}::date - min(d.day))::int as age,
      (sum(d.net_minor) - (min(array[(d.day - date '1970-01-01')::bigint, d.net_minor]))[2])::bigint as repeat_minor
    from (${facts.days({ to })}) d where d.day <= ${calibrationEnd}::date
    group by d.customer_id`;
  const customerIds: string[] = [];
  let capacity = PAGE;
  let arrays = { x: new Float64Array(capacity), recencyDays: new Float64Array(capacity), ageDays: new Float64Array(capacity), repeatMinor: new Float64Array(capacity) };
  let stopped = false;
  await db.transaction().execute(async (tx) => {
    // The sorts over all history stay in memory longer instead of spilling in 4 MB pieces.
    await sql`set local work_mem = '256MB'`.execute(tx);
    // Sorted rather than hashed: the planner, unable to estimate the customers of a grouping by
    // (customer, day), hashes both levels on one process (37 s at 10 M receipts, the days' hash
    // spilling); sorted, each parallel worker sorts and groups its share and the customers come
    // out merged in order (19 s). JIT compiling the plan took half a second and saved nothing.
    await sql`set local enable_hashagg = off`.execute(tx);
    await sql`set local jit = off`.execute(tx);
    // Written to a temporary table first: PostgreSQL plans a cursor's query without parallel
    // workers, and this one reads every receipt up to the calibration end (most of the summary's time).
    await sql`create temporary table clv_summary_rows on commit drop as ${query}`.execute(tx);
    // In customer order: the fit's seeded sample picks rows by position, so a resumed fit draws the same customers.
    await sql`declare clv_summary no scroll cursor for select * from clv_summary_rows order by id`.execute(tx);
    for (;;) {
      if (signal?.aborted) {
        stopped = true;
        break;
      }
      const page = (await sql<{ id: string; x: number; recency: number; age: number; repeatMinor: string | number }>`fetch forward ${sql.lit(PAGE)} from clv_summary`.execute(tx)).rows;
      if (page.length === 0) break;
      if (customerIds.length + page.length > capacity) {
        capacity = Math.max(capacity * 2, customerIds.length + page.length);
        const grow = (from: Float64Array) => {
          const to = new Float64Array(capacity);
          to.set(from);
          return to;
        };
        arrays = { x: grow(arrays.x), recencyDays: grow(arrays.recencyDays), ageDays: grow(arrays.ageDays), repeatMinor: grow(arrays.repeatMinor) };
      }
      for (const row of page) {
        const at = customerIds.length;
        arrays.x[at] = row.x;
        arrays.recencyDays[at] = row.recency;
        arrays.ageDays[at] = row.age;
        arrays.repeatMinor[at] = Number(row.repeatMinor);
        customerIds.push(row.id);
      }
      // Between pages the event loop serves requests (a fit must not stall the API).
      await new Promise((resolve) => setImmediate(resolve));
    }
    await sql`close clv_summary`.execute(tx);
  });
  if (stopped) return null;
  const n = customerIds.length;
  return { customerIds, x: arrays.x.subarray(0, n), recencyDays: arrays.recencyDays.subarray(0, n), ageDays: arrays.ageDays.subarray(0, n), repeatMinor: arrays.repeatMinor.subarray(0, n) };
}
