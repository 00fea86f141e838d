import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { viewOf } from '../../db/database.ts';
import { uuidV7Ids } from '../../platform/ids.ts';
import { createRecomputes } from './recompute.ts';

/**
 * A recompute finds every match over everyone first, then writes the difference a page at a time.
 * What live membership wrote meanwhile must stand: a customer an event named after the matches were
 * found is looked at afresh, and one no event named keeps what the matches say. Each case leaves a
 * recompute part-way (its matches found, as a killed process would) and lets the walk resume it.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
});
afterAll(async () => t?.close());

let phones = 0;
const customer = async () => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915777${String(++phones).padStart(4, '0')}` } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const buy = async (customerId: string, posReceiptId: string) => {
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId, customer: { customerId }, lines: [{ sku: 'BEANS', qty: 1, price: 90_000 }] } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().receiptId as string;
};
const members = async (id: string) => ((await t.call({ method: 'GET', url: `/v1/segments/${id}/members?limit=1000` })).json().items as Array<{ customerId: string }>).map((m) => m.customerId).sort();
const buyers = { all: [{ field: 'purchases.bought', op: 'eq', value: true }] };
const db = () => t.database.db;

/** A running recompute of the segment, its matches found as `matched` with the live cursor at `eventsAfter`, no page written yet. */
async function leftPartWay(segmentId: string, rules: object, matched: string[], eventsAfter: number): Promise<string> {
  const id = `sgr_${'0'.repeat(24)}${String(Date.now() % 1e8).padStart(8, '0')}`;
  await db()
    .insertInto('segmentRecomputes')
    .values({ id, segmentId, status: 'running', position: null, total: 0, failure: null, requestedBy: null, startedAt: t.clock.now(), finishedAt: null, matchedAt: t.clock.now(), eventsAfter: String(eventsAfter), matchedRules: JSON.stringify(rules) })
    .execute();
  if (matched.length > 0) await db().insertInto('segmentRecomputeMatches').values(matched.map((customerId) => ({ recomputeId: id, customerId }))).execute();
  return id;
}

async function resume(recomputeId: string) {
  await t.services.segments.recomputes.resumePending();
  await t.services.segments.recomputes.idle();
  return db().selectFrom('segmentRecomputes').selectAll().where('id', '=', recomputeId).executeTakeFirstOrThrow();
}

const lastOutboxId = async () => Number((await sql<{ id: string | null }>`select max(id) as id from outbox_events`.execute(db())).rows[0]?.id ?? 0);

