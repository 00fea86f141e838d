import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * Limits of bonuses for actions and the once-a-year birthday offer under concurrency, on real
 * PostgreSQL (PGlite serves one connection at a time, so it cannot race): the guarded counters
 * and the unique rows must hold whatever the interleaving.
 */
describe.runIf(onPostgres)('engagement under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  let phoneCounter = 0;
  const customer = async (body: object = {}) => {
    const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7912888${String(++phoneCounter).padStart(4, '0')}`, ...body } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const rule = async (body: object) => {
    const response = await t.call({ method: 'POST', url: '/v1/action-rules', payload: body });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const post = (eventId: string, customerId: string, type: string) => t.call({ method: 'POST', url: '/v1/events', payload: { eventId, customer: { customerId }, type }, role: 'pos' });
  const available = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().available as number;

  it('30 concurrent events of a once-ever rule for one customer: exactly one award', async () => {
    const once = await rule({ name: 'Once', eventType: 'quiz.done', points: 70, limits: { oncePerCustomer: true } });
    const id = await customer();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => post(`quiz-${i}`, id, 'quiz.done')));
    expect(answers.filter((a) => a.statusCode !== 201).map((a) => a.body)).toEqual([]);
    expect(answers.filter((a) => a.json().awards.length === 1)).toHaveLength(1);
    expect(await available(id)).toBe(70);
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${once}` })).json().usage).toEqual({ awards: 1, points: 70, budgetLeft: null });
    await expectLedgerConsistent(t.database.db);
  });

  it('per day: 20 concurrent events against a limit of 3 a day award exactly 3', async () => {
    await rule({ name: 'Daily', eventType: 'checkin.done', points: 5, limits: { perCustomerPerDay: 3 } });
    const id = await customer();
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`checkin-${i}`, id, 'checkin.done')));
    expect(answers.every((a) => a.statusCode === 201)).toBe(true);
    expect(answers.filter((a) => a.json().awards.length === 1)).toHaveLength(3);
    expect(await available(id)).toBe(15);
  });

  it('a total-points budget is never passed by 60 customers at once', async () => {
    const budget = await rule({ name: 'Budget', eventType: 'share.done', points: 30, limits: { totalPoints: 1000 } });
    const ids = [];
    for (let i = 0; i < 60; i++) ids.push(await customer());
    const answers = await Promise.all(ids.map((id, i) => post(`share-${i}`, id, 'share.done')));
    expect(answers.filter((a) => a.statusCode !== 201).map((a) => a.body)).toEqual([]);
    const awarded = answers.filter((a) => a.json().awards.length === 1).length;
    // 33 awards of 30 are 990; a 34th would pass 1000 and is not made (never a partial award).
    expect(awarded).toBe(33);
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${budget}` })).json().usage).toEqual({ awards: 33, points: 990, budgetLeft: 10 });
    const ledger = await sql<{ points: string }>`select coalesce(sum(points), 0) as points from point_lots where source = 'award' and receipt_id like 'share-%'`.execute(t.database.db);
    expect(Number(ledger.rows[0]!.points)).toBe(990);
    await expectLedgerConsistent(t.database.db);
  });

  it('20 concurrent posts of one eventId: one records, the others answer the first answer', async () => {
    await rule({ name: 'Tap', eventType: 'tap.done', points: 1 });
    const id = await customer();
    const answers = await Promise.all(Array.from({ length: 20 }, () => post('tap-1', id, 'tap.done')));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([...Array(19).fill(200), 201].sort());
    expect(new Set(answers.map((a) => JSON.stringify({ ...a.json(), replayed: null }))).size).toBe(1);
    expect(await available(id)).toBe(1);
  });

  it('events racing a merge: the survivor ends with one once-ever award, and no deadlock surfaces as an error', async () => {
    await rule({ name: 'Once more', eventType: 'poll.done', points: 9, limits: { oncePerCustomer: true } });
    const [keep, dup] = [await customer(), await customer()];
    const work = [
      ...Array.from({ length: 10 }, (_, i) => post(`poll-k-${i}`, keep, 'poll.done')),
      ...Array.from({ length: 10 }, (_, i) => post(`poll-d-${i}`, dup, 'poll.done')),
      t.call({ method: 'POST', url: `/v1/customers/${keep}/merge`, payload: { from: dup } }),
    ];
    const answers = await Promise.all(work);
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    const total = await available(keep);
    // Each record may have earned once before the merge (9 or 18); never more.
    expect([9, 18]).toContain(total);
    await expectLedgerConsistent(t.database.db);
  });

  it("Patron's own actions, set-based: 4 detection runs racing 10 merges record each once per customer, none on a merged record", async () => {
    // No rule rewards customer.joined or profile.completed here: the set-based path.
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push(await customer({ firstName: 'Oleg', lastName: 'Sidorov', email: `oleg${i}@example.com`, birthDate: '1980-01-02' }));
    const merges = Array.from({ length: 10 }, (_, i) => t.call({ method: 'POST', url: `/v1/customers/${ids[2 * i]}/merge`, payload: { from: ids[2 * i + 1] } }));
    const runs = Array.from({ length: 4 }, () => t.call({ method: 'POST', url: '/v1/jobs/detect-customer-actions/run' }));
    const answers = await Promise.all([...merges, ...runs]);
    expect(answers.filter((a) => a.statusCode >= 300).map((a) => a.body)).toEqual([]);
    expect((await t.call({ method: 'POST', url: '/v1/jobs/detect-customer-actions/run' })).statusCode).toBe(200);
    const events = await t.database.db.selectFrom('customerEvents').select(['customerId', 'type']).where('customerId', 'in', ids).where('source', '=', 'patron').execute();
    const merged = new Set(ids.filter((_, i) => i < 20 && i % 2 === 1));
    expect(events.filter((e) => merged.has(e.customerId))).toEqual([]);
    // Each action once per record: a survivor holds one of each, or two when both records had
    // theirs before the merge moved the duplicate's over; one never merged holds exactly one.
    ids.forEach((id, i) => {
      if (merged.has(id)) return;
      const records = i < 20 ? 2 : 1;
      for (const type of ['customer.joined', 'profile.completed']) {
        const n = events.filter((e) => e.customerId === id && e.type === type).length;
        expect(n, `${id} ${type}`).toBeGreaterThanOrEqual(1);
        expect(n, `${id} ${type}`).toBeLessThanOrEqual(records);
      }
    });
  });

  it('two birthday runs at once issue one offer per customer', async () => {
    const patch = await t.call({ method: 'PATCH', url: '/v1/birthday-offer', headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ enabled: true, daysAfter: 3, benefit: { kind: 'points', points: 40 } }) });
    expect(patch.statusCode, patch.body).toBe(200);
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await customer({ birthDate: '1990-07-01' }));
    t.clock.set('2026-07-02T12:00:00Z');
    const runs = await Promise.all(Array.from({ length: 4 }, () => t.call({ method: 'POST', url: '/v1/jobs/issue-birthday-offers/run' })));
    expect(runs.map((r) => r.statusCode)).toEqual([200, 200, 200, 200]);
    expect(runs.reduce((sum, r) => sum + (r.json().issued as number), 0)).toBe(20);
    const rows = await t.database.db.selectFrom('birthdayOffers').select('customerId').where('customerId', 'in', ids).execute();
    expect(rows).toHaveLength(20);
    for (const id of ids.slice(0, 3)) expect(await available(id)).toBe(40);
    await expectLedgerConsistent(t.database.db);
  });
});
