import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Patron's own actions for many customers at once (an import): with no rule rewarding them they
 * are recorded set-based, a batch in one transaction; with a rule, one by one. Either way each
 * is recorded once per customer, on the current record, with its `customer.action`.
 */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const run = async (signal?: AbortSignal) => t.services.engagement.runJob('detect-customer-actions', signal);

async function importCustomers(prefix: string, rows: number): Promise<string[]> {
  const lines = ['phone,email,first_name,last_name,birth_date,consent.email.marketing'];
  // Every third one completes the profile; every second opts in to marketing.
  for (let i = 0; i < rows; i++) {
    const complete = i % 3 === 0;
    lines.push([`${prefix}${String(i).padStart(4, '0')}`, `p${prefix.slice(-3)}-${i}@example.com`, 'Ana', complete ? 'Petrova' : '', complete ? '1990-04-05' : '', i % 2 === 0 ? 'yes' : ''].join(','));
  }
  const uploaded = await t.call({ method: 'POST', url: `/v1/imports/customers?fileName=${prefix}.csv`, payload: `${lines.join('\n')}\n`, headers: { 'content-type': 'text/csv' } });
  expect(uploaded.statusCode, uploaded.body).toBe(202);
  await t.services.imports.idle();
  const job = (await t.call({ method: 'GET', url: `/v1/imports/${uploaded.json().id}?errorsLimit=10` })).json();
  expect(job.status, JSON.stringify(job)).toBe('completed');
  const found = await t.database.db.selectFrom('customerIdentifiers').select('customerId').where('kind', '=', 'phone').where('value', 'like', `${prefix}%`).orderBy('value').execute();
  return found.map((row) => row.customerId);
}

const ownEvents = async (customerIds: string[]) =>
  t.database.db.selectFrom('customerEvents').select(['customerId', 'type', 'eventId']).where('customerId', 'in', customerIds).where('source', '=', 'patron').execute();

describe("Patron's own actions for an import's customers", () => {
  it('with no rule rewarding them: recorded set-based, once each, a customer.action each; an erased customer gets none', async () => {
    await run();
    const ids = await importCustomers('+7913100', 1_250);
    const erased = ids[1]!;
    expect((await t.call({ method: 'POST', url: `/v1/customers/${erased}/erase` })).statusCode).toBeLessThan(300);
    const report = await run();
    expect(report.events).toBeGreaterThanOrEqual(1_250);
    const events = await ownEvents(ids);
    const count = (type: string) => events.filter((e) => e.type === type).length;
    expect(count('customer.joined')).toBe(1_249);
    expect(count('profile.completed')).toBe(417); // i = 0, 3, …, 1248
    expect(count('consent.marketing_given')).toBe(625); // i = 0, 2, …, 1248 (the erased one, i = 1, has none)
    expect(events.some((e) => e.customerId === erased)).toBe(false);
    expect(report.recorded).toBe(events.length);
    const actions = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'customer.action').where('customerId', 'in', ids).execute();
    expect(actions.length).toBe(events.length);
    expect(new Set(actions.map((a) => (a.payload as { eventId: string }).eventId))).toEqual(new Set(events.map((e) => e.eventId)));
    // Nothing again, however often it runs.
    expect((await run()).recorded).toBe(0);
    expect((await ownEvents(ids)).length).toBe(events.length);
  });

  it('a merged id in the batch: its survivor gets each action once, none lands on the merged record', async () => {
    await run();
    const [keep, dup] = await importCustomers('+7913200', 2);
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${keep}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    await run();
    const events = await ownEvents([keep!, dup!]);
    expect(events.every((e) => e.customerId === keep)).toBe(true);
    // Both joined, but each action is once per customer: one join, the profile and the opt-in, all the survivor's.
    expect(events.map((e) => e.type).sort()).toEqual(['consent.marketing_given', 'customer.joined', 'profile.completed']);
  });

  it('stopped half-way through a batch it must reward one by one: nothing marked handled, the next run records only the rest', async () => {
    await run();
    const welcome = await t.call({ method: 'POST', url: '/v1/action-rules', payload: { name: 'Welcome', eventType: 'customer.joined', points: 100, limits: { oncePerCustomer: true } } });
    expect(welcome.statusCode, welcome.body).toBe(201);
    const ids = await importCustomers('+7913300', 6);
    // Aborted after two rewarded events (the job's own check, then one check before each).
    let checks = 0;
    const stopping = { get aborted() { return ++checks > 3; } } as AbortSignal;
    const first = await run(stopping);
    expect(first.recorded).toBeGreaterThanOrEqual(2);
    const joined = async () => (await ownEvents(ids)).filter((e) => e.type === 'customer.joined').length;
    expect(await joined()).toBe(2);
    const second = await run();
    expect(await joined()).toBe(6);
    expect(second.events).toBeGreaterThanOrEqual(6);
    const balances = await t.database.db.selectFrom('pointBalances').select('available').where('customerId', 'in', ids).execute();
    expect(balances.map((b) => b.available)).toEqual(Array(6).fill(100));
    expect((await run()).recorded).toBe(0);
    await expectLedgerConsistent(t.database.db);
  });
});
