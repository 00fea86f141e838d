import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * Several instances checking the schedule at once, on real PostgreSQL (PGlite serves one
 * connection at a time, so it cannot race): each due period runs once and is stored once, and
 * the alert check fires an alert once per rule, day and group however many judge it together.
 */
describe.runIf(onPostgres)('scheduled reports and alerts under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let second: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    second = await createTestApp({ database: t.database, clock: t.clock });
    t.clock.set(new Date('2026-03-01T08:00:00Z'));
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 's1', timezone: 'UTC' } });
  });
  afterAll(async () => {
    await second?.close();
    await t?.close();
  });

  it('runs each due report once, whichever instances check together', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await t.call({ method: 'POST', url: '/v1/reports', payload: { name: `r${i}`, kind: 'kpis', schedule: 'daily' } })).json().id);
    t.clock.set(new Date('2026-03-02T00:01:00Z'));
    const services = [t.services, second.services, t.services, second.services];
    const results = await Promise.all(services.flatMap((s) => [s.analytics.scheduled.runDue(), s.analytics.scheduled.runDue()]));
    expect(results.reduce((sum, r) => sum + r.ran!, 0)).toBe(5);
    for (const id of ids) {
      const runs = (await t.call({ method: 'GET', url: `/v1/reports/${id}/runs` })).json().items;
      expect(runs.map((r: { from: string; trigger: string }) => [r.from, r.trigger])).toEqual([['2026-03-01', 'schedule']]);
    }
  });

  it('fires an alert once when many judge the same day together', async () => {
    for (let day = 1; day <= 9; day++) {
      t.clock.set(new Date(Date.UTC(2026, 3, day, 10)));
      const confirm = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: `c-${day}`, lines: [{ sku: 'SKU', qty: 1, price: day === 9 ? 100 : 10_000 }] } });
      expect(confirm.statusCode, confirm.body).toBe(201);
    }
    const rule = (await t.call({ method: 'POST', url: '/v1/alert-rules', payload: { name: 'revenue drop', kind: 'drop', kpi: 'revenueMinor', params: { days: 7 } } })).json();
    const checks = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? second : t).services.analytics.alerts.check(rule.id, '2026-04-09')));
    expect(checks.every((c) => c.fired.length === 1)).toBe(true);
    expect(new Set(checks.map((c) => c.fired[0]!.id)).size).toBe(1);
    expect((await t.call({ method: 'GET', url: `/v1/alerts?ruleId=${rule.id}` })).json().items).toHaveLength(1);
  });
});
