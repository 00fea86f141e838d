import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { lastPeriod, nextBoundary } from './scheduled-reports.ts';

describe('report periods', () => {
  it.each([
    ['daily', '2026-03-04', '2026-03-03', '2026-03-03'],
    ['weekly', '2026-03-04', '2026-02-23', '2026-03-01'], // a Wednesday: last Monday to Sunday
    ['weekly', '2026-03-02', '2026-02-23', '2026-03-01'], // a Monday
    ['monthly', '2026-03-04', '2026-02-01', '2026-02-28'],
    ['monthly', '2026-01-01', '2025-12-01', '2025-12-31'],
  ] as const)('%s on %s covers %s to %s', (schedule, today, from, to) => {
    expect(lastPeriod(schedule, today)).toEqual({ from, to });
  });

  it.each([
    ['daily', '2026-03-04T15:00:00Z', 'UTC', '2026-03-05T00:00:00.000Z'],
    ['daily', '2026-03-04T22:00:00Z', 'Europe/Moscow', '2026-03-05T21:00:00.000Z'], // already the 5th in Moscow
    ['weekly', '2026-03-04T15:00:00Z', 'UTC', '2026-03-09T00:00:00.000Z'],
    ['monthly', '2026-03-04T15:00:00Z', 'Europe/Moscow', '2026-03-31T21:00:00.000Z'],
  ] as const)('%s at %s in %s ends its period at %s', (schedule, now, zone, boundary) => {
    expect(nextBoundary(schedule, new Date(now), zone).toISOString()).toBe(boundary);
  });
});

let t: TestApp;

async function buy(at: string, store: string, price: number) {
  t.clock.set(new Date(at));
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: store, posReceiptId: `${store}-${at}`, lines: [{ sku: 'SKU', qty: 1, price }] } });
  expect(response.statusCode, response.body).toBe(201);
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-03-01T08:00:00Z'));
  for (const store of ['s1', 's2']) await t.call({ method: 'PUT', url: `/v1/stores/${store}`, payload: { name: store, timezone: 'UTC' } });
  await buy('2026-03-02T10:00:00Z', 's1', 10_000);
  await buy('2026-03-02T11:00:00Z', 's2', 20_000);
  await buy('2026-03-03T10:00:00Z', 's1', 40_000);
  t.clock.set(new Date('2026-03-02T12:00:00Z'));
});

afterAll(async () => {
  await t.close();
});

