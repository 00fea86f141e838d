import type { Role } from './platform/roles.ts';
import type { RouteKey } from './route-access.ts';

/**
 * The worked examples of the API: one scenario — a coffee shop in Moscow, its catalog and
 * rules, a customer signed up at the till, a two-phase checkout, a return and a void — as the
 * requests an integrator sends and the answers Patron gives. They are what /docs shows on each
 * route (`addRouteExamples`), tests/openapi-examples.test.ts checks every request against its
 * route's schema, and a "docs that run" test can send them, in order, to a demo server.
 *
 * Running them: start from an empty database at 2026-03-01T09:00:00Z (the answers' times), send
 * each entry in order with a key of its `role`. Ids the server makes differ from run to run:
 * `exampleIds` are the ones these answers show, so a runner maps each to the id its server
 * returned at the same place (the customer created first is `exampleIds.anna`, …) and then
 * compares. Amounts are in kopecks (`price: 149000` is 1,490.00 ₽), quantities of weighed goods
 * in kilograms.
 */
export type DocExample = {
  /** The route, as src/route-access.ts names it. */
  route: RouteKey;
  summary: string;
  /** The role of the key the request is sent with. */
  role: Role;
  /** A step the later examples need (a second customer, a receipt to void); the route's documented example is another entry. */
  step?: true;
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
  status: number;
  response: unknown;
};

export const exampleIds = {
  anna: 'cus_0195f3c2a8e07d3b9c41e2a6f5d8b701',
  smsConsent: 'cns_0195f3c2a8f17c2e9b3d4a5f6e7d8c90',
  emailConsent: 'cns_0195f3c2ab3c7d4f8e9a0b1c2d3e4f50',
  duplicate: 'cus_0195f3c2b1147a52a3e09c7d4b6e2f18',
  ivan: 'cus_0195f3c2b5d97c10b8f4e1a2c3d4e5f6',
  receipt: 'rcp_0195f3c2c0a17e4f8d2b6a9c1e3f5a70',
  cancelledReceipt: 'rcp_0195f3c2c4b27f01a9e8d7c6b5a4f3e2',
  posKey: 'key_0195f3c29e6a7b8c9d0e1f2a3b4c5d6e',
  cancelledLot: 'lot_0195f3c2c4b97a1b2c3d4e5f60718293',
  returnedLot: 'lot_0195f3c2c3e47b5c6d7e8f9012345678',
  receiptLot: 'lot_0195f3c2c0b87c9d0e1f2a3b4c5d6e7f',
  adjustmentLot: 'lot_0195f3c2bf107d2e3f4a5b6c7d8e9f01',
  ownerKey: 'key_0195f3c29d5e7a6b5c4d3e2f1a0b9c8d',
  promotion: 'prm_0195f3c2d1a27b3c4d5e6f708192a3b4',
  batch: 'pcb_0195f3c2d2b37c4d5e6f708192a3b4c5',
} as const;
const ids = exampleIds;