describe('a recompute resumed after its matches were found', () => {
  it('trusts the matches for customers no later event named, and runs the rules afresh for those one did', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers', rules: buyers } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const [quiet, bought, stale] = [await customer(), await customer(), await customer()];
    await t.services.segments.updateLive();
    const before = await lastOutboxId();
    // After the matches: `bought` buys (an event names them), live membership is not run.
    await buy(bought, 'R-1');
    // The matches, found before that purchase, say `quiet` and `stale` match (no purchase: they would not by the rules),
    // and miss `bought`. `quiet`: no event since, so the matches stand; `stale`: an event since, so the rules decide.
    const patch = await t.call({ method: 'PATCH', url: `/v1/customers/${stale}`, payload: { firstName: 'Later' } });
    expect(patch.statusCode, patch.body).toBe(200);
    const recompute = await leftPartWay(segment.id, buyers, [quiet, stale], before);
    const done = await resume(recompute);
    expect(done.status).toBe('completed');
    // `bought` is in neither the matches nor the members: the recompute leaves them to live membership, which adds them.
    expect(await members(segment.id)).toEqual([quiet]);
    expect({ entered: done.entered, left: done.leftCount }).toEqual({ entered: 1, left: 0 });
    await t.services.segments.updateLive();
    expect(await members(segment.id)).toEqual([bought, quiet].sort());
    // Its matches are not kept once it ends.
    expect(await db().selectFrom('segmentRecomputeMatches').select('customerId').where('recomputeId', '=', recompute).execute()).toEqual([]);
  });

  it('a segment’s own entries name a customer only when a segment is built on that segment, as live membership reads them', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers, beside others', rules: buyers } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const named = await customer();
    await t.call({ method: 'PATCH', url: `/v1/customers/${named}`, payload: { firstName: 'Zedekiah' } });
    await t.services.segments.updateLive();
    const before = await lastOutboxId();
    // After the matches, another segment's recompute writes `named`'s entry into it: live membership skips
    // that event (no segment is built on the other one), so it writes nothing about `named` from fresher data,
    // and the matches, which say `named` matches, stand (as for a customer no event named).
    const other = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Zedekiahs', rules: { field: 'profile.firstName', op: 'eq', value: 'Zedekiah' } } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const entries = await sql<{ n: number }>`select count(*)::int as n from outbox_events where id > ${before} and type = 'segment.entered' and customer_id = ${named}`.execute(db());
    expect(entries.rows[0]!.n).toBe(1);
    const trusted = await resume(await leftPartWay(segment.id, buyers, [named], before));
    expect(trusted.status).toBe('completed');
    expect(await members(segment.id)).toContain(named);
    // With a segment built on the other one, live membership reads that entry: the rules decide afresh (no purchase: out).
    const builtOn = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'On Zedekiahs', rules: { field: 'segment', id: other.id, op: 'eq', value: true } } });
    expect(builtOn.statusCode, builtOn.body).toBe(201);
    await t.services.segments.recomputes.idle();
    // Out of the segment again, so that the same matches would move `named` in if they were trusted.
    await db().deleteFrom('segmentMembers').where('segmentId', '=', segment.id).where('customerId', '=', named).execute();
    const afresh = await resume(await leftPartWay(segment.id, buyers, [named], before));
    expect(afresh.status).toBe('completed');
    expect(await members(segment.id)).not.toContain(named);
  });

  it('finds the matches again when the rules changed after they were found', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers again', rules: buyers } })).json() as { id: string; version: number };
    await t.services.segments.recomputes.idle();
    const someone = await customer();
    const saved = await t.call({ method: 'PATCH', url: `/v1/segments/${segment.id}`, headers: { 'if-match': `"${segment.version}"` }, payload: { rules: { all: null, not: buyers } } });
    expect(saved.statusCode, saved.body).toBe(200);
    await t.services.segments.recomputes.idle();
    const nonBuyers = await members(segment.id);
    expect(nonBuyers).toContain(someone);
    // A recompute left with matches of the old rules (nobody) and no event since: trusted, they would empty the
    // segment; the new rules' matches are found instead, and the members stay.
    const recompute = await leftPartWay(segment.id, buyers, [], await lastOutboxId());
    expect((await resume(recompute)).status).toBe('completed');
    expect(await members(segment.id)).toEqual(nonBuyers);
  });

  it('asked for fresh matches while it runs (on any instance), it finds them again, even with its last page written', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers, asked again', rules: buyers } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const [early, late] = [await customer(), await customer()];
    await buy(early, 'R-20');
    await buy(late, 'R-21');
    // Another instance's recompute, its matches found when only `early` had bought (data that moved with no
    // event after them: the cursor is past both purchases), every page written, not yet completed.
    const recompute = await leftPartWay(segment.id, buyers, [early], await lastOutboxId());
    await db().updateTable('segmentRecomputes').set({ processed: 2 }).where('id', '=', recompute).execute();
    // A new RFM run would ask so: the running recompute is answered, and told on its row.
    const asked = await t.services.segments.recomputes.startAfterRunning(segment.id, null);
    expect(asked.id).toBe(recompute);
    const done = await resume(recompute);
    expect(done).toMatchObject({ status: 'completed', rematchRequests: 1, matchedRequests: 1 });
    // Every buyer (earlier tests' too), `late` among them: the matches found again, not the old ones.
    const everyBuyer = (await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules: buyers } })).json().count as number;
    expect(await members(segment.id)).toEqual(expect.arrayContaining([early, late]));
    expect((await members(segment.id)).length).toBe(everyBuyer);
  });

  it('a full recompute over pages writes the rules’ answer for everyone and leaves no matches behind', async () => {
    const ids = [await customer(), await customer(), await customer()];
    await buy(ids[1]!, 'R-2');
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers from scratch', rules: buyers } })).json() as { id: string; lastRecompute: { id: string } };
    await t.services.segments.recomputes.idle();
    const expected = (await sql<{ id: string }>`select distinct customer_id as id from receipts where status = 'confirmed' and customer_id is not null order by 1`.execute(db())).rows.map((row) => row.id);
    expect(await members(segment.id)).toEqual(expected);
    expect(expected).toContain(ids[1]);
    expect(expected).not.toContain(ids[0]);
    expect(await db().selectFrom('segmentRecomputeMatches').select('customerId').execute()).toEqual([]);
  });
});

