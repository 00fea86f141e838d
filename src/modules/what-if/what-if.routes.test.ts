import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { uuidV7Ids } from '../../platform/ids.ts';
import type { Replayer } from '../loyalty/index.ts';
import { createWhatIf } from './index.ts';
import type { Db } from './what-if.db.ts';

type Batch = Awaited<ReturnType<Replayer['batch']>>;

/**
 * The what-if run as a job (progress, a stop between batches and the resume after it, one
 * result) and the route's refusals. Twelve receipts of 100.00 at two stores, base 5 %.
 */
const DAY = 86_400_000;
let t: TestApp;

async function ok(method: 'POST' | 'PUT', url: string, payload: object) {
  const response = await t.call({ method, url, payload });
  expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
  return response.json();
}

beforeAll(async () => {
  t = await createTestApp();
  for (const id of ['s1', 's2']) await ok('PUT', `/v1/stores/${id}`, { name: `Store ${id}`, timezone: 'Europe/Moscow' });
  const customer = (await ok('POST', '/v1/customers', { phone: '+79165550101' })).id;
  for (let i = 0; i < 12; i++) {
    await ok('POST', '/v1/checkout/confirm', {
      storeId: i % 2 === 0 ? 's1' : 's2',
      posReceiptId: `J-${i}`,
      occurredAt: new Date(t.clock.now().getTime() - (i + 1) * DAY).toISOString(),
      customer: { customerId: customer },
      lines: [{ sku: 'TEA', qty: 1, price: 10_000, category: 'tea' }],
    });
  }
});

afterAll(async () => {
  await t?.close();
});

/** A what-if module of its own (batches of 5) whose replayer's every batch goes through `around`, given the read of it. */
function runsAroundBatches(around: (read: () => Promise<Batch>) => Promise<Batch>) {
  const { loyalty, promotions } = t.services;
  return createWhatIf({
    db: t.database.db as unknown as Db, clock: t.clock, ids: uuidV7Ids, promotions, batchSize: 5,
    loyalty: {
      whatIf: {
        ...loyalty.whatIf,
        replayer: async (scenarios) => {
          const replayer = await loyalty.whatIf.replayer(scenarios);
          return { ...replayer, batch: (...args) => around(() => replayer.batch(...args)) };
        },
      },
    },
  });
}

