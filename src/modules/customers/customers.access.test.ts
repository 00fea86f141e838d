import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * What each role sees of a customer: the till view for pos and partner keys, a till's sign-up,
 * and an analyst's masked view that search cannot undo.
 */
let t: TestApp;
let anna: { id: string };
beforeAll(async () => {
  t = await createTestApp();
  const created = await t.call({
    method: 'POST',
    url: '/v1/customers',
    payload: {
      phone: '+79251234567',
      email: 'anna.petrova@example.com',
      cardNumber: '7770 0001',
      firstName: 'Anna',
      lastName: 'Petrova',
      birthDate: '1990-04-12',
      tags: ['vip'],
      consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '203.0.113.45', operator: 'Maria Ivanova', textVersion: 'v3' } }],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  anna = created.json();
  // A second card (as after a merge): the till view shows only the card the till used.
  await t.database.db.insertInto('customerIdentifiers').values({ kind: 'card', source: '', value: '77700099', customerId: anna.id, isPrimary: false, createdAt: t.clock.now() }).execute();
  const adjusted = await t.call({ method: 'POST', url: `/v1/customers/${anna.id}/points/adjustments`, payload: { points: 120, reason: 'welcome' }, role: 'support' });
  expect(adjusted.statusCode, adjusted.body).toBe(201);
});
afterAll(async () => t.close());

const tillViewKeys = ['balance', 'card', 'email', 'id', 'pendingPoints', 'phone', 'tier'];

describe('the till view (pos and partner)', () => {
  it('a lookup by card answers id, masked contacts, balance, tier and that card; nothing else', async () => {
    const found = await t.call({ method: 'GET', url: '/v1/customers/lookup?card=7770-0001', role: 'pos' });
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()).toEqual({
      id: anna.id,
      phone: '+7925*****67',
      email: 'a***@example.com',
      card: '77700001',
      balance: 120,
      pendingPoints: 0,
      tier: { id: 'base', name: 'Member' },
    });
    for (const hidden of ['1234567', 'anna.petrova', '77700099', 'Anna', 'Petrova', '1990', 'vip']) expect(found.body).not.toContain(hidden);
  });

  it('a lookup by phone or by id shows no card; a partner sees the same', async () => {
    for (const [url, role] of [
      ['/v1/customers/lookup?phone=8%20925%20123-45-67', 'pos'],
      [`/v1/customers/${anna.id}`, 'pos'],
      ['/v1/customers/lookup?email=anna.petrova%40example.com', 'partner'],
      [`/v1/customers/${anna.id}`, 'partner'],
    ] as const) {
      const found = await t.call({ method: 'GET', url, role });
      expect(found.statusCode, `${role} ${url}`).toBe(200);
      expect(Object.keys(found.json()).sort(), `${role} ${url}`).toEqual(tillViewKeys);
      expect(found.json()).toMatchObject({ id: anna.id, phone: '+7925*****67', card: null, balance: 120 });
    }
  });

  it('the other roles still get the profile, analysts masked', async () => {
    const support = (await t.call({ method: 'GET', url: '/v1/customers/lookup?card=77700001', role: 'support' })).json();
    expect(support).toMatchObject({ id: anna.id, phone: '+79251234567', birthDate: '1990-04-12', tags: ['vip'] });
    const analyst = (await t.call({ method: 'GET', url: `/v1/customers/${anna.id}`, role: 'analyst' })).json();
    expect(analyst).toMatchObject({ phone: '+7925*****67', email: 'a***@example.com', cardNumber: '****0001' });
  });
});