describe('a recompute whose difference is more than a page', () => {
  const population = async () => (await sql<{ n: number }>`select count(*)::int as n from customers where status = 'active'`.execute(db())).rows[0]!.n;
  // A walker of its own whose pages hold two changes, over the same database and rules.
  const smallPages = () => createRecomputes({ db: viewOf(t.database.db), clock: t.clock, ids: uuidV7Ids, compiler: t.services.segments.compiler, pageChanges: 2 });

  it('walks it in pages of that many changes, which together cover every customer once', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Paged', rules: buyers } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const [a, b, c, d, e] = [await customer(), await customer(), await customer(), await customer(), await customer()].sort();
    const leaving = (await members(segment.id))[0]!;
    await t.services.segments.updateLive();
    // Matches that move five in and one (every member but one stays) out: six changes, three pages; no event since them.
    const kept = (await members(segment.id)).filter((id) => id !== leaving);
    const recompute = await leftPartWay(segment.id, buyers, [...kept, a!, b!, c!, d!, e!], await lastOutboxId());
    await db().updateTable('segmentRecomputes').set({ total: await population() }).where('id', '=', recompute).execute();
    const walker = smallPages();
    await walker.resumePending();
    await walker.idle();
    const done = await db().selectFrom('segmentRecomputes').selectAll().where('id', '=', recompute).executeTakeFirstOrThrow();
    expect(done).toMatchObject({ status: 'completed', entered: 5, leftCount: 1 });
    // Each page counts the customers of its id range: the ranges tile everyone, none twice, none missed.
    expect(done.processed).toBe(await population());
    expect(await members(segment.id)).toEqual([...kept, a, b, c, d, e].sort());
  });

  it('resumed after a page, goes on from its position and leaves the customers before it alone', async () => {
    const segment = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Paged, resumed', rules: buyers } })).json() as { id: string };
    await t.services.segments.recomputes.idle();
    const [a, b, c, d] = [await customer(), await customer(), await customer(), await customer()].sort();
    await t.services.segments.updateLive();
    const before = await members(segment.id);
    const recompute = await leftPartWay(segment.id, buyers, [...before, a!, b!, c!, d!], await lastOutboxId());
    // Killed after a page that ended at `b` (as if it had written a and b: here it wrote nothing, so they stay out).
    await db().updateTable('segmentRecomputes').set({ position: b!, processed: 1 }).where('id', '=', recompute).execute();
    const walker = smallPages();
    await walker.resumePending();
    await walker.idle();
    expect(await db().selectFrom('segmentRecomputes').select(['status', 'entered']).where('id', '=', recompute).executeTakeFirstOrThrow()).toEqual({ status: 'completed', entered: 2 });
    expect(await members(segment.id)).toEqual([...before, c, d].sort());
  });
});

describe('a recompute whose difference fits a page', () => {
  it('writes it at once, live changes since the cursor looked at afresh, and keeps no matches', async () => {
    const [bought, refunded] = [await customer(), await customer()];
    const receipt = await buy(refunded, 'R-30');
    await t.services.segments.updateLive();
    // Events after the live cursor: a purchase (in), and a purchase refunded (out again).
    await buy(bought, 'R-31');
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${receipt}/refunds`, role: 'pos', payload: { refundId: 'F-30', lines: [{ sku: 'BEANS', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    const created = (await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Buyers at once', rules: buyers } })).json() as { id: string; lastRecompute: { id: string } };
    await t.services.segments.recomputes.idle();
    const done = await t.services.segments.recomputes.get(created.id, created.lastRecompute.id);
    expect(done).toMatchObject({ status: 'completed' });
    const expected = (await sql<{ id: string }>`select distinct customer_id as id from receipts where status = 'confirmed' and customer_id is not null and paid_minor > refunded_minor order by 1`.execute(db())).rows.map((row) => row.id);
    expect(await members(created.id)).toEqual(expected);
    expect(expected).toContain(bought);
    expect(expected).not.toContain(refunded);
    const segment = (await t.call({ method: 'GET', url: `/v1/segments/${created.id}` })).json();
    expect(segment).toMatchObject({ memberCount: expected.length });
    expect(segment.computedAt).not.toBeNull();
    expect(await db().selectFrom('segmentRecomputeMatches').select('customerId').execute()).toEqual([]);
  });
});
