import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { judge, median } from './alert-rules.ts';

const drop = { threshold: 0.2, days: 14, weeks: 8, k: 3, minHistory: 7 };
const band = { threshold: 0.2, days: 28, weeks: 4, k: 3, minHistory: 4 };
const days = (values: number[]) => values.map((value, i) => ({ day: `2026-01-${String(i + 1).padStart(2, '0')}`, value }));

describe('judging a day', () => {
  it.each([
    [[1, 2, 3], 2], [[4, 1, 3, 2], 2.5], [[5], 5], [[0.6, 0.6, 0.2, 0.6], 0.6],
  ])('the median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('fires a drop below (1 − threshold) × the median, not at the line', () => {
    const history = days([0.6, 0.6, 0.5, 0.7, 0.6, 0.6, 0.6]);
    expect(judge('drop', drop, 0.47, history)).toMatchObject({ fired: true, median: 0.6, low: 0.48 });
    expect(judge('drop', drop, 0.48, history)?.fired).toBe(false);
    expect(judge('drop', drop, 0.9, history)?.fired).toBe(false);
    // Too little history: not judged.
    expect(judge('drop', drop, 0.1, history.slice(0, 6))).toBeNull();
  });

  it('fires outside the weekday band, which is at least ± 10 % of the median', () => {
    // MAD 0: a steady history, so the band is 900 to 1,100.
    const steady = days([1000, 1000, 1000, 1000]);
    expect(judge('weekday_band', band, 1100, steady)).toMatchObject({ fired: false, low: 900, high: 1100 });
    expect(judge('weekday_band', band, 1101, steady)).toMatchObject({ fired: true, reason: 'above the weekday band' });
    expect(judge('weekday_band', band, 899, steady)).toMatchObject({ fired: true, reason: 'below the weekday band' });
    // A spread history: median 1,000, MAD 100, band ± 3 × 1.4826 × 100 = ± 444.78.
    const spread = days([900, 1100, 1000, 800, 1200]);
    expect(judge('weekday_band', band, 1440, spread)).toMatchObject({ fired: false, low: 555.22, high: 1444.78 });
    expect(judge('weekday_band', band, 1450, spread)?.fired).toBe(true);
  });
});

/**
 * Fourteen days (1–14 March) where each store has five till receipts a day, three of them with
 * a card (recognition 0.6); on 15 March store s1's tills stop asking: one card in five (0.2),
 * while s2 carries on. A rule on the recognition rate by store, 20 % below the 14-day median.
 */
let t: TestApp;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set(new Date('2026-02-28T08:00:00Z'));
  for (const store of ['s1', 's2']) {
    await t.call({ method: 'PUT', url: `/v1/stores/${store}`, payload: { name: store, timezone: 'UTC' } });
    ids[store] = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: store === 's1' ? '+79167770001' : '+79167770002' } })).json().id;
  }
  for (let day = 1; day <= 15; day++) {
    for (const store of ['s1', 's2']) {
      const identified = day === 15 && store === 's1' ? 1 : 3;
      for (let n = 0; n < 5; n++) {
        t.clock.set(new Date(Date.UTC(2026, 2, day, 10, n)));
        const response = await t.call({
          method: 'POST',
          url: '/v1/checkout/confirm',
          payload: { storeId: store, posReceiptId: `${store}-${day}-${n}`, ...(n < identified ? { customer: { customerId: ids[store] } } : {}), lines: [{ sku: 'SKU', qty: 1, price: 10000 }] },
        });
        expect(response.statusCode, response.body).toBe(201);
      }
    }
  }
  t.clock.set(new Date('2026-03-16T06:00:00Z'));
});

afterAll(async () => {
  await t.close();
});