describe('a till signs a customer up', () => {
  const count = async () => Number((await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

  it('with a phone, a card and consents, and gets the till view back', async () => {
    const signedUp = await t.call({
      method: 'POST',
      url: '/v1/customers',
      role: 'pos',
      payload: {
        phone: '8 (903) 111-22-33',
        cardNumber: '7770 0002',
        consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos', evidence: { operator: 'till 3' } }],
      },
    });
    expect(signedUp.statusCode, signedUp.body).toBe(201);
    const view = signedUp.json();
    expect(view).toEqual({ id: expect.stringMatching(/^cus_/), phone: '+7903*****33', email: null, card: '77700002', balance: 0, pendingPoints: 0, tier: { id: 'base', name: 'Member' } });
    const stored = (await t.call({ method: 'GET', url: `/v1/customers/${view.id}` })).json();
    expect(stored).toMatchObject({ phone: '+79031112233', cardNumber: '77700002' });
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${view.id}/consents` })).json();
    expect(consents.current).toEqual([expect.objectContaining({ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos' })]);
    const audit = (await t.call({ method: 'GET', url: `/v1/audit-log?entityType=customer&entityId=${view.id}` })).json().items;
    expect(audit.map((entry: { action: string; actorRole: string }) => [entry.action, entry.actorRole])).toEqual([['customer.create', 'pos']]);
  });

  it('refuses any other field with 403 naming it, and writes nothing', async () => {
    const before = await count();
    for (const extra of [{ firstName: 'Ivan' }, { email: 'ivan@example.com' }, { birthDate: '1980-01-01' }, { tags: ['x'] }, { attributes: {} }]) {
      const refused = await t.call({ method: 'POST', url: '/v1/customers', role: 'pos', payload: { phone: '+79035556677', ...extra } });
      expect(refused.statusCode, JSON.stringify(extra)).toBe(403);
      expect(refused.json().code).toBe('auth.forbidden');
      expect(refused.json().detail).toContain(Object.keys(extra)[0]);
      expect(refused.json().detail).toContain('phone, cardNumber, consents');
    }
    const nothing = await t.call({ method: 'POST', url: '/v1/customers', role: 'pos', payload: { consents: [] } });
    expect(nothing.statusCode).toBe(400);
    expect(nothing.json().errors).toEqual([{ field: 'phone', reason: 'phone or cardNumber is required' }]);
    expect(await count()).toBe(before);
  });

  it('partner and analyst keys may not sign customers up; a pos key still may not list, export or change them', async () => {
    for (const role of ['partner', 'analyst'] as const) {
      const refused = await t.call({ method: 'POST', url: '/v1/customers', role, payload: { phone: '+79035556677' } });
      expect(refused.statusCode, role).toBe(403);
      expect(refused.json().detail).toContain('needs customers:sign-up');
    }
    for (const request of [
      { method: 'GET', url: '/v1/customers' },
      { method: 'GET', url: '/v1/exports/customers' },
      { method: 'GET', url: `/v1/customers/${anna.id}/consents` },
      { method: 'PATCH', url: `/v1/customers/${anna.id}`, payload: { firstName: 'X' } },
    ] as const) {
      expect((await t.call({ ...request, role: 'pos' })).statusCode, request.url).toBe(403);
    }
  });
});

describe('an analyst: masked, and search is no oracle', () => {
  const search = async (q: string, role: 'analyst' | 'owner' = 'analyst') =>
    (await t.call({ method: 'GET', url: `/v1/customers?q=${encodeURIComponent(q)}`, role })).json().items.map((c: { id: string }) => c.id);

  it('finds no one by the start of a phone, e-mail or card, however it is typed', async () => {
    for (const prefix of ['+7925', '+79251', '+7925123456', '7925123456', '8 925 123', 'anna.p', 'anna.petrova@', '7770', '777000']) {
      expect(await search(prefix), prefix).toEqual([]);
    }
    // An owner's search still matches by prefix.
    expect(await search('+7925123', 'owner')).toEqual([anna.id]);
  });

  it('recovers nothing digit by digit: no prefix of the phone tells one next digit from another', async () => {
    for (let digits = 1; digits <= 8; digits++) {
      const answers = await Promise.all(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'].map((d) => search(`+7925123456`.slice(0, 2 + digits) + d)));
      expect(answers.filter((ids) => ids.length > 0), `after ${digits} digits`).toEqual([]);
    }
  });

  it('finds a customer by a whole phone, e-mail, card, or by the start of a name', async () => {
    for (const q of ['+79251234567', '8 (925) 123-45-67', 'Anna.Petrova@example.com', '7770 0001', 'Petr', 'ann']) {
      expect(await search(q), q).toEqual([anna.id]);
    }
  });

  it('sees consent evidence masked: the network of the address and the operator\'s initial', async () => {
    const analyst = (await t.call({ method: 'GET', url: `/v1/customers/${anna.id}/consents`, role: 'analyst' })).json();
    expect(analyst.history[0].evidence).toEqual({ ip: '203.0.*.*', operator: 'M***', textVersion: 'v3' });
    expect(JSON.stringify(analyst)).not.toContain('113.45');
    expect(JSON.stringify(analyst)).not.toContain('Ivanova');
    const support = (await t.call({ method: 'GET', url: `/v1/customers/${anna.id}/consents`, role: 'support' })).json();
    expect(support.history[0].evidence).toEqual({ ip: '203.0.113.45', operator: 'Maria Ivanova', textVersion: 'v3' });
  });
});
