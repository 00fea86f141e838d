import type { DocExample } from './docs-examples.ts';

/**
 * The fiscal-receipt chapter of the worked examples (src/docs-examples.ts runs it after the
 * others, on the same coffee shop): the settings, and a customer's receipt QR submitted and read
 * back. No verification job runs here, so the receipt stays pending; what it earns once verified,
 * and the refusal of the same QR a second time, are in docs/fiscal-receipts.md.
 */
export const fiscalExampleIds = {
  fiscalReceipt: 'frc_0195f3c3b1a27b3c4d5e6f708192a3b4',
} as const;

type Customers = { anna: string };

const at = '2026-03-01T09:00:00.000Z';
const QR = 't=20260301T1130&s=2980.00&fn=9960440300000001&i=12345&fp=3456789012&n=1';

export function fiscalExamples(customers: Customers): DocExample[] {
  const ids = { ...customers, ...fiscalExampleIds };
  const settings = {
    enabled: true, serviceUrl: 'https://proverkacheka.com/api/v1/check/get', serviceFormat: 'proverkacheka', timeoutMs: 10000, allowPrivateNetwork: false,
    timezone: 'Europe/Moscow', storeId: 'msk-01', maxAgeDays: 30,
    products: [{ sku: 'COF-1KG', nameContains: 'арабика 1 кг' }, { sku: 'COF-1KG', barcode: '4607001771234' }],
  };
  const pending = {
    id: ids.fiscalReceipt, customerId: ids.anna, status: 'pending', fn: '9960440300000001', i: 12345, fp: 3456789012, totalMinor: 298000,
    purchasedAt: '2026-03-01T08:30:00.000Z', reason: null, points: null, receiptId: null, lines: [], attempts: 0, lastError: null, createdAt: at, updatedAt: at, verifiedAt: null,
  };
  return [
    {
      route: 'GET /v1/fiscal-receipts/settings',
      summary: 'The fiscal-receipt settings before the first save: switched off',
      role: 'marketer',
      status: 200,
      response: {
        enabled: false, serviceUrl: null, serviceFormat: 'proverkacheka', timeoutMs: 10000, allowPrivateNetwork: false, timezone: 'Europe/Moscow', storeId: null,
        maxAgeDays: 30, products: [], tokenSet: false, version: 0, updatedAt: null,
      },
    },
    {
      route: 'PUT /v1/fiscal-receipts/settings',
      summary: "Receipts checked at proverkacheka.com, booked at the Moscow store; the brand's beans known by name or barcode",
      role: 'marketer',
      body: { ...settings, token: '41234.AbCdEfGhIjKlMnOp' },
      status: 200,
      response: { ...settings, tokenSet: true, version: 1, updatedAt: at },
    },
    {
      route: 'POST /v1/customers/{id}/fiscal-receipts',
      summary: "Anna's receipt QR, as the app scanned it: pending until the verification service answers",
      role: 'pos',
      params: { id: ids.anna },
      body: { qr: QR },
      status: 202,
      response: pending,
    },
    {
      route: 'GET /v1/fiscal-receipts/{id}',
      summary: 'The receipt, still pending',
      role: 'support',
      params: { id: ids.fiscalReceipt },
      status: 200,
      response: pending,
    },
    {
      route: 'GET /v1/customers/{id}/fiscal-receipts',
      summary: "Anna's receipts, newest first",
      role: 'pos',
      params: { id: ids.anna },
      status: 200,
      response: { items: [pending], nextCursor: null },
    },
  ];
}