describe('what-if runs', () => {
  it('a run stopped between batches resumes after the last batch it saved, and counts each receipt once', async () => {
    const db = t.database.db as unknown as Db;
    const { loyalty, promotions } = t.services;
    // The first process stops itself after its second batch has been read (as a shutdown would).
    let batches = 0;
    const first = runsAroundBatches(async (read) => {
      const batch = await read();
      if (++batches === 2) void first.runs.stop();
      return batch;
    });
    const started = await first.start({ days: 30, rules: { rules: [{ id: 'base', name: 'Base 10%', kind: 'percent', rateBp: 1000, conditions: {}, priority: 0, stacking: 'highest', active: true }] } }, null);
    expect(started).toMatchObject({ status: 'running', phase: 'counting', receipts: 0, processed: 0, changes: { rules: true, tiers: false, promotions: 0 } });
    await first.runs.idle();
    const stopped = await first.get(started.id);
    expect(stopped).toMatchObject({ status: 'running', phase: 'replaying', receipts: 12, processed: 10 });
    expect(stopped.result).toBeUndefined();
    // The route shows the progress; the CSV waits for the end.
    expect((await t.call({ method: 'GET', url: `/v1/analytics/what-if/${started.id}` })).json()).toMatchObject({ processed: 10, receipts: 12 });
    const early = await t.call({ method: 'GET', url: `/v1/analytics/what-if/${started.id}`, headers: { accept: 'text/csv' } });
    expect([early.statusCode, early.json().code]).toEqual([409, 'what_if.not_completed']);

    const second = createWhatIf({ db, clock: t.clock, ids: uuidV7Ids, loyalty, promotions, batchSize: 5 });
    expect(await second.runs.resumePending()).toEqual([started.id]);
    await second.runs.idle();
    const done = await second.get(started.id);
    expect(done).toMatchObject({ status: 'completed', phase: 'done', receipts: 12, processed: 12 });
    expect(done.result!.total).toMatchObject({ receipts: 12, actual: { pointsIssued: 60, pointsBase: 60 }, whatIf: { pointsIssued: 120, pointsBase: 120 } });
    expect(done.result!.byStore.map((row) => [row.storeId, row.receipts])).toEqual([['s1', 6], ['s2', 6]]);

    // One straight through (the app's own runner, batches of 1,000) gives the same report.
    const straight = await t.call({ method: 'POST', url: '/v1/analytics/what-if', payload: { days: 30, rules: { rules: [{ id: 'base', name: 'Base 10%', kind: 'percent', rateBp: 1000, conditions: {}, stacking: 'highest' }] } } });
    await t.services.whatIf.runs.idle();
    expect((await t.call({ method: 'GET', url: `/v1/analytics/what-if/${straight.json().id}` })).json().result).toEqual(done.result);
  });

  it('a batch save that fails while the next batch is priced fails the run, leaving the last save standing', async () => {
    const db = t.database.db as unknown as Db;
    // The save after the first batch is refused by the database; the next batch takes 50 ms to read, so the refusal
    // comes while it is priced, before anything awaits the save (unhandled, such a rejection would end the process).
    await sql`create function what_if_refuse_save() returns trigger language plpgsql as $$ begin raise exception 'no space left'; end $$`.execute(db);
    await sql`create trigger what_if_refuse_save before update on what_if_runs for each row when (new.status = 'running' and new.processed = 5) execute function what_if_refuse_save()`.execute(db);
    try {
      const slow = runsAroundBatches(async (read) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return read();
      });
      const started = await slow.start({ days: 30 }, null);
      await slow.runs.idle();
      expect(await slow.get(started.id)).toMatchObject({ status: 'failed', failure: 'The run stopped on an error; start another (POST /v1/analytics/what-if)', phase: 'replaying', receipts: 12, processed: 0 });
    } finally {
      await sql`drop trigger what_if_refuse_save on what_if_runs`.execute(db);
      await sql`drop function what_if_refuse_save()`.execute(db);
    }
  });

  it('refuses what it cannot replay, naming the field, in plain words', async () => {
    const post = async (payload: object, role?: 'analyst' | 'pos' | 'support') => {
      const response = await t.call({ method: 'POST', url: '/v1/analytics/what-if', payload, ...(role ? { role } : {}) });
      return { status: response.statusCode, body: response.json(), type: response.headers['content-type'] };
    };
    for (const days of [0, 367, -5]) {
      const refused = await post({ days });
      expect([refused.status, refused.body.code, refused.body.errors]).toEqual([400, 'what_if.invalid', [{ field: 'days', reason: `must be a whole number of days from 1 to 366; got ${days}` }]]);
      expect(refused.type).toContain('application/problem+json');
    }
    // The same problems PUT /v1/earning-rules finds, under `rules`.
    const rules = await post({ days: 7, rules: { rules: [{ id: 'a', name: 'A', kind: 'percent', conditions: {}, stacking: 'highest' }, { id: 'a', name: 'B', kind: 'per_item', points: 5, conditions: { segments: ['seg_nope'] }, stacking: 'sum' }] } });
    expect(rules.status).toBe(400);
    expect(rules.body.code).toBe('what_if.invalid');
    expect(rules.body.errors).toEqual([{ field: 'rules.rules.0.rateBp', reason: 'is required for a percent rule' }, { field: 'rules.rules.1.id', reason: '"a" is used twice' }]);
    const segment = await post({ days: 7, rules: { rules: [{ id: 'vip', name: 'VIP', kind: 'percent', rateBp: 900, conditions: { segments: ['seg_nope'] }, stacking: 'highest' }] } });
    expect(segment.body.errors).toEqual([{ field: 'rules.rules.0.conditions.segments.0', reason: 'no segment seg_nope; GET /v1/segments lists them' }]);
    const schema = await post({ days: 7, rules: { rules: [{ id: 'x', name: 'X', kind: 'bogus', conditions: {}, stacking: 'highest' }] } });
    expect([schema.status, schema.body.code, schema.body.errors[0].field]).toEqual([400, 'request.invalid', 'rules.rules.0.kind']);
    const tiers = await post({ days: 7, tiers: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'm', name: 'M', threshold: 100 }] } });
    expect(tiers.body.errors).toEqual([{ field: 'tiers.tiers.0.threshold', reason: 'the entry tier must have threshold 0' }]);
    const promotions = await post({ days: 7, promotions: [{ id: 'prm_0190c0ffee00700080000000000000ab', status: 'paused' }, { name: 'Half', benefit: { kind: 'n_for_m', buy: 2, pay: 3 } }, { name: 'No benefit' }] });
    expect(promotions.body.code).toBe('what_if.invalid');
    expect(promotions.body.errors).toEqual([
      { field: 'promotions.0.id', reason: 'no promotion prm_0190c0ffee00700080000000000000ab; GET /v1/promotions lists them (leave id out for a new promotion)' },
      { field: 'promotions.1.benefit.pay', reason: 'must be less than buy (2)' },
      { field: 'promotions.2.benefit', reason: expect.stringContaining('required') },
    ]);
    expect((await post({ days: 7 }, 'pos')).status).toBe(403);
    expect((await post({ days: 7 }, 'support')).status).toBe(403);
    expect((await post({ days: 7 }, 'analyst')).status).toBe(202);
    await t.services.whatIf.runs.idle();
    const missing = await t.call({ method: 'GET', url: '/v1/analytics/what-if/wif_0190c0ffee00700080000000000000ab' });
    expect([missing.statusCode, missing.json().code]).toEqual([404, 'what_if.run_not_found']);
    const badId = await t.call({ method: 'GET', url: '/v1/analytics/what-if/nope' });
    expect(badId.statusCode).toBe(400);
  });
});
