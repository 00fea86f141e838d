import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { TestApp } from './test-app.ts';

/**
 * A brand without a till, as the fiscal-receipt tests set it up: a store the receipts are booked
 * at, a catalog with the brand's coffee and tea, a 5% base rule, and receipts switched on with
 * the verification service at `serviceUrl` (a loopback server: private network allowed).
 */
export const BRAND_RULES = [
  { sku: 'COF-ARABICA-1KG', nameContains: 'кофе арабика' },
  { sku: 'TEA-GREEN-100', barcode: '4600000000017' },
];

export async function setUpBrand(t: TestApp, serviceUrl: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const must = async (response: Promise<LightMyRequestResponse>) => {
    const done = await response;
    expect(done.statusCode, done.body).toBeLessThan(300);
    return done.json();
  };
  await must(t.call({ method: 'PUT', url: '/v1/stores/brand-receipts', payload: { name: 'Receipts from shops', timezone: 'Europe/Moscow' } }));
  await must(t.call({
    method: 'PUT',
    url: '/v1/products',
    payload: [
      { sku: 'COF-ARABICA-1KG', name: 'Arabica beans 1 kg', categoryPath: ['grocery', 'coffee'], brand: 'Roastery' },
      { sku: 'TEA-GREEN-100', name: 'Green tea 100 g', categoryPath: ['grocery', 'tea'], brand: 'Roastery' },
    ],
  }));
  await setRate(t, 500);
  await must(t.call({
    method: 'PUT',
    url: '/v1/fiscal-receipts/settings',
    payload: {
      enabled: true, serviceUrl, serviceFormat: 'generic', token: 'svc-token-123', timeoutMs: 2000, allowPrivateNetwork: true,
      timezone: 'Europe/Moscow', storeId: 'brand-receipts', maxAgeDays: 30, products: BRAND_RULES, ...overrides,
    },
  }));
}

/** The base earning rule at `rateBp` (500 = 5% of the paid amount in points). */
export async function setRate(t: TestApp, rateBp: number): Promise<void> {
  const saved = await t.call({
    method: 'PUT',
    url: '/v1/earning-rules',
    payload: { rules: [{ id: 'base', name: `Base ${rateBp / 100}%`, kind: 'percent', rateBp, conditions: {}, priority: 0, stacking: 'highest', active: true }] },
  });
  expect(saved.statusCode, saved.body).toBe(200);
}

/** A receipt's QR text: 2026-03-01 10:00 Moscow time (the test clock starts at 12:00 there). */
export function qrText(i: number, s = '1495.00', extra = ''): string {
  return `t=20260301T1000&s=${s}&fn=9960440300000001&i=${i}&fp=${1_000_000 + i}&n=1${extra}`;
}

/** The generic service's answer: the brand's coffee (by name), tea (by barcode) and a bag of someone else's. */
export const foundAnswer = (items: Array<Record<string, unknown>>) => ({ status: 'found', items });
export const coffee = { name: 'Кофе  Арабика зерно 1кг', price: 149000, quantity: 1, sum: 149000 };
export const tea = { name: 'Чай зелёный 100г', price: 30000, quantity: 2, sum: 56000, barcode: '4600000000017' };
export const bag = { name: 'Пакет майка', price: 500, quantity: 1, sum: 500 };

export async function newCustomer(t: TestApp, phone: string): Promise<string> {
  const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
}

export function submit(t: TestApp, customerId: string, qr: string, role: 'owner' | 'pos' | 'support' = 'pos') {
  return t.call({ method: 'POST', url: `/v1/customers/${customerId}/fiscal-receipts`, role, payload: { qr } });
}