describe('alert rules and alerts', () => {
  let ruleId: string;

  it('fires on the planted drop, for that store only, with the rule and the evidence', async () => {
    const created = await t.call({
      method: 'POST',
      url: '/v1/alert-rules',
      role: 'analyst',
      payload: { name: 'Tills stop asking for the card', kind: 'drop', kpi: 'recognitionRate', groupBy: 'store', params: { days: 14 } },
    });
    expect(created.statusCode, created.body).toBe(201);
    ruleId = created.json().id;
    expect(created.json()).toMatchObject({ kind: 'drop', kpi: 'recognitionRate', groupBy: 'store', params: { threshold: 0.2, days: 14, minHistory: 7 }, timezone: 'UTC', active: true, checkedThrough: null });

    const check = await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-15' } });
    expect(check.statusCode, check.body).toBe(200);
    const body = check.json();
    expect(body.judged).toEqual([
      { group: { store: 's1' }, value: 0.2, median: 0.6, low: 0.48, high: null, historyDays: 14, fired: true },
      { group: { store: 's2' }, value: 0.6, median: 0.6, low: 0.48, high: null, historyDays: 14, fired: false },
    ]);
    expect(body.fired).toHaveLength(1);
    expect(body.fired[0]).toMatchObject({
      ruleId,
      day: '2026-03-15',
      group: { store: 's1' },
      kpi: 'recognitionRate',
      value: 0.2,
      message: 'Recognition rate at the till store s1 on 2026-03-15 was 0.2, 66.6667 % below the median of 0.6 over the 14 days before (alert below 0.48)',
      evidence: { rule: { kind: 'drop', kpi: 'recognitionRate' }, value: 0.2, median: 0.6, low: 0.48 },
    });
    expect(body.fired[0].evidence.history).toHaveLength(14);
  });

  it('refuses a day whose history cannot be read as instants (past 9999, before year 1) in words, not a 500', async () => {
    for (const day of ['9999-12-31', '0000-01-01', '0001-01-01']) {
      const answer = await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day } });
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json()).toMatchObject({ code: 'analytics.invalid_query', detail: `day: must be from 1900-01-01 to 9999-12-30; got ${day}` });
    }
  });

  it('fires nothing on a day without a drop, and nothing twice', async () => {
    const calm = (await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-14' } })).json();
    expect(calm.fired).toEqual([]);
    expect(calm.judged.every((j: { fired: boolean }) => !j.fired)).toBe(true);
    await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-15' } });
    const alerts = (await t.call({ method: 'GET', url: `/v1/alerts?ruleId=${ruleId}`, role: 'analyst' })).json();
    expect(alerts.items).toHaveLength(1);
    const one = await t.call({ method: 'GET', url: `/v1/alerts/${alerts.items[0].id}` });
    expect(one.json()).toEqual(alerts.items[0]);
  });

  it('is judged by the daily job up to yesterday, and remembers where it got', async () => {
    const run = await t.call({ method: 'POST', url: '/v1/jobs/check-alerts/run' });
    expect(run.statusCode, run.body).toBeLessThan(300);
    expect((await t.call({ method: 'GET', url: `/v1/alert-rules/${ruleId}` })).json().checkedThrough).toBe('2026-03-15');
    expect((await t.call({ method: 'GET', url: `/v1/alerts?ruleId=${ruleId}` })).json().items).toHaveLength(1);
  });

  it('refuses a rule it cannot judge, in words; support may not read alerts', async () => {
    const bad = await t.call({ method: 'POST', url: '/v1/alert-rules', payload: { name: 'x', kind: 'drop', kpi: 'recognitionRate', params: { days: 7, minHistory: 10 } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'analytics.invalid_alert_rule', detail: 'params.minHistory: must be a whole number from 1 to days' });
    expect((await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-02-30' } })).statusCode).toBe(400);
    // Month 13 is no date at all (it parsed to NaN and was a 500, found by the fuzz suite).
    const noDate = await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-13-01' } });
    expect([noDate.statusCode, noDate.json().code, noDate.json().detail]).toEqual([400, 'analytics.invalid_query', 'day: must be a date as YYYY-MM-DD; got "2026-13-01"']);
    expect((await t.call({ method: 'GET', url: '/v1/alerts', role: 'support' })).statusCode).toBe(403);
    const patched = await t.call({ method: 'PATCH', url: `/v1/alert-rules/${ruleId}`, payload: { active: false } });
    expect(patched.json().active).toBe(false);
    const deleted = await t.call({ method: 'DELETE', url: `/v1/alert-rules/${ruleId}` });
    expect(deleted.statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/alerts?ruleId=${ruleId}` })).json().items).toEqual([]);
  });
});
