import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import { adjustedRand } from './stability.ts';

/**
 * Clusters through the routes, on real receipts (POST /v1/customers, POST /v1/checkout/confirm):
 * three planted kinds of customer are found again and reported stable; random shoppers are not.
 * The app's clock is 2026-03-01T09:00Z; stores are in Moscow (UTC+3).
 */
type Line = { sku: string; qty: number; price: number; category: string };
type Receipt = { store: string; hoursAgo: number; channel: 'offline' | 'online'; lines: Line[] };

let phones = 0;
let receipts = 0;

async function setUp(t: TestApp) {
  for (const id of ['s1', 's2', 's3']) {
    const store = await t.call({ method: 'PUT', url: `/v1/stores/${id}`, payload: { name: `Store ${id}`, timezone: 'Europe/Moscow' } });
    expect(store.statusCode, store.body).toBeLessThan(300);
  }
}

async function customerWith(t: TestApp, bought: Receipt[]): Promise<string> {
  const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916555${String(++phones).padStart(4, '0')}` } });
  expect(created.statusCode, created.body).toBe(201);
  const id = created.json().id as string;
  for (const receipt of bought) {
    const occurredAt = new Date(t.clock.now().getTime() - receipt.hoursAgo * 3_600_000).toISOString();
    const confirmed = await t.call({
      method: 'POST',
      url: '/v1/checkout/confirm',
      payload: { storeId: receipt.store, posReceiptId: `CL-${++receipts}`, customer: { customerId: id }, channel: receipt.channel, occurredAt, lines: receipt.lines },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
  }
  return id;
}

/** Hours before 09:00 UTC that land on a Moscow hour: `day` days back at `moscowHour`. */
const at = (day: number, moscowHour: number) => day * 24 + (12 - moscowHour);

async function runAndWait(t: TestApp, body: object = {}) {
  const started = await t.call({ method: 'POST', url: '/v1/clusters/runs', payload: body });
  expect(started.statusCode, started.body).toBe(202);
  await t.services.clusters.runs.idle();
  return started.json() as { id: string; status: string; phase: string };
}

type Report = { run: { id: string; status: string; chosenK: number; customers: number; processed: number; silhouettes: Array<{ k: number }>; meanAdjustedRand: number }; features: string[]; clusters: Array<{ cluster: number; size: number; revenueMinor: number; description: string; stability: number; unstable: boolean; centroid: Record<string, number> }> };

describe('clusters of planted customers', () => {
  let t: TestApp;
  const planted: Array<{ id: string; group: number }> = [];
  let spentMinor = 0;
  let nobody = '';

  beforeAll(async () => {
    t = await createTestApp();
    await setUp(t);
    const random = seededRandom(17);
    const pick = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
    for (let i = 0; i < 14; i++) {
      // Morning coffee: small baskets of coffee and a pastry, most days, at one store, before 11.
      const coffee = Array.from({ length: pick(6, 8) }, (_v, d) => ({
        store: 's1', hoursAgo: at(d * 3 + 1, pick(7, 10)), channel: 'offline' as const,
        lines: [{ sku: 'LATTE', qty: 1, price: pick(18_000, 26_000), category: 'coffee/drinks' }, { sku: 'CROISSANT', qty: 1, price: pick(9_000, 12_000), category: 'bakery' }],
      }));
      planted.push({ id: await customerWith(t, coffee), group: 0 });
      // Weekly groceries: a few big evening baskets of meat and dairy at two stores.
      const groceries = Array.from({ length: pick(2, 3) }, (_v, d) => ({
        store: d % 2 === 0 ? 's2' : 's3', hoursAgo: at(d * 7 + 2, pick(18, 21)), channel: 'offline' as const,
        lines: [
          { sku: 'BEEF', qty: 2, price: pick(150_000, 220_000), category: 'meat' },
          { sku: 'MILK', qty: 3, price: pick(9_000, 12_000), category: 'dairy' },
          { sku: 'CHEESE', qty: 1, price: pick(60_000, 90_000), category: 'dairy' },
        ],
      }));
      planted.push({ id: await customerWith(t, groceries), group: 1 });
      // Online gadgets: one or two large online orders in the afternoon, long ago.
      const gadgets = Array.from({ length: pick(1, 2) }, (_v, d) => ({
        store: 's3', hoursAgo: at(200 + d * 30, pick(13, 16)), channel: 'online' as const,
        lines: [{ sku: 'PHONE', qty: 1, price: pick(1_500_000, 2_500_000), category: 'electronics' }],
      }));
      planted.push({ id: await customerWith(t, gadgets), group: 2 });
      for (const bought of [coffee, groceries, gadgets]) spentMinor += bought.reduce((sum, r) => sum + r.lines.reduce((s, l) => s + l.qty * l.price, 0), 0);
    }
    nobody = await customerWith(t, []);
  }, 120_000);
  afterAll(async () => t?.close());

  it('before any run: 404 cluster.no_run; bad settings are a 400 naming the field', async () => {
    const none = await t.call({ method: 'GET', url: '/v1/clusters' });
    expect([none.statusCode, none.json().code]).toEqual([404, 'cluster.no_run']);
    const bad = await t.call({ method: 'POST', url: '/v1/clusters/runs', payload: { kMin: 5, kMax: 3 } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'cluster.invalid']);
    expect(bad.json().detail).toContain('kMax: must be at least kMin (5)');
    const unknown = await t.call({ method: 'GET', url: '/v1/clusters/runs/clr_0190c0ffee00700080000000000000ab' });
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'cluster.run_not_found']);
  });

  it('finds the three planted groups (adjusted Rand ≥ 0.9), stable, described in words, with sizes and revenue that add up', async () => {
    const started = await runAndWait(t, { kMax: 6, seed: 3, bootstrapSamples: 12 });
    expect(started).toMatchObject({ status: 'running', phase: 'features' });
    const run = (await t.call({ method: 'GET', url: `/v1/clusters/runs/${started.id}` })).json();
    expect(run).toMatchObject({ id: started.id, status: 'completed', phase: 'done', customers: planted.length, processed: planted.length, chosenK: 3 });
    expect(run.silhouettes.map((s: { k: number }) => s.k)).toEqual([2, 3, 4, 5, 6]);
    const answer = await t.call({ method: 'GET', url: '/v1/clusters', role: 'analyst' });
    expect(answer.statusCode, answer.body).toBe(200);
    const report = answer.json() as Report;
    expect(report.run.id).toBe(started.id);
    expect(report.clusters.map((c) => c.size)).toEqual([14, 14, 14]);
    expect(report.clusters.reduce((sum, c) => sum + c.revenueMinor, 0)).toBe(spentMinor);
    for (const cluster of report.clusters) {
      expect(cluster.stability, cluster.description).toBeGreaterThanOrEqual(0.75);
      expect(cluster.unstable).toBe(false);
    }
    expect(report.run.meanAdjustedRand).toBeGreaterThanOrEqual(0.9);
    // Each customer's cluster, from the customer view, against the planted groups.
    const found = await Promise.all(planted.map(async ({ id }) => (await t.call({ method: 'GET', url: `/v1/customers/${id}` })).json().cluster as { cluster: number; runId: string; description: string }));
    expect(adjustedRand(planted.map((p) => p.group), found.map((c) => c.cluster))).toBeGreaterThanOrEqual(0.9);
    expect(found[0]!.runId).toBe(started.id);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${nobody}` })).json().cluster).toBeNull();
    // The words: what each planted group is known for.
    const describedAs = (group: number) => report.clusters.find((c) => c.cluster === found[planted.findIndex((p) => p.group === group)]!.cluster)!.description;
    expect(describedAs(0)).toMatch(/frequent small baskets.*coffee.*mostly morning/);
    expect(describedAs(1)).toMatch(/meat|dairy/);
    expect(describedAs(1)).toContain('mostly evening');
    expect(describedAs(2)).toMatch(/large baskets.*electronics.*mostly online/);
    const coffee = report.clusters.find((c) => c.description === describedAs(0))!;
    expect(coffee.centroid['share.coffee']).toBeGreaterThan(0.5);
    expect(Number.isInteger(coffee.centroid.averageBasketMinor)).toBe(true);
    // The CSV form: a row a cluster.
    const csv = await t.call({ method: 'GET', url: '/v1/clusters', headers: { accept: 'text/csv' } });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.trim().split('\n');
    expect(lines[0]).toMatch(/^cluster,size,revenue_minor,stability,unstable,description,recencyDays,/);
    expect(lines).toHaveLength(4);
  });

  it('the cluster segment field: a segment of one cluster holds its customers; a new run recomputes it', async () => {
    const fields = (await t.call({ method: 'GET', url: '/v1/segment-fields' })).json().fields as Array<{ key: string; kind: string }>;
    expect(fields).toContainEqual(expect.objectContaining({ key: 'cluster', kind: 'number' }));
    const coffeeCustomer = planted[0]!.id;
    const clusterOf = (await t.call({ method: 'GET', url: `/v1/customers/${coffeeCustomer}` })).json().cluster.cluster as number;
    const created = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Coffee cluster', rules: { field: 'cluster', op: 'eq', value: clusterOf } } });
    expect(created.statusCode, created.body).toBe(201);
    await t.services.segments.recomputes.idle();
    const members = async () => ((await t.call({ method: 'GET', url: `/v1/segments/${created.json().id}/members?limit=100` })).json().items as Array<{ customerId: string }>).map((m) => m.customerId).sort();
    expect(await members()).toEqual(planted.filter((p) => p.group === 0).map((p) => p.id).sort());
    // A new coffee drinker, then a new run: the segment recomputes on its own and takes them in.
    const latecomer = await customerWith(t, Array.from({ length: 7 }, (_v, d) => ({ store: 's1', hoursAgo: at(d * 3 + 1, 8), channel: 'offline' as const, lines: [{ sku: 'LATTE', qty: 1, price: 22_000, category: 'coffee/drinks' }, { sku: 'CROISSANT', qty: 1, price: 10_000, category: 'bakery' }] })));
    const before = (await t.call({ method: 'GET', url: `/v1/segments/${created.json().id}` })).json().lastRecompute.id;
    const second = await runAndWait(t, { kMax: 6, seed: 3, bootstrapSamples: 12 });
    await t.services.segments.recomputes.idle();
    const after = (await t.call({ method: 'GET', url: `/v1/segments/${created.json().id}` })).json();
    expect(after.lastRecompute.id).not.toBe(before);
    const latest = (await t.call({ method: 'GET', url: `/v1/customers/${latecomer}` })).json().cluster;
    expect(latest.runId).toBe(second.id);
    // Only the latest run's rows are kept per customer.
    const rows = await t.database.db.selectFrom('customerClusters').select('runId').distinct().execute();
    expect(rows.map((r) => r.runId)).toEqual([second.id]);
    // The recompute follows the new run: members are exactly the customers now in cluster number clusterOf.
    const everyone = [...planted.map((p) => p.id), latecomer];
    const now = await Promise.all(everyone.map(async (id) => ({ id, cluster: (await t.call({ method: 'GET', url: `/v1/customers/${id}` })).json().cluster.cluster as number })));
    expect(await members()).toEqual(now.filter((c) => c.cluster === clusterOf).map((c) => c.id).sort());
    // The latecomer drinks coffee: they are with the coffee drinkers.
    expect(latest.cluster).toBe(now[0]!.cluster);
  });
});