export const docExamples: DocExample[] = [
  {
    route: 'PUT /v1/stores/{id}',
    summary: 'A store in Moscow',
    role: 'owner',
    params: { id: 'msk-01' },
    body: { name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow' },
    status: 200,
    response: { id: 'msk-01', name: 'Moscow, Tverskaya', region: 'Moscow', timezone: 'Europe/Moscow', active: true },
  },
  {
    route: 'PUT /v1/products',
    summary: 'A product: coffee beans',
    role: 'owner',
    body: [{ sku: 'COF-1KG', name: 'Arabica 1 kg', categoryPath: ['grocery', 'coffee'], brand: 'Roastery' }],
    status: 200,
    response: { upserted: 1 },
  },
  {
    route: 'PUT /v1/earning-rules',
    summary: '5% base rate, coffee ×3',
    role: 'owner',
    body: { rules: [{ id: 'base', name: 'Base rate 5%', kind: 'percent', rateBp: 500, conditions: {}, priority: 0, stacking: 'highest', active: true }, { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', factor: 3, conditions: { categories: ['coffee'] }, priority: 10, stacking: 'highest', active: true }] },
    status: 200,
    response: { rules: [{ id: 'base', name: 'Base rate 5%', kind: 'percent', conditions: {}, stacking: 'highest', rateBp: 500, priority: 0, active: true }, { id: 'coffee-x3', name: 'Coffee ×3', kind: 'multiplier', conditions: { categories: ['coffee'] }, stacking: 'highest', factor: 3, priority: 10, active: true }], version: 1, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'PUT /v1/tiers',
    summary: 'Silver, Gold and Platinum by spend over a year',
    role: 'owner',
    body: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 3000000, earnRateBp: 700, privileges: ['free delivery'] }, { id: 'platinum', name: 'Platinum', threshold: 8000000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] }] },
    status: 200,
    response: { metric: 'spend', window: { kind: 'rolling', days: 365 }, downgrade: 'one_level', tiers: [{ id: 'silver', name: 'Silver', threshold: 0, privileges: [] }, { id: 'gold', name: 'Gold', threshold: 3000000, earnRateBp: 700, privileges: ['free delivery'] }, { id: 'platinum', name: 'Platinum', threshold: 8000000, earnRateBp: 1000, maxRedeemShareBp: 5000, privileges: ['free delivery', 'personal manager'] }], version: 1, updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers',
    summary: 'Sign up a customer with a phone, a card and an SMS consent',
    role: 'owner',
    body: { phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '7770 0001', firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }] },
    status: 201,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.petrova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/{id}',
    summary: 'The profile',
    role: 'owner',
    params: { id: ids.anna },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.petrova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.petrova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Petrova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers/lookup',
    summary: 'A till finds the customer by phone: the till view',
    role: 'pos',
    query: { phone: '+79123456789' },
    status: 200,
    response: { id: ids.anna, phone: '+7912*****89', email: 'a***@example.com', card: null, balance: 0, pendingPoints: 0, tier: { id: 'silver', name: 'Silver' } },
  },
  {
    route: 'PATCH /v1/customers/{id}',
    summary: 'A new e-mail and surname',
    role: 'owner',
    params: { id: ids.anna },
    body: { email: 'anna.smirnova@example.com', lastName: 'Smirnova' },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'GET /v1/customers',
    summary: 'Search by the start of a phone',
    role: 'owner',
    query: { q: '+7912', limit: '20' },
    status: 200,
    response: { items: [{ id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' }], nextCursor: null },
  },
  {
    route: 'PUT /v1/customers/{id}/consents',
    summary: 'E-mail marketing consent given on the website',
    role: 'owner',
    params: { id: ids.anna },
    body: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }],
    status: 200,
    response: { current: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z' }, { channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z' }], history: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z', id: ids.smsConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }, { channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z', id: ids.emailConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }] },
  },
  {
    route: 'GET /v1/customers/{id}/consents',
    summary: 'Current consents and their history',
    role: 'owner',
    params: { id: ids.anna },
    status: 200,
    response: { current: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z' }, { channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z' }], history: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', at: '2026-03-01T09:00:00.000Z', id: ids.smsConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { operator: 'Maria K.', textVersion: 'sms-2026-01' } }, { channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2026-03-01T09:00:00.000Z', id: ids.emailConsent, recordedAt: '2026-03-01T09:00:00.000Z', evidence: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', textVersion: 'email-2026-01' } }] },
  },
  {
    route: 'POST /v1/customers',
    summary: 'A duplicate signed up with a second card (merged below)',
    role: 'owner',
    step: true,
    body: { cardNumber: '7770 0002', firstName: 'Anna' },
    status: 201,
    response: { id: ids.duplicate, status: 'active', phone: null, email: null, cardNumber: '77700002', externalIds: {}, identifiers: [{ kind: 'card', value: '77700002', primary: true }], firstName: 'Anna', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/merge',
    summary: 'Merge the duplicate: its card joins the survivor',
    role: 'owner',
    params: { id: ids.anna },
    body: { from: ids.duplicate },
    status: 200,
    response: { id: ids.anna, status: 'active', phone: '+79123456789', email: 'anna.smirnova@example.com', cardNumber: '77700001', externalIds: {}, identifiers: [{ kind: 'card', value: '77700001', primary: true }, { kind: 'card', value: '77700002', primary: false }, { kind: 'email', value: 'anna.smirnova@example.com', primary: true }, { kind: 'phone', value: '+79123456789', primary: true }], firstName: 'Anna', lastName: 'Smirnova', birthDate: '1990-04-12', gender: 'female', city: 'Moscow', timezone: 'Europe/Moscow', locale: 'ru-RU', tags: ['coffee'], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers',
    summary: 'A customer who will ask to be forgotten',
    role: 'owner',
    step: true,
    body: { phone: '+79035550101', firstName: 'Ivan' },
    status: 201,
    response: { id: ids.ivan, status: 'active', phone: '+79035550101', email: null, cardNumber: null, externalIds: {}, identifiers: [{ kind: 'phone', value: '+79035550101', primary: true }], firstName: 'Ivan', lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/erase',
    summary: 'Erase personal data',
    role: 'owner',
    params: { id: ids.ivan },
    status: 200,
    response: { id: ids.ivan, status: 'erased', phone: null, email: null, cardNumber: null, externalIds: {}, identifiers: [], firstName: null, lastName: null, birthDate: null, gender: null, city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z', erasedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/customers/{id}/points/adjustments',
    summary: 'Points moved from an old card',
    role: 'owner',
    params: { id: ids.anna },
    headers: { 'idempotency-key': 'ticket-4711' },
    body: { points: 1000, reason: 'Points moved from the old card (ticket 4711)' },
    status: 201,
    response: { customerId: ids.anna, points: 1000, reason: 'Points moved from the old card (ticket 4711)', balance: 1000, pendingPoints: 0 },
  },
  {
    route: 'POST /v1/checkout/calculate',
    summary: 'Coffee and cheese by weight, 500 points asked (cut to the 30% cap)',
    role: 'pos',
    body: { storeId: 'msk-01', customer: { phone: '8 912 345-67-89' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }], redeemPoints: 500 },
    status: 200,
    response: { lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 156, pointsRedeemed: 446, redeemedMinor: 44631, payable: 104369 }, { sku: 'cheese', qty: 0.455, price: 34990, total: 15920, discount: 0, excluded: false, pointsEarned: 5, pointsRedeemed: 48, redeemedMinor: 4769, payable: 11151 }], total: 164920, discount: 0, pointsToEarn: 161, maxRedeemable: 494, pointsRedeemed: 494, redeemedMinor: 49400, payable: 115520, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 57, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 104, lines: [0] }], messages: ['At most 494 points can pay for this receipt (30% of eligible goods)'], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 1000, pendingPoints: 0, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'The same receipt committed under its POS receipt id',
    role: 'pos',
    body: { storeId: 'msk-01', posReceiptId: 'R-000123', registerId: 'msk-01-R1', customer: { phone: '8 912 345-67-89' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }, { sku: 'cheese', category: 'dairy', qty: 0.455, price: 34990 }], redeemPoints: 500 },
    status: 201,
    response: { receiptId: ids.receipt, storeId: 'msk-01', posReceiptId: 'R-000123', occurredAt: '2026-03-01T09:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 0, excluded: false, pointsEarned: 156, pointsRedeemed: 446, redeemedMinor: 44631, payable: 104369 }, { sku: 'cheese', qty: 0.455, price: 34990, total: 15920, discount: 0, excluded: false, pointsEarned: 5, pointsRedeemed: 48, redeemedMinor: 4769, payable: 11151 }], total: 164920, discount: 0, pointsToEarn: 161, maxRedeemable: 494, pointsRedeemed: 494, redeemedMinor: 49400, payable: 115520, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 57, lines: [0, 1] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 104, lines: [0] }], messages: ['At most 494 points can pay for this receipt (30% of eligible goods)'], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 506, pendingPoints: 161, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/receipts/{id}/refunds',
    summary: 'The cheese comes back',
    role: 'pos',
    params: { id: ids.receipt },
    body: { refundId: 'RF-1', lines: [{ sku: 'cheese', qty: 0.455 }] },
    status: 201,
    response: { receiptId: ids.receipt, refundId: 'RF-1', lines: [{ lineNo: 2, sku: 'cheese', qty: 0.455, amount: 11151, pointsReversed: 5, pointsReturned: 48 }], amount: 11151, pointsReversed: 5, pointsReturned: 48, pointsForgiven: 0, pointsAlreadyExpired: 0, customer: { id: ids.anna, balance: 554, pendingPoints: 156 } },
  },
  {
    route: 'POST /v1/checkout/confirm',
    summary: 'Two packs of coffee by card (voided below)',
    role: 'pos',
    step: true,
    body: { storeId: 'msk-01', posReceiptId: 'R-000124', registerId: 'msk-01-R1', customer: { card: '7770 0001' }, lines: [{ sku: 'COF-1KG', qty: 2, price: 149000 }] },
    status: 201,
    response: { receiptId: ids.cancelledReceipt, storeId: 'msk-01', posReceiptId: 'R-000124', occurredAt: '2026-03-01T09:00:00.000Z', lines: [{ sku: 'COF-1KG', qty: 2, price: 149000, total: 298000, discount: 0, excluded: false, pointsEarned: 447, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000 }], total: 298000, discount: 0, pointsToEarn: 447, maxRedeemable: 554, pointsRedeemed: 0, redeemedMinor: 0, payable: 298000, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 149, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 298, lines: [0] }], messages: [], adjustments: { applied: [], rejected: [] }, promotions: [], rulesVersion: 1, customer: { id: ids.anna, balance: 554, pendingPoints: 603, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'POST /v1/checkout/cancel',
    summary: 'Void receipt R-000124',
    role: 'pos',
    body: { storeId: 'msk-01', posReceiptId: 'R-000124' },
    status: 200,
    response: { receiptId: ids.cancelledReceipt, refundId: 'cancel:R-000124', lines: [{ lineNo: 1, sku: 'COF-1KG', qty: 2, amount: 298000, pointsReversed: 447, pointsReturned: 0 }], amount: 298000, pointsReversed: 447, pointsReturned: 0, pointsForgiven: 0, pointsAlreadyExpired: 0, customer: { id: ids.anna, balance: 554, pendingPoints: 156 } },
  },
  {
    route: 'GET /v1/customers/{id}/balance',
    summary: 'Available, pending and expiring points, tier progress',
    role: 'pos',
    params: { id: ids.anna },
    status: 200,
    response: { customerId: ids.anna, available: 554, pendingPoints: 156, pending: [{ points: 156, activatesAt: '2026-03-15T09:00:00.000Z' }], expiring: { points: 554, at: '2027-03-01T09:00:00.000Z' }, lifetime: { earned: 1156, redeemed: 446, expired: 0 }, tier: { id: 'silver', name: 'Silver', privileges: [], progress: { metric: 'spend', value: 104369, windowStart: '2025-03-01T09:00:00.000Z', next: { id: 'gold', name: 'Gold', threshold: 3000000, remaining: 2895631 } } } },
  },
  {
    route: 'GET /v1/customers/{id}/ledger',
    summary: 'Every change, newest first',
    role: 'owner',
    params: { id: ids.anna },
    query: { limit: '20' },
    status: 200,
    response: { items: [{ id: 7, kind: 'reverse_earn', available: 0, pending: -447, lotId: null, receiptId: ids.cancelledReceipt, refundId: 'cancel:R-000124', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 6, kind: 'earn', available: 0, pending: 447, lotId: ids.cancelledLot, receiptId: ids.cancelledReceipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 5, kind: 'return_redeemed', available: 48, pending: 0, lotId: ids.returnedLot, receiptId: ids.receipt, refundId: 'RF-1', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 4, kind: 'reverse_earn', available: 0, pending: -5, lotId: null, receiptId: ids.receipt, refundId: 'RF-1', reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 3, kind: 'earn', available: 0, pending: 161, lotId: ids.receiptLot, receiptId: ids.receipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 2, kind: 'redeem', available: -494, pending: 0, lotId: null, receiptId: ids.receipt, refundId: null, reason: null, actor: ids.posKey, at: '2026-03-01T09:00:00.000Z' }, { id: 1, kind: 'adjust', available: 1000, pending: 0, lotId: ids.adjustmentLot, receiptId: null, refundId: null, reason: 'Points moved from the old card (ticket 4711)', actor: ids.ownerKey, at: '2026-03-01T09:00:00.000Z' }], nextCursor: null },
  },
  {
    route: 'POST /v1/promotions',
    summary: 'Coffee 15% off with a code, 100,000.00 budget, once per customer',
    role: 'owner',
    body: { name: 'Coffee week', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, limits: { budgetMinor: 10000000, perCustomer: 1 } },
    status: 201,
    response: { id: ids.promotion, name: 'Coffee week', status: 'active', benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, audience: { kind: 'everyone' }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, stacking: { exclusive: false, priority: 0 }, limits: { budgetMinor: 10000000, perCustomer: 1 }, requiresCode: true, releaseOnReturn: true, usage: { usedMinor: 0, uses: 0, budgetLeftMinor: 10000000, usesLeft: null }, version: 1, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/promo-codes',
    summary: 'A public code for it',
    role: 'owner',
    body: { promotionId: ids.promotion, code: 'COFFEE-15' },
    status: 201,
    response: { code: 'COFFEE15', promotionId: ids.promotion, batchId: null, customerId: null, usesLimit: null, uses: 0, perCustomer: null, validFrom: null, validTo: null, createdAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/checkout/calculate',
    summary: 'A till applies the code: the discount comes off before points',
    role: 'pos',
    body: { storeId: 'msk-01', customer: { phone: '+79123456789' }, lines: [{ sku: 'COF-1KG', qty: 1, price: 149000 }], promoCodes: ['coffee-15', 'NOSUCHCODE'] },
    status: 200,
    response: { lines: [{ sku: 'COF-1KG', qty: 1, price: 149000, total: 149000, discount: 22350, excluded: false, pointsEarned: 189, pointsRedeemed: 0, redeemedMinor: 0, payable: 126650 }], total: 149000, discount: 22350, pointsToEarn: 189, maxRedeemable: 379, pointsRedeemed: 0, redeemedMinor: 0, payable: 126650, currency: 'RUB', applied: [{ ruleId: 'base', kind: 'percent', name: 'Base rate 5%', points: 63, lines: [0] }, { ruleId: 'coffee-x3', kind: 'multiplier', name: 'Coffee ×3', points: 126, lines: [0] }], messages: [], adjustments: { applied: [{ adjuster: 'promotions', id: ids.promotion, name: 'Coffee week', discountMinor: 22350, lines: [{ line: 0, discountMinor: 22350 }] }], rejected: [{ adjuster: 'promotions', id: 'NOSUCHCODE', reason: 'unknown', detail: 'Code NOSUCHCODE: no such promo code' }] }, promotions: [{ id: ids.promotion, name: 'Coffee week', code: 'COFFEE15', applied: true, discount: 22350, reason: null, detail: null }, { id: 'NOSUCHCODE', name: null, code: 'NOSUCHCODE', applied: false, discount: 0, reason: 'unknown', detail: 'Code NOSUCHCODE: no such promo code' }], rulesVersion: 1, customer: { id: ids.anna, balance: 554, pendingPoints: 156, tier: { id: 'silver', name: 'Silver' } } },
  },
  {
    route: 'PATCH /v1/promotions/{id}',
    summary: 'Pause it (a merge patch: nothing else changes)',
    role: 'owner',
    params: { id: ids.promotion },
    body: { status: 'paused' },
    status: 200,
    response: { id: ids.promotion, name: 'Coffee week', status: 'paused', benefit: { kind: 'percent_off', percentBp: 1500, target: { categories: ['coffee'] } }, audience: { kind: 'everyone' }, validity: { from: '2026-03-01T00:00:00Z', to: '2026-03-08T00:00:00Z' }, stacking: { exclusive: false, priority: 0 }, limits: { budgetMinor: 10000000, perCustomer: 1 }, requiresCode: true, releaseOnReturn: true, usage: { usedMinor: 0, uses: 0, budgetLeftMinor: 10000000, usesLeft: null }, version: 2, createdAt: '2026-03-01T09:00:00.000Z', updatedAt: '2026-03-01T09:00:00.000Z' },
  },
  {
    route: 'POST /v1/promo-codes/batches',
    summary: '10,000 single-use codes with a prefix and a check character',
    role: 'owner',
    body: { promotionId: ids.promotion, count: 10000, prefix: 'CW', checkCharacter: true },
    status: 202,
    response: { id: ids.batch, promotionId: ids.promotion, count: 10000, length: 6, prefix: 'CW', checkCharacter: true, usesPerCode: 1, generated: 0, progress: 0, status: 'queued', failure: null, createdAt: '2026-03-01T09:00:00.000Z', startedAt: null, finishedAt: null },
  },
];

type MediaType = { schema?: { $ref?: string }; examples?: Record<string, { summary: string; value: unknown }> };
type Operation = { requestBody?: { content?: Record<string, MediaType> }; responses?: Record<string, { content?: Record<string, MediaType> }> };
type OpenApiDocument = { paths?: Record<string, Record<string, Operation> | undefined>; components?: { schemas?: Record<string, { examples?: unknown[] }> } };

const exampleKey = (summary: string) =>
  summary
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);