describe('scheduled reports', () => {
  let reportId: string;

  it('runs once its day has ended, covering that day, and once only', async () => {
    const created = await t.call({ method: 'POST', url: '/v1/reports', role: 'analyst', payload: { name: 'Daily by store', kind: 'kpis', query: { groupBy: 'store' }, schedule: 'daily' } });
    expect(created.statusCode, created.body).toBe(201);
    reportId = created.json().id;
    expect(created.json()).toMatchObject({ kind: 'kpis', query: { groupBy: 'store' }, schedule: 'daily', timezone: 'UTC', active: true, nextRunAt: '2026-03-03T00:00:00.000Z' });

    // Before midnight nothing is due.
    await t.call({ method: 'POST', url: '/v1/jobs/run-scheduled-reports/run' });
    expect((await t.call({ method: 'GET', url: `/v1/reports/${reportId}/runs` })).json().items).toEqual([]);

    t.clock.set(new Date('2026-03-03T00:05:00Z'));
    await t.call({ method: 'POST', url: '/v1/jobs/run-scheduled-reports/run' });
    await t.call({ method: 'POST', url: '/v1/jobs/run-scheduled-reports/run' });
    const runs = (await t.call({ method: 'GET', url: `/v1/reports/${reportId}/runs` })).json().items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ from: '2026-03-02', to: '2026-03-02', trigger: 'schedule', status: 'completed', failure: null });
    expect((await t.call({ method: 'GET', url: `/v1/reports/${reportId}` })).json().nextRunAt).toBe('2026-03-04T00:00:00.000Z');

    const run = (await t.call({ method: 'GET', url: `/v1/reports/${reportId}/runs/${runs[0].id}` })).json();
    expect(run.result.rows.map((row: { group: { store: string }; current: { revenueMinor: number } }) => [row.group.store, row.current.revenueMinor])).toEqual([['s1', 10_000], ['s2', 20_000]]);
    const csv = await t.call({ method: 'GET', url: `/v1/reports/${reportId}/runs/${runs[0].id}`, headers: { accept: 'text/csv' } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n').slice(1, 3).map((line) => line.split(',').slice(0, 3).join(','))).toEqual(['s1,10000,1', 's2,20000,1']);
  });

  it('runs on request over the last complete period, beside the scheduled runs', async () => {
    t.clock.set(new Date('2026-03-04T09:00:00Z'));
    const now = await t.call({ method: 'POST', url: `/v1/reports/${reportId}/runs` });
    expect(now.statusCode, now.body).toBe(201);
    expect(now.json()).toMatchObject({ from: '2026-03-03', to: '2026-03-03', trigger: 'request', status: 'completed' });
    expect(now.json().result.rows).toEqual([expect.objectContaining({ group: { store: 's1' } })]);
    // The report names its newest run, in the list too (one read for the page, not one per report).
    const lastRun = { id: now.json().id, from: '2026-03-03', to: '2026-03-03', trigger: 'request', status: 'completed', createdAt: '2026-03-04T09:00:00.000Z' };
    expect((await t.call({ method: 'GET', url: `/v1/reports/${reportId}` })).json().lastRun).toEqual(lastRun);
    expect((await t.call({ method: 'GET', url: '/v1/reports' })).json().items.find((r: { id: string }) => r.id === reportId).lastRun).toEqual(lastRun);
  });

  it('refuses a query its report would refuse, and the period, in words', async () => {
    const post = (body: object) => t.call({ method: 'POST', url: '/v1/reports', payload: { name: 'x', schedule: 'weekly', ...body } });
    const withPeriod = await post({ kind: 'kpis', query: { from: '2026-01-01' } });
    expect(withPeriod.statusCode).toBe(400);
    expect(withPeriod.json()).toMatchObject({ code: 'analytics.invalid_report', detail: "query: from is set by the schedule and the report's timezone; leave it out" });
    const badGroup = await post({ kind: 'kpis', query: { groupBy: 'planet' } });
    expect(badGroup.json()).toMatchObject({ code: 'analytics.invalid_report' });
    expect(badGroup.json().detail).toMatch(/^query\.groupBy: /);
    expect((await post({ kind: 'kpis', query: { compare: 'lastweek' } })).json().code).toBe('analytics.invalid_query');
    expect((await post({ kind: 'funnels', query: { steps: 'signup,buy' } })).json().code).toBe('analytics.invalid_query');
    // Its runs would complete with zeros: refused when saved instead.
    expect((await post({ kind: 'kpis', query: { segment: 'seg_nope' } })).json()).toMatchObject({ code: 'analytics.invalid_query', detail: 'segment: there is no segment seg_nope; GET /v1/segments lists them' });
    expect((await post({ kind: 'cohorts', timezone: 'Mars/Olympus' })).json().code).toBe('analytics.invalid_period');
    expect((await t.call({ method: 'GET', url: '/v1/reports', role: 'support' })).statusCode).toBe(403);
  });

  it('pauses, moves its schedule when changed, and deletes with its runs', async () => {
    const patched = await t.call({ method: 'PATCH', url: `/v1/reports/${reportId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { schedule: 'monthly', active: false } });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ schedule: 'monthly', active: false, nextRunAt: '2026-04-01T00:00:00.000Z' });
    const deleted = await t.call({ method: 'DELETE', url: `/v1/reports/${reportId}` });
    expect(deleted.statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/reports/${reportId}/runs` })).statusCode).toBe(404);
  });
});