describe('clusters of random shoppers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await setUp(t);
    const random = seededRandom(99);
    const pick = (from: number, to: number) => from + Math.floor(random() * (to - from + 1));
    const categories = ['coffee', 'dairy', 'meat', 'bakery', 'electronics', 'toys'];
    for (let i = 0; i < 40; i++) {
      await customerWith(t, Array.from({ length: pick(1, 5) }, () => ({
        store: `s${pick(1, 3)}`, hoursAgo: at(pick(1, 300), pick(0, 23)), channel: random() < 0.5 ? 'online' as const : 'offline' as const,
        lines: Array.from({ length: pick(1, 3) }, (_v, l) => ({ sku: `SKU${l}`, qty: 1, price: pick(5_000, 500_000), category: categories[pick(0, 5)]! })),
      })));
    }
  }, 120_000);
  afterAll(async () => t?.close());

  it('reports low stability: some cluster is flagged unstable', async () => {
    await runAndWait(t, { kMax: 6, seed: 3, bootstrapSamples: 12 });
    const report = (await t.call({ method: 'GET', url: '/v1/clusters' })).json() as Report;
    expect(report.run.status).toBe('completed');
    expect(report.clusters.some((c) => c.unstable)).toBe(true);
    expect(Math.min(...report.clusters.map((c) => c.stability))).toBeLessThan(0.75);
    expect(report.run.meanAdjustedRand).toBeLessThan(0.75);
  });

  it('a window with too few customers is refused at once in plain words, and no run is left failed', async () => {
    t.clock.advance(3000 * 86_400_000);
    const refused = await t.call({ method: 'POST', url: '/v1/clusters/runs', payload: { windowDays: 30 } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'cluster.too_few_customers' });
    expect(refused.json().detail).toContain('0 customers bought in the 30 days before now');
    const failed = await t.database.db.selectFrom('clusterRuns').select('id').where('status', '=', 'failed').execute();
    expect(failed).toEqual([]);
  });
});