/**
 * The swagger `transformObject`: puts each example (the steps aside) on its operation — the
 * request body under the request's JSON media type, the answer under its status's — and the
 * first example of each named schema into that schema's `examples`.
 */
export function addRouteExamples<T>(openapiObject: T): T {
  const doc = openapiObject as OpenApiDocument;
  const schemas = doc.components?.schemas ?? {};
  const addTo = (content: Record<string, MediaType> | undefined, key: string, summary: string, value: unknown) => {
    const media = content?.['application/json'];
    if (!content || !media) return;
    // A copy: @fastify/swagger shares one media object between the content types of a route (JSON and CSV products).
    content['application/json'] = { ...media, examples: { ...media.examples, [key]: { summary, value } } };
    const name = media.schema?.$ref?.replace('#/components/schemas/', '');
    const schema = name ? schemas[name] : undefined;
    if (schema && !schema.examples) schema.examples = [value];
  };
  for (const example of docExamples) {
    if (example.step) continue;
    const [method, path] = example.route.split(' ') as [string, string];
    const operation = doc.paths?.[path.split('?')[0]!]?.[method.toLowerCase()];
    if (!operation) continue;
    const key = exampleKey(example.summary);
    if (example.body !== undefined) addTo(operation.requestBody?.content, key, example.summary, example.body);
    addTo(operation.responses?.[String(example.status)]?.content, key, example.summary, example.response);
  }
  return openapiObject;
}

/** Patron's mark for the Swagger UI top bar (in place of Fastify's), served as a data: image. */
export const docsLogo = {
  type: 'image/svg+xml',
  content: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="180" height="40" viewBox="0 0 180 40">' +
      '<circle cx="20" cy="20" r="16" fill="#e8590c"/><text x="20" y="26" font-family="Arial, sans-serif" font-size="18" font-weight="700" fill="#fff" text-anchor="middle">P</text>' +
      '<text x="44" y="27" font-family="Arial, sans-serif" font-size="20" font-weight="700" fill="#fff">Patron API</text></svg>',
  ),
};
