import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * The API's conventions (docs/api.md, "Conventions"), checked on every route the OpenAPI
 * document lists, so a route a later issue adds follows them or fails here:
 * - every list answers `{items, nextCursor}`, takes `limit` and `cursor`, and pages for real;
 * - PUT takes exactly what GET answers (sending it back changes nothing);
 * - PATCH is a JSON merge patch (RFC 7396);
 * - a count is a number and a list is a list, under one name everywhere.
 */
type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; required?: string[] };
type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema> } };

let t: TestApp;
let doc: OpenApi;
const params: Record<string, string> = {};

const resolve = (schema: Schema | undefined): Schema | undefined =>
  schema?.$ref ? resolve(doc.components.schemas[schema.$ref.replace('#/components/schemas/', '')]) : schema;

const answerOf = (operation: Operation) => resolve(operation.responses['200']?.content?.['application/json']?.schema);
const isPage = (schema: Schema | undefined) => schema?.type === 'object' && schema.properties?.items?.type === 'array';
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, byMethod]) => Object.entries(byMethod).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })));
const listRoutes = () => operations().filter(({ method, operation }) => method === 'GET' && isPage(answerOf(operation)));
const urlOf = (path: string) => path.replace(/\{(\w+)\}/g, (_all, name: string) => encodeURIComponent(params[`${path}:${name}`] ?? params[name] ?? ''));

