import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * One owner per store, under concurrency, on real PostgreSQL (PGlite serves one connection at a
 * time, so it cannot race): many partners claiming the same store at once — on create and on
 * PATCH — leave exactly one owner, and every refused change is rolled back whole.
 */
describe.runIf(onPostgres)('partner stores under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores', payload: ['hot', 'warm', ...Array.from({ length: 40 }, (_, i) => `own-${i}`)].map((id) => ({ id, name: id, timezone: 'UTC' })) });
  });
  afterAll(async () => t?.close());

  const body = (name: string, storeIds: string[]) => ({ name, storeIds, earnRateBp: 100, issuedPer100PointsMinor: 100, redeemedPer100PointsMinor: 100 });
  const owners = async (storeId: string) => (await sql<{ partnerId: string }>`select partner_id from partner_stores where store_id = ${storeId}`.execute(t.database.db)).rows;

  it('40 partners created at once, each claiming the same store: one gets it, 39 are refused and leave nothing', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => t.call({ method: 'POST', url: '/v1/partners', payload: body(`P${i}`, ['hot', `own-${i}`]) })));
    const statuses = answers.map((a) => a.statusCode).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(39);
    expect(answers.filter((a) => a.statusCode === 409).every((a) => a.json().code === 'partner.store_taken')).toBe(true);
    const winner = answers.find((a) => a.statusCode === 201)!.json() as { id: string };
    expect(await owners('hot')).toEqual([{ partnerId: winner.id }]);
    // The refused ones were rolled back whole: no partner, no store of theirs.
    const counts = (await sql<{ partners: number; stores: number }>`select (select count(*)::int from partners) as partners, (select count(*)::int from partner_stores) as stores`.execute(t.database.db)).rows[0]!;
    expect(counts).toEqual({ partners: 1, stores: 2 });
  });

  it('20 partners patched at once to take the same free store: exactly one holds it', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await t.call({ method: 'POST', url: '/v1/partners', payload: body(`Q${i}`, []) })).json().id);
    const answers = await Promise.all(ids.map((id) => t.call({ method: 'PATCH', url: `/v1/partners/${id}`, payload: { storeIds: ['warm'] } })));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(19);
    const winner = ids[answers.findIndex((a) => a.statusCode === 200)]!;
    expect(await owners('warm')).toEqual([{ partnerId: winner }]);
    const versions = (await sql<{ v: number }>`select count(*)::int as v from partners where version > 1`.execute(t.database.db)).rows[0]!.v;
    expect(versions).toBe(1);
  });
});
