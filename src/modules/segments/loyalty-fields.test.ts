import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Loyalty's segment fields — tier, balance, pending and expiring points — against what the
 * loyalty API says of each customer (the balance and tier a support operator reads), on
 * customers whose points and tiers differ in every way the fields tell apart.
 */
let t: TestApp;
let phones = 0;
const people: string[] = [];

const preview = async (rules: object): Promise<string[]> => {
  const answer = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules } });
  expect(answer.statusCode, answer.body).toBe(200);
  const body = answer.json() as { count: number; sample: Array<{ customerId: string }> };
  expect(body.count).toBe(body.sample.length);
  return body.sample.map((member) => member.customerId).sort();
};
type Balance = { available: number; pendingPoints: number; expiring: { points: number; at: string } | null; tier: { id: string } | null };
const balanceOf = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json() as Balance;
const whereBalance = async (test: (balance: Balance) => boolean) => {
  const found: string[] = [];
  for (const id of people) if (test(await balanceOf(id))) found.push(id);
  return found.sort();
};

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  const tiers = await t.call({
    method: 'PUT',
    url: '/v1/tiers',
    payload: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 3_000_000, privileges: [] }] },
  });
  expect(tiers.statusCode, tiers.body).toBe(200);
  for (let i = 0; i < 5; i++) people.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7915666${String(++phones).padStart(4, '0')}` } })).json().id);
  const [big, small, adjusted, both] = people as [string, string, string, string, string];
  const buy = async (customerId: string, pos: string, price: number) => {
    const answer = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: pos, customer: { customerId }, lines: [{ sku: 'TV', qty: 1, price }] } });
    expect(answer.statusCode, answer.body).toBe(201);
  };
  // Weeks ago: points from these receipts are available now; the adjustments are available at once.
  t.clock.set('2026-02-01T09:00:00Z');
  await buy(big, 'big-1', 3_200_000);
  await buy(both, 'both-1', 50_000);
  t.clock.set('2026-03-01T09:00:00Z');
  await buy(small, 'small-1', 40_000);
  for (const [id, points] of [[adjusted, 700], [both, 300]] as const) {
    const answer = await t.call({ method: 'POST', url: `/v1/customers/${id}/points/adjustments`, payload: { points, reason: 'goodwill' } });
    expect(answer.statusCode, answer.body).toBe(201);
  }
  // The jobs a server runs: pending points become available, tiers are reviewed.
  for (const job of ['activate-points', 'review-tiers'] as const) await t.services.loyalty.runJob(job);
});
afterAll(async () => t?.close());

describe("loyalty's segment fields agree with the loyalty API", () => {
  it('tier', async () => {
    expect(await preview({ field: 'tier', op: 'eq', value: 'gold' })).toEqual(await whereBalance((b) => b.tier?.id === 'gold'));
    expect(await preview({ field: 'tier', op: 'eq', value: 'gold' })).toHaveLength(1);
    expect(await preview({ field: 'tier', op: 'ne', value: 'gold' })).toEqual(await whereBalance((b) => b.tier?.id !== 'gold'));
  });

  it('points available and pending', async () => {
    for (const at of [1, 300, 700, 1000]) {
      expect(await preview({ field: 'points.balance', op: 'gte', value: at }), `balance ≥ ${at}`).toEqual(await whereBalance((b) => b.available >= at));
    }
    const pending = await whereBalance((b) => b.pendingPoints > 0);
    expect(pending.length).toBeGreaterThan(0);
    expect(await preview({ field: 'points.pending', op: 'gt', value: 0 })).toEqual(pending);
    expect(await preview({ field: 'points.balance', op: 'eq', value: 0 })).toEqual(await whereBalance((b) => b.available === 0));
  });

  it('points expiring within N days', async () => {
    const now = t.clock.now().getTime();
    for (const days of [30, 360, 400]) {
      const within = await whereBalance((b) => b.expiring !== null && b.expiring.points > 0 && new Date(b.expiring.at).getTime() <= now + days * 86_400_000);
      expect(await preview({ field: 'points.expiring', withinDays: days, op: 'gt', value: 0 }), `within ${days} days`).toEqual(within);
    }
    expect(await preview({ field: 'points.expiring', withinDays: 400, op: 'gt', value: 0 })).not.toEqual([]);
    expect(await preview({ field: 'points.expiring', withinDays: 30, op: 'gt', value: 0 })).toEqual([]);
  });
});