beforeAll(async () => {
  t = await createTestApp();
  doc = (await t.call({ method: 'GET', url: '/openapi.json', role: null })).json() as OpenApi;
  // Two of everything a list shows, so every list has a second page to reach.
  const post = async (url: string, payload: unknown, method: 'POST' | 'PUT' = 'POST') => {
    const response = await t.call({ method, url, payload: payload as object });
    expect(response.statusCode, `${method} ${url}: ${response.body}`).toBeLessThan(300);
    return response.json();
  };
  await post('/v1/stores', [{ id: 's1', name: 'One', region: 'Moscow', timezone: 'Europe/Moscow' }, { id: 's2', name: 'Two', timezone: 'Europe/Moscow' }], 'PUT');
  await post('/v1/products', [{ sku: 'A', name: 'Apple' }, { sku: 'B', name: 'Bread' }], 'PUT');
  await post('/v1/customer-attributes/size', { type: 'string', label: 'Size' }, 'PUT');
  await post('/v1/customer-attributes/colour', { type: 'enum', label: 'Colour', options: ['red', 'blue'] }, 'PUT');
  const anna = await post('/v1/customers', { phone: '+79123456789', firstName: 'Anna', consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos' }] });
  const ivan = await post('/v1/customers', { phone: '+79123456780', firstName: 'Ivan' });
  for (const pos of ['R-1', 'R-2']) await post('/v1/checkout/confirm', { storeId: 's1', posReceiptId: pos, customer: { customerId: anna.id }, lines: [{ sku: 'A', qty: 1, price: 10000 }] });
  for (const name of ['a.csv', 'b.csv']) {
    await t.call({ method: 'POST', url: `/v1/imports/customers?fileName=${name}`, headers: { 'content-type': 'text/csv' }, payload: 'phone\n+79990000001\n' });
  }
  await t.services.imports.idle();
  await t.key('pos');
  const promotions = [];
  for (const name of ['Autumn', 'Winter']) promotions.push(await post('/v1/promotions', { name, requiresCode: true, benefit: { kind: 'percent_off', percentBp: 500 } }));
  for (const code of ['AUTUMN1', 'AUTUMN2']) await post('/v1/promo-codes', { promotionId: promotions[0].id, code });
  for (const count of [3, 4]) await post('/v1/promo-codes/batches', { promotionId: promotions[1].id, count });
  await t.services.promotions.batches.idle();
  params['/v1/promotions/{id}:id'] = promotions[0].id;
  params['/v1/promo-codes/{code}:code'] = 'AUTUMN1';
  const batches = (await t.call({ method: 'GET', url: '/v1/promo-codes/batches' })).json().items;
  params['/v1/promo-codes/batches/{id}:id'] = batches[0].id;
  // Gift cards: two cards (one with two ledger entries) and two batches.
  const card = await post('/v1/gift-cards', { amountMinor: 5000 });
  await post(`/v1/gift-cards/${card.code}/activate`, { amountMinor: 1000 });
  await post('/v1/gift-cards', { amountMinor: 7000, activate: true });
  for (const count of [2, 3]) await post('/v1/gift-cards/batches', { count, amountMinor: 100000 });
  await t.services.giftCards.batches.idle();
  params['/v1/gift-cards/{code}:code'] = card.code;
  params['/v1/gift-cards/{code}/entries:code'] = card.code;
  params['/v1/gift-cards/batches/{id}:id'] = (await t.call({ method: 'GET', url: '/v1/gift-cards/batches' })).json().items[0].id;
  params.id = anna.id;
  params.key = 'size';
  params['/v1/stores/{id}:id'] = 's1';
  params['/v1/earning-rules/{id}:id'] = 'base';
  params['/v1/tiers/{id}:id'] = 'base';
  // Partners: two, each with a store of its own (a store has one partner; s1 and s2 stay the operator's).
  const partners = [];
  for (const store of ['p1', 'p2']) await post(`/v1/stores/${store}`, { name: `Partner store ${store}`, timezone: 'Europe/Moscow' }, 'PUT');
  for (const store of ['p1', 'p2']) partners.push(await post('/v1/partners', { name: `Partner of ${store}`, storeIds: [store], earnRateBp: 300, issuedPer100PointsMinor: 9000, redeemedPer100PointsMinor: 8500 }));
  params['/v1/partners/{id}:id'] = partners[0].id;
  // Rewards: two of the catalog, and a customer of their own with two orders and two privileges held.
  const rita = await post('/v1/customers', { phone: '+79123456781', firstName: 'Rita' });
  await post(`/v1/customers/${rita.id}/points/adjustments`, { points: 1000, reason: 'seed' });
  const earlyAccess = await post('/v1/rewards', { name: 'Early access', kind: 'privilege', status: 'active', privilege: 'early_access', validDays: 30, pointsCost: 10 });
  await post('/v1/rewards', { name: 'Mug', kind: 'goods', status: 'active', pointsCost: 10, stock: 5 });
  for (const key of ['seed-1', 'seed-2']) {
    const order = await t.call({ method: 'POST', url: `/v1/customers/${rita.id}/rewards`, headers: { 'idempotency-key': key }, payload: { rewardId: earlyAccess.id } });
    expect(order.statusCode, order.body).toBe(201);
  }
  params['/v1/rewards/{id}:id'] = earlyAccess.id;
  params['/v1/customers/{id}/rewards:id'] = rita.id;
  params['/v1/customers/{id}/privileges:id'] = rita.id;
  // Referrals: a referrer with two friends who named the code.
  const olga = await post('/v1/customers', { phone: '+79123456782', firstName: 'Olga' });
  const olgaCode = (await t.call({ method: 'GET', url: `/v1/customers/${olga.id}/referral` })).json().code;
  for (const phone of ['+79123456783', '+79123456784']) {
    const friend = await post('/v1/customers', { phone });
    await post(`/v1/customers/${friend.id}/referrer`, { code: olgaCode }, 'PUT');
  }
  params['/v1/customers/{id}/referrals:id'] = olga.id;
  // Lotteries: two with Anna's spend in their period (her entries in each), one drawn with a second entrant.
  const lena = await post('/v1/customers', { phone: '+79123456785', firstName: 'Lena' });
  await t.database.db.insertInto('outboxEvents').values({
    eventId: 'evt_lottery_conventions', type: 'customer.action', customerId: lena.id,
    payload: JSON.stringify({ type: 'survey.answered', eventId: 'survey-1', occurredAt: '2026-03-01T08:00:00Z' }), occurredAt: '2026-03-01T08:00:00Z',
  }).execute();
  const lotteries = [];
  for (const name of ['March', 'Spring']) {
    lotteries.push(await post('/v1/lotteries', {
      name, entryPeriod: { from: '2026-03-01T00:00:00Z', to: '2026-03-01T09:00:00.500Z' },
      rules: [{ kind: 'spend', perMinor: 10000 }, { kind: 'action', eventType: 'survey.answered', entries: 1 }], prizes: [{ name: 'Mug', count: 1 }],
    }));
  }
  const now = t.clock.now();
  t.clock.advance(1000);
  await post(`/v1/lotteries/${lotteries[0].id}/draw`, {});
  t.clock.set(now);
  params['/v1/lotteries/{id}:id'] = lotteries[0].id;
  params['/v1/lotteries/{id}/entries:id'] = lotteries[0].id;
  // Engagement: two action rules, and two events of Anna's.
  const actionRules = [];
  for (const type of ['review.posted', 'app.login']) actionRules.push(await post('/v1/action-rules', { name: type, eventType: type, points: 10 }));
  params['/v1/action-rules/{id}:id'] = actionRules[0].id;
  for (const eventId of ['conv-1', 'conv-2']) await post('/v1/events', { eventId, customer: { customerId: anna.id }, type: 'review.posted' });
  // Segments: two, the first with at least two members and two entries.
  const segments = [];
  for (const name of ['Has a phone', 'Named Anna']) {
    segments.push(await post('/v1/segments', { name, rules: name === 'Has a phone' ? { field: 'identifier', kind: 'phone', op: 'eq', value: true } : { field: 'profile.firstName', op: 'eq', value: 'Anna' } }));
  }
  await t.services.segments.recomputes.idle();
  params['/v1/segments/{id}:id'] = segments[0].id;
  params['/v1/segments/{id}/members:id'] = segments[0].id;
  params['/v1/segments/{id}/changes:id'] = segments[0].id;
  // Recommendations: two baskets of B and C (Ivan's, so Anna's points stay as the tests below count them) give the model two pairs (B→C, C→B).
  for (const pos of ['R-BC-1', 'R-BC-2']) {
    await post('/v1/checkout/confirm', { storeId: 's1', posReceiptId: pos, customer: { customerId: ivan.id }, lines: [{ sku: 'B', qty: 1, price: 5000 }, { sku: 'C', qty: 1, price: 7000 }] });
  }
  await post('/v1/recommendations/runs', { minPairCount: 1 });
  await t.services.recommendations.runs.idle();
  // Alerts: two rules, and two alerts the first fired (stored as its check stores them).
  const alertRules = [];
  for (const kpi of ['recognitionRate', 'revenueMinor']) alertRules.push(await post('/v1/alert-rules', { name: kpi, kind: 'drop', kpi }));
  params['/v1/alert-rules/{id}:id'] = alertRules[0].id;
  // Scheduled reports: two, the first run twice.
  const reports = [];
  for (const kind of ['kpis', 'economics']) reports.push(await post('/v1/reports', { name: kind, kind, schedule: 'daily' }));
  for (let i = 0; i < 2; i++) await post(`/v1/reports/${reports[0].id}/runs`, {});
  params['/v1/reports/{id}:id'] = reports[0].id;
  params['/v1/reports/{id}/runs:id'] = reports[0].id;
  // Messaging: two channels and two templates (the first at two versions), two test sends to Anna, two campaigns (drafts),
  // two journeys (the first active, entered by two sign-ups), two webhooks (the first with two deliveries).
  const channels = [];
  channels.push(await post('/v1/channels', { name: 'Mail relay', kind: 'email', config: { host: '127.0.0.1', port: 2525, from: 'club@shop.example' } }));
  channels.push(await post('/v1/channels', { name: 'SMS gateway', kind: 'sms', config: { preset: 'sms.ru', apiId: 'sms-ru-api-id', test: true } }));
  params['/v1/channels/{id}:id'] = channels[0].id;
  // Subscription topics: two, and Anna's choice on one.
  for (const key of ['news', 'offers']) await post(`/v1/messaging/topics/${key}`, { name: { en: key }, defaultSubscribed: key === 'news' }, 'PUT');
  params['/v1/messaging/topics/{key}:key'] = 'offers';
  await post(`/v1/customers/${anna.id}/topics`, [{ topic: 'offers', subscribed: true }], 'PUT');
  const mail = await post('/v1/templates', { name: 'Balance', kind: 'email', purpose: 'marketing', parts: { subject: 'Hello, {{ customer.firstName }}', text: 'Your balance: {{ balance.available }}' } });
  await post('/v1/templates', { name: 'Balance by SMS', kind: 'sms', purpose: 'marketing', parts: { text: '{{ program.name }}: {{ balance.available }} points' } });
  const renamed = await t.call({ method: 'PATCH', url: `/v1/templates/${mail.id}`, payload: { parts: { subject: 'Hi, {{ customer.firstName }}' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  expect(renamed.json().version, renamed.body).toBe(2);
  for (const path of ['{id}', '{id}/versions', '{id}/preview', '{id}/test']) params[`/v1/templates/${path}:id`] = mail.id;
  for (const to of ['anna@shop.example', 'anna.work@shop.example']) expect((await t.call({ method: 'POST', url: `/v1/templates/${mail.id}/test`, payload: { customerId: anna.id, to } })).statusCode).toBe(202);
  const campaigns = [];
  for (const name of ['Spring news', 'Summer news']) {
    campaigns.push(await post('/v1/campaigns', { name, audience: { kind: 'list', customerIds: [anna.id, ivan.id] }, variants: [{ key: 'A', weightBp: 10000, steps: [{ templateId: mail.id }] }] }));
  }
  params['/v1/campaigns/{id}:id'] = campaigns[0].id;
  const journeys = [];
  for (const name of ['Welcome', 'Second welcome']) {
    journeys.push(await post('/v1/journeys', { name, trigger: { event: 'customer.created' }, steps: [{ id: 'hello', kind: 'send', templateId: mail.id, next: null }], controlShareBp: 0 }));
  }
  await post(`/v1/journeys/${journeys[0].id}/activate`, {});
  const webhooks = [];
  for (const url of ['https://hooks.shop.example/patron', 'https://crm.shop.example/patron']) webhooks.push(await post('/v1/webhooks', { url, eventTypes: ['customer.created'] }));
  for (const phone of ['+79123456786', '+79123456787']) await post('/v1/customers', { phone });
  await t.services.messaging.enterJourneys();
  await t.services.messaging.webhooks.collect();
  for (const path of ['{id}', '{id}/entries']) params[`/v1/journeys/${path}:id`] = journeys[0].id;
  for (const path of ['{id}', '{id}/deliveries']) params[`/v1/webhooks/${path}:id`] = webhooks[0].id;
  // Feedback: two tickets of Anna's.
  const tickets = [];
  for (const text of ['Where are my points?', 'The app logs me out']) tickets.push(await post('/v1/tickets', { customerId: anna.id, text }));
  params['/v1/tickets/{id}:id'] = tickets[0].id;
  params['/v1/tickets/{id}/messages:id'] = tickets[0].id;
  params['/v1/customers/{id}/tickets:id'] = anna.id;
  // Surveys: two open NPS surveys, Anna answering both and Ivan the first.
  const surveys = [];
  for (const en of ['Rate us', 'Rate our app']) surveys.push(await post('/v1/surveys', { kind: 'nps', status: 'open', title: { en }, questions: [{ type: 'nps', text: { en: 'Recommend us?' } }] }));
  for (const [survey, customer, score] of [[surveys[0], anna, 9], [surveys[0], ivan, 3], [surveys[1], anna, 7]] as const) {
    await post(`/v1/surveys/${survey.id}/responses`, { customerId: customer.id, answers: { q1: score } });
  }
  for (const path of ['{id}', '{id}/responses', '{id}/report']) params[`/v1/surveys/${path}:id`] = surveys[0].id;
  for (const day of ['2026-02-27', '2026-02-28']) {
    await t.database.db.insertInto('analyticsAlerts').values({
      id: `alt_${day.replaceAll('-', '')}00700080000000000000ab`.padEnd(36, '0'), ruleId: alertRules[0].id, day, groupKey: '{}', kpi: 'recognitionRate', value: 0.2,
      message: 'Recognition rate dropped', evidence: '{}', firedAt: t.clock.now(),
    }).execute();
  }
  // Fiscal receipts: switched on, two of Anna's receipts submitted.
  await post('/v1/fiscal-receipts/settings', {
    enabled: true, serviceUrl: 'https://check.shop.example/api', serviceFormat: 'generic', token: 'conventions-token', timeoutMs: 5000, allowPrivateNetwork: false,
    timezone: 'Europe/Moscow', storeId: 's1', maxAgeDays: 30, products: [{ sku: 'A', nameContains: 'apple' }],
  }, 'PUT');
  const fiscal = [];
  for (const i of [1, 2]) fiscal.push(await post(`/v1/customers/${anna.id}/fiscal-receipts`, { qr: `t=20260301T1000&s=100.00&fn=9960440300000001&i=${i}&fp=${i}&n=1` }));
  params['/v1/fiscal-receipts/{id}:id'] = fiscal[0].id;
  // Two people in the console.
  const staff = [];
  for (const name of ['maria', 'oleg']) staff.push(await post('/v1/staff-users', { email: `${name}@shop.example`, name, role: 'marketer' }));
  params['/v1/staff-users/{id}:id'] = staff[0].user.id;
});
afterAll(async () => t?.close());

describe('lists: {items, nextCursor}, paged with limit and cursor', () => {
  it('finds the lists in the document, and no answer that is a bare array', () => {
    expect(listRoutes().length).toBeGreaterThanOrEqual(9);
    const bare = operations().filter(({ operation }) => answerOf(operation)?.type === 'array');
    expect(bare.map(({ method, path }) => `${method} ${path}`), 'answers that are bare arrays: make them {items, nextCursor}').toEqual([]);
  });

  it('every list answers nextCursor, takes limit and cursor, and no other paging words', () => {
    const wrong = listRoutes().flatMap(({ path, operation }) => {
      const answer = answerOf(operation)!;
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
      return [
        ...(answer.properties?.nextCursor && answer.required?.includes('nextCursor') ? [] : [`${path}: answers no nextCursor`]),
        ...['limit', 'cursor'].filter((name) => !query.includes(name)).map((name) => `${path}: takes no ${name}`),
        ...query.filter((name) => ['before', 'after', 'offset', 'page', 'pageSize'].includes(name)).map((name) => `${path}: pages with ${name}, not cursor`),
        ...Object.keys(answer.properties ?? {}).filter((name) => /^next(?!Cursor$)/.test(name)).map((name) => `${path}: answers ${name}`),
      ];
    });
    expect(wrong).toEqual([]);
  });

  it('every list pages for real: limit=1 gives one item and a cursor, the cursor gives the next, a made-up cursor is a 400', async () => {
    for (const { path } of listRoutes()) {
      const url = urlOf(path);
      const first = await t.call({ method: 'GET', url: `${url}?limit=1` });
      expect(first.statusCode, `${path}: ${first.body}`).toBe(200);
      const page = first.json() as { items: unknown[]; nextCursor: string | null };
      expect(page.items, path).toHaveLength(1);
      expect(typeof page.nextCursor, `${path}: a second item exists, so nextCursor is a string`).toBe('string');
      const second = await t.call({ method: 'GET', url: `${url}?limit=1&cursor=${encodeURIComponent(page.nextCursor!)}` });
      expect(second.statusCode, `${path}: ${second.body}`).toBe(200);
      const next = second.json() as { items: unknown[] };
      expect(next.items, path).toHaveLength(1);
      expect(next.items[0], `${path}: the second page repeats the first`).not.toEqual(page.items[0]);
      const bad = await t.call({ method: 'GET', url: `${url}?cursor=bm90LWEtY3Vyc29y` });
      expect([bad.statusCode, bad.json().code], path).toEqual([400, 'request.invalid_cursor']);
    }
  });
});

describe('PUT takes exactly what GET answers', () => {
  it('sending back what GET answered is accepted and changes nothing, on every path with both', async () => {
    const paths = Object.entries(doc.paths).filter(([, byMethod]) => byMethod.get && byMethod.put).map(([path]) => path);
    expect(paths.length).toBeGreaterThanOrEqual(8);
    for (const path of paths) {
      const url = urlOf(path);
      const before = await t.call({ method: 'GET', url });
      expect(before.statusCode, `GET ${path}: ${before.body}`).toBe(200);
      const put = await t.call({ method: 'PUT', url, payload: before.json() as object });
      expect(put.statusCode, `PUT ${path} with GET's answer: ${put.body}`).toBeLessThan(300);
      const after = await t.call({ method: 'GET', url });
      expect(after.json(), `${path}: unchanged`).toEqual(before.json());
    }
  });

  it('a PUT carrying the version read is refused once another version was saved (no lost update)', async () => {
    const read = (await t.call({ method: 'GET', url: '/v1/program' })).json() as { version: number; pendingDays: number };
    expect((await t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: read.pendingDays + 1 } })).statusCode).toBe(200);
    const stale = await t.call({ method: 'PUT', url: '/v1/program', payload: { ...read, pendingDays: 3 } });
    expect([stale.statusCode, stale.json().code]).toEqual([409, 'config.version_conflict']);
    expect(stale.json().detail).toContain(`you read version ${read.version}`);
  });
});

describe('PATCH is a JSON merge patch', () => {
  it('every PATCH route takes application/merge-patch+json', () => {
    const patches = operations().filter(({ method }) => method === 'PATCH');
    expect(patches.length).toBeGreaterThanOrEqual(7);
    expect(patches.filter(({ operation }) => !operation.requestBody?.content['application/merge-patch+json']).map(({ path }) => path)).toEqual([]);
  });

  it('an empty patch changes nothing, on every PATCH route', async () => {
    for (const { path } of operations().filter(({ method }) => method === 'PATCH')) {
      const url = urlOf(path);
      const before = (await t.call({ method: 'GET', url })).json();
      const patched = await t.call({ method: 'PATCH', url, payload: {}, headers: { 'content-type': 'application/merge-patch+json' } });
      expect(patched.statusCode, `PATCH ${path}: ${patched.body}`).toBe(200);
      expect((await t.call({ method: 'GET', url })).json(), path).toEqual(before);
    }
  });

  it('program settings: one setting changes, the other twelve stay', async () => {
    const before = (await t.call({ method: 'GET', url: '/v1/program' })).json() as Record<string, unknown>;
    const patched = await t.call({ method: 'PATCH', url: '/v1/program', payload: { pendingDays: 21, expiry: { days: 180 } }, headers: { 'content-type': 'application/merge-patch+json' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const after = patched.json() as Record<string, unknown>;
    expect(after).toEqual({ ...before, pendingDays: 21, expiry: { kind: 'days', days: 180 }, version: (before.version as number) + 1, updatedAt: after.updatedAt });
  });

  it('a patch that would leave the resource invalid is refused in plain words, and changes nothing', async () => {
    const before = (await t.call({ method: 'GET', url: '/v1/program' })).json();
    const bad = await t.call({ method: 'PATCH', url: '/v1/program', payload: { expiry: { kind: 'never' }, currency: null } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual(
      expect.arrayContaining([{ field: 'currency', reason: expect.stringContaining('required') }, { field: 'expiry.days', reason: expect.any(String) }]),
    );
    expect((await t.call({ method: 'GET', url: '/v1/program' })).json()).toEqual(before);
  });

  it('a store: {"active": false} closes it and keeps its region; null clears the region', async () => {
    const closed = await t.call({ method: 'PATCH', url: '/v1/stores/s1', payload: { active: false } });
    expect(closed.json()).toEqual({ id: 's1', name: 'One', region: 'Moscow', timezone: 'Europe/Moscow', active: false });
    const cleared = await t.call({ method: 'PATCH', url: '/v1/stores/s1', payload: { region: null, active: true } });
    expect(cleared.json()).toEqual({ id: 's1', name: 'One', region: null, timezone: 'Europe/Moscow', active: true });
    expect((await t.call({ method: 'PATCH', url: '/v1/stores/nope', payload: { active: false } })).json().code).toBe('store.not_found');
  });

  it('one earning rule and one tier change on their own, each a new version of its set', async () => {
    const rules = (await t.call({ method: 'GET', url: '/v1/earning-rules' })).json() as { version: number };
    const rule = await t.call({ method: 'PATCH', url: '/v1/earning-rules/base', payload: { rateBp: 700 } });
    expect(rule.json()).toMatchObject({ id: 'base', kind: 'percent', rateBp: 700 });
    expect((await t.call({ method: 'GET', url: '/v1/earning-rules' })).json()).toMatchObject({ version: rules.version + 1, rules: [{ id: 'base', rateBp: 700 }] });
    const tier = await t.call({ method: 'PATCH', url: '/v1/tiers/base', payload: { privileges: ['birthday gift'] } });
    expect(tier.json()).toMatchObject({ id: 'base', threshold: 0, privileges: ['birthday gift'] });
    const rising = await t.call({ method: 'PATCH', url: '/v1/tiers/base', payload: { threshold: 100 } });
    expect([rising.statusCode, rising.json().code]).toEqual([400, 'config.invalid']);
  });
});

describe('one word, one shape', () => {
  it('every amount of money is an integer that ends in Minor or says it is in minor units', () => {
    const money = /^(price|total|discount|payable|amount|paid|refunded|minReceiptTotal)$/;
    const wrong: string[] = [];
    const walk = (schema: Schema | undefined, where: string, seen: Set<Schema>) => {
      if (!schema || seen.has(schema)) return;
      seen.add(schema);
      if (schema.$ref) return walk(resolve(schema), where, seen);
      for (const [name, member] of Object.entries(schema.properties ?? {})) {
        const field = resolve(member) as Schema & { description?: string };
        if (money.test(name) && !name.endsWith('Minor') && !/minor units/.test(field.description ?? '')) wrong.push(`${where}.${name}`);
        walk(member, `${where}.${name}`, seen);
      }
      walk(schema.items, `${where}[]`, seen);
      for (const branch of schema.anyOf ?? []) walk(branch, where, seen);
    };
    for (const [name, schema] of Object.entries(doc.components.schemas)) walk(schema, name, new Set());
    expect(wrong).toEqual([]);
  });

  it('pending: the balance lists batches under pending and counts them in pendingPoints; checkout, refunds and the till count in pendingPoints', async () => {
    const balance = (await t.call({ method: 'GET', url: `/v1/customers/${params.id}/balance` })).json();
    expect(balance.pending).toEqual([{ points: 10, activatesAt: expect.any(String) }]);
    expect(balance.pendingPoints).toBe(10);
    const shapes = ['CheckoutResult', 'RefundResult', 'TillView', 'AdjustmentResult'].map((name) => {
      const schema = resolve({ $ref: name })!;
      const customer = resolve(schema.properties?.customer?.anyOf?.[0] ?? schema.properties?.customer) ?? schema;
      return [name, Object.keys(customer.properties ?? {}).filter((key) => key.startsWith('pending'))];
    });
    expect(shapes).toEqual([
      ['CheckoutResult', ['pendingPoints']],
      ['RefundResult', ['pendingPoints']],
      ['TillView', ['pendingPoints']],
      ['AdjustmentResult', ['pendingPoints']],
    ]);
  });
});
