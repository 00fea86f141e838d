import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function create(body: Record<string, unknown>) {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: body });
  return { status: response.statusCode, body: response.json() };
}

describe('customer profiles and identifiers', () => {
  it('normalises phones so "8 (912) 345-67-89" and "+79123456789" are one customer', async () => {
    const created = await create({ phone: '8 (912) 345-67-89', firstName: 'Anna', email: '  Anna@Example.COM ' });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^cus_[0-9a-f]{32}$/);
    expect(created.body.phone).toBe('+79123456789');
    expect(created.body.email).toBe('anna@example.com');

    const byE164 = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79123456789' });
    const byLocal = await t.call({ method: 'GET', url: `/v1/customers/lookup?phone=${encodeURIComponent('8 (912) 345-67-89')}` });
    expect(byE164.statusCode).toBe(200);
    expect(byE164.json().id).toBe(created.body.id);
    expect(byLocal.json().id).toBe(created.body.id);

    const duplicate = await create({ phone: '+7 912 345 67 89', firstName: 'Other' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.code).toBe('customer.identifier_taken');
    expect(duplicate.body.errors).toEqual([{ field: 'phone', reason: 'belongs to another customer' }]);
  });

  it('refuses a create whose second identifier is taken, leaving nothing behind', async () => {
    await create({ email: 'taken@example.com' });
    const before = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const response = await create({ phone: '+79990001122', email: 'TAKEN@example.com' });
    expect(response.status).toBe(409);
    const after = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
    const lookup = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79990001122' });
    expect(lookup.statusCode).toBe(404);
  });

  it('finds a customer by card and by external id', async () => {
    const created = await create({ cardNumber: '1234 5678 90', externalIds: { eshop: 'A-1001', app: 'u-77' } });
    expect(created.status).toBe(201);
    expect(created.body.cardNumber).toBe('1234567890');
    expect(created.body.externalIds).toEqual({ eshop: 'A-1001', app: 'u-77' });
    for (const query of ['card=1234-5678-90', 'externalId=eshop%3AA-1001', 'externalId=app%3Au-77']) {
      const found = await t.call({ method: 'GET', url: `/v1/customers/lookup?${query}` });
      expect(found.statusCode, query).toBe(200);
      expect(found.json().id).toBe(created.body.id);
    }
    const none = await t.call({ method: 'GET', url: '/v1/customers/lookup?externalId=eshop%3ANOPE' });
    expect(none.statusCode).toBe(404);
    expect(none.json().code).toBe('customer.not_found');
  });

  it('asks for exactly one identifier on lookup and rejects bad ones with 400', async () => {
    const two = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79123456789&email=a%40b.co' });
    expect(two.statusCode).toBe(400);
    expect(two.json().code).toBe('customer.lookup_needs_one_identifier');
    const bad = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=12' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().code).toBe('customer.invalid_identifier');
  });

  it('validates profile fields with field-level reasons', async () => {
    const response = await create({
      phone: 'not a phone',
      email: 'nope',
      birthDate: '2031-01-01',
      timezone: 'Mars/Olympus',
    });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('customer.invalid_identifier');
    expect(response.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'phone']);

    const profile = await create({ email: 'ok@example.com', birthDate: '2031-01-01', timezone: 'Mars/Olympus' });
    expect(profile.status).toBe(400);
    expect(profile.body.code).toBe('customer.invalid_profile');
    expect(profile.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['birthDate', 'timezone']);
  });

  it('an empty patch changes nothing, even an hour later: no new updatedAt, no audit entry, no event', async () => {
    const created = await create({ phone: '+79001112299', firstName: 'Olga' });
    const id = created.body.id as string;
    const events = async () => (await t.database.db.selectFrom('outboxEvents').select('id').where('customerId', '=', id).execute()).length;
    const before = { events: await events(), record: (await t.call({ method: 'GET', url: `/v1/customers/${id}` })).json() };
    const startedAt = t.clock.now();
    t.clock.advance(3_600_000);
    const patched = await t.call({ method: 'PATCH', url: `/v1/customers/${id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: {} });
    t.clock.set(startedAt);
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toEqual(before.record);
    expect(await events()).toBe(before.events);
  });

  it('patches: null clears, a new phone replaces the primary, attributes are type-checked', async () => {
    const defined = await t.call({
      method: 'PUT',
      url: '/v1/customer-attributes/shoe_size',
      payload: { type: 'integer', label: 'Shoe size' },
    });
    expect(defined.statusCode).toBe(201);
    await t.call({ method: 'PUT', url: '/v1/customer-attributes/pet', payload: { type: 'enum', label: 'Pet', options: ['cat', 'dog'] } });
    const created = await create({ phone: '+79001112233', firstName: 'Ivan', city: 'Kazan', attributes: { shoe_size: 43 } });
    expect(created.status).toBe(201);
    const id = created.body.id;

    const wrongType = await t.call({ method: 'PATCH', url: `/v1/customers/${id}`, payload: { attributes: { shoe_size: 'big' } } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json().code).toBe('customer.invalid_attribute');
    const unknown = await t.call({ method: 'PATCH', url: `/v1/customers/${id}`, payload: { attributes: { height: 180 } } });
    expect(unknown.statusCode).toBe(400);
    const badEnum = await t.call({ method: 'PATCH', url: `/v1/customers/${id}`, payload: { attributes: { pet: 'fish' } } });
    expect(badEnum.statusCode).toBe(400);

    const patched = await t.call({
      method: 'PATCH',
      url: `/v1/customers/${id}`,
      payload: { city: null, phone: '+79001112244', attributes: { pet: 'cat', shoe_size: null }, tags: ['vip', ' vip ', 'b'] },
    });
    expect(patched.statusCode).toBe(200);
    const body = patched.json();
    expect(body.city).toBeNull();
    expect(body.firstName).toBe('Ivan');
    expect(body.phone).toBe('+79001112244');
    expect(body.attributes).toEqual({ pet: 'cat' });
    expect(body.tags).toEqual(['b', 'vip']);
    const old = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79001112233' });
    expect(old.statusCode).toBe(404);
  });

  it('lists newest first with a cursor, and searches by phone prefix and name', async () => {
    for (let i = 0; i < 5; i++) await create({ phone: `+7955000000${i}`, lastName: `Searchable${i}` });
    const page1 = await t.call({ method: 'GET', url: '/v1/customers?limit=3&q=%2B7955' });
    expect(page1.statusCode).toBe(200);
    expect(page1.json().items.map((c: { lastName: string }) => c.lastName)).toEqual(['Searchable4', 'Searchable3', 'Searchable2']);
    const page2 = await t.call({ method: 'GET', url: `/v1/customers?limit=3&q=%2B7955&cursor=${page1.json().nextCursor}` });
    expect(page2.json().items.map((c: { lastName: string }) => c.lastName)).toEqual(['Searchable1', 'Searchable0']);
    expect(page2.json().nextCursor).toBeNull();
    const byName = await t.call({ method: 'GET', url: '/v1/customers?q=searchable3' });
    expect(byName.json().items).toHaveLength(1);
    const badCursor = await t.call({ method: 'GET', url: '/v1/customers?cursor=zzz' });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().code).toBe('request.invalid_cursor');
  });
});

describe('consents', () => {
  it('keeps the full history; the current state is the latest', async () => {
    const created = await create({
      email: 'consent@example.com',
      consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '203.0.113.5', textVersion: 'v1' } }],
    });
    const id = created.body.id;
    t.clock.advance(60_000);
    const withdrawn = await t.call({
      method: 'PUT',
      url: `/v1/customers/${id}/consents`,
      payload: [{ channel: 'email', purpose: 'marketing', granted: false, source: 'operator', evidence: { operator: 'Maria' } }],
    });
    expect(withdrawn.statusCode).toBe(200);
    const view = (await t.call({ method: 'GET', url: `/v1/customers/${id}/consents` })).json();
    expect(view.current).toEqual([{ channel: 'email', purpose: 'marketing', granted: false, source: 'operator', at: '2026-03-01T09:01:00.000Z' }]);
    expect(view.history.map((h: { granted: boolean; source: string; at: string }) => [h.granted, h.source, h.at])).toEqual([
      [true, 'web', '2026-03-01T09:00:00.000Z'],
      [false, 'operator', '2026-03-01T09:01:00.000Z'],
    ]);
    expect(view.history[0].evidence).toEqual({ ip: '203.0.113.5', textVersion: 'v1' });
  });

  it('rejects an unknown channel and a consent dated in the future', async () => {
    const created = await create({ email: 'consent2@example.com' });
    const unknown = await t.call({
      method: 'PUT',
      url: `/v1/customers/${created.body.id}/consents`,
      payload: [{ channel: 'pigeon', purpose: 'marketing', granted: true, source: 'web' }],
    });
    expect(unknown.statusCode).toBe(400);
    const future = await t.call({
      method: 'PUT',
      url: `/v1/customers/${created.body.id}/consents`,
      payload: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web', at: '2030-01-01T00:00:00Z' }],
    });
    expect(future.statusCode).toBe(400);
  });
});

describe('merge', () => {
  it('moves identifiers and consents; the merged card and id resolve to the survivor; repeating changes nothing', async () => {
    const survivor = (await create({ phone: '+79110000001', cardNumber: 'CARD0001', firstName: 'Olga' })).body;
    const duplicate = (
      await create({
        cardNumber: 'CARD0002',
        email: 'olga.dup@example.com',
        city: 'Tula',
        consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos' }],
      })
    ).body;
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${survivor.id}/merge`, payload: { from: duplicate.id } });
    expect(merged.statusCode).toBe(200);
    const body = merged.json();
    expect(body.id).toBe(survivor.id);
    expect(body.cardNumber).toBe('CARD0001');
    expect(body.email).toBe('olga.dup@example.com');
    expect(body.city).toBe('Tula');
    expect(body.identifiers).toContainEqual({ kind: 'card', value: 'CARD0002', primary: false });

    const byOldCard = await t.call({ method: 'GET', url: '/v1/customers/lookup?card=CARD0002' });
    expect(byOldCard.json().id).toBe(survivor.id);
    const byOldId = await t.call({ method: 'GET', url: `/v1/customers/${duplicate.id}` });
    expect(byOldId.statusCode).toBe(200);
    expect(byOldId.json().id).toBe(survivor.id);
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${survivor.id}/consents` })).json();
    expect(consents.current).toContainEqual(expect.objectContaining({ channel: 'sms', purpose: 'marketing', granted: true }));

    const auditBefore = (await t.call({ method: 'GET', url: '/v1/audit-log?entityType=customer&limit=500' })).json().items.length;
    const again = await t.call({ method: 'POST', url: `/v1/customers/${survivor.id}/merge`, payload: { from: duplicate.id } });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(body);
    const auditAfter = (await t.call({ method: 'GET', url: '/v1/audit-log?entityType=customer&limit=500' })).json().items.length;
    expect(auditAfter).toBe(auditBefore);

    const self = await t.call({ method: 'POST', url: `/v1/customers/${survivor.id}/merge`, payload: { from: survivor.id } });
    expect(self.statusCode).toBe(409);
    expect(self.json().code).toBe('customer.merge_self');
    const third = (await create({ phone: '+79110000003' })).body;
    const elsewhere = await t.call({ method: 'POST', url: `/v1/customers/${third.id}/merge`, payload: { from: duplicate.id } });
    expect(elsewhere.statusCode).toBe(409);
    expect(elsewhere.json().code).toBe('customer.already_merged');
  });

  it('keeps chains flat: a survivor merged later takes its merged ids along', async () => {
    const a = (await create({ cardNumber: 'CHAIN01' })).body;
    const b = (await create({ cardNumber: 'CHAIN02' })).body;
    const c = (await create({ cardNumber: 'CHAIN03' })).body;
    await t.call({ method: 'POST', url: `/v1/customers/${b.id}/merge`, payload: { from: a.id } });
    await t.call({ method: 'POST', url: `/v1/customers/${c.id}/merge`, payload: { from: b.id } });
    const viaA = await t.call({ method: 'GET', url: `/v1/customers/${a.id}` });
    expect(viaA.json().id).toBe(c.id);
    const card = await t.call({ method: 'GET', url: '/v1/customers/lookup?card=CHAIN01' });
    expect(card.json().id).toBe(c.id);
  });
});

describe('erase', () => {
  it('removes every personal value from every table, keeps the record, and is repeatable', async () => {
    await t.call({ method: 'PUT', url: '/v1/customer-attributes/nickname', payload: { type: 'string', label: 'Nickname' } });
    await t.call({ method: 'PUT', url: '/v1/customer-attributes/children', payload: { type: 'integer', label: 'Children' } });
    const personal = {
      phone: '+79876543210',
      email: 'forget.me@example.org',
      cardNumber: 'FORGET777',
      externalIds: { eshop: 'forget-ext-1' },
      firstName: 'Zinaida',
      lastName: 'Unforgettable',
      birthDate: '1977-07-17',
      city: 'Vladivostok',
      attributes: { nickname: 'Zizi-the-unique', children: 2 },
      consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '198.51.100.77', userAgent: 'UniqueBrowser/9.9' } }],
    } as const;
    const customer = (await create(personal)).body;
    const dup = (await create({ email: 'forget.me.dup@example.org', lastName: 'UnforgettableDup' })).body;
    await t.call({ method: 'PUT', url: `/v1/customers/${customer.id}/consents`, payload: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'pos' }] });
    await t.call({ method: 'PATCH', url: `/v1/customers/${customer.id}`, payload: { city: 'Vladivostok' } });
    await t.call({ method: 'POST', url: `/v1/customers/${customer.id}/merge`, payload: { from: dup.id } });

    const erased = await t.call({ method: 'POST', url: `/v1/customers/${customer.id}/erase`, role: 'support' });
    expect(erased.statusCode).toBe(200);
    expect(erased.json()).toMatchObject({ id: customer.id, status: 'erased', phone: null, email: null, firstName: null, attributes: { children: 2 } });

    const needles = [
      '9876543210',
      'forget.me',
      'FORGET777',
      'forget-ext-1',
      'Zinaida',
      'Unforgettable',
      '1977-07-17',
      'Vladivostok',
      'Zizi-the-unique',
      '198.51.100.77',
      'UniqueBrowser',
    ];
    const tables = await t.database.db
      .selectFrom('information_schema.tables' as never)
      .select('table_name as name' as never)
      .where('table_schema' as never, '=', 'public' as never)
      .execute();
    const found: string[] = [];
    for (const { name } of tables as Array<{ name: string }>) {
      const { sql } = await import('kysely');
      const rows = await sql<{ row: string }>`select t::text as row from ${sql.table(name)} t`.execute(t.database.db);
      for (const { row } of rows.rows) {
        for (const needle of needles) if (row.includes(needle)) found.push(`${name}: ${needle}`);
      }
    }
    expect(found).toEqual([]);
    expect(tables.length).toBeGreaterThan(5);

    const lookup = await t.call({ method: 'GET', url: '/v1/customers/lookup?email=forget.me%40example.org' });
    expect(lookup.statusCode).toBe(404);
    const again = await t.call({ method: 'POST', url: `/v1/customers/${customer.id}/erase` });
    expect(again.statusCode).toBe(200);
    const patch = await t.call({ method: 'PATCH', url: `/v1/customers/${customer.id}`, payload: { firstName: 'Back' } });
    expect(patch.statusCode).toBe(409);
    expect(patch.json().code).toBe('customer.erased');
  });
});

describe('access', () => {
  it('masks contacts for analysts and lets a pos key only identify (the till view: customers.access.test.ts)', async () => {
    const created = (await create({ phone: '+79261234567', email: 'masked@example.com', cardNumber: '5555666677' })).body;
    const analyst = await t.call({ method: 'GET', url: `/v1/customers/${created.id}`, role: 'analyst' });
    expect(analyst.statusCode).toBe(200);
    expect(analyst.json().phone).toBe('+7926*****67');
    expect(analyst.json().email).toBe('m***@example.com');
    expect(analyst.json().cardNumber).toBe('******6677');
    expect(JSON.stringify(analyst.json())).not.toContain('1234567');
    const list = await t.call({ method: 'GET', url: '/v1/customers?q=%2B79261234567', role: 'analyst' });
    expect(list.json().items[0].phone).toBe('+7926*****67');

    const posLookup = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79261234567', role: 'pos' });
    expect(posLookup.statusCode).toBe(200);
    expect(posLookup.json()).toMatchObject({ id: created.id, phone: '+7926*****67', card: null });
    for (const request of [
      { method: 'GET', url: '/v1/exports/customers' },
      { method: 'GET', url: '/v1/customers' },
      { method: 'PATCH', url: `/v1/customers/${created.id}`, payload: { firstName: 'X' } },
      { method: 'POST', url: `/v1/customers/${created.id}/erase` },
      { method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'owner' } },
    ] as const) {
      const response = await t.call({ ...request, role: 'pos' });
      expect(response.statusCode, `${request.method} ${request.url}`).toBe(403);
      expect(response.json().code).toBe('auth.forbidden');
    }
    const anonymous = await t.call({ method: 'GET', url: `/v1/customers/${created.id}`, role: null });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('auth.missing_key');
  });

  it('writes every change to the audit log with who did it, and no personal values', async () => {
    const created = (await create({ phone: '+79031112233', firstName: 'Audited' })).body;
    await t.call({ method: 'PATCH', url: `/v1/customers/${created.id}`, payload: { firstName: 'Changed' }, role: 'support' });
    const log = (await t.call({ method: 'GET', url: `/v1/audit-log?entityType=customer&entityId=${created.id}` })).json().items;
    expect(log.map((e: { action: string; actorRole: string }) => [e.action, e.actorRole])).toEqual([
      ['customer.update', 'support'],
      ['customer.create', 'owner'],
    ]);
    expect(log[0].details).toEqual({ fields: ['firstName'] });
    expect(JSON.stringify(log)).not.toContain('79031112233');
  });

  it('writes customer events to the outbox in the same transaction', async () => {
    const created = (await create({ phone: '+79047778899' })).body;
    await t.call({ method: 'PATCH', url: `/v1/customers/${created.id}`, payload: { firstName: 'Evented' } });
    const events = await t.database.db
      .selectFrom('outboxEvents')
      .select(['type', 'payload'])
      .where('customerId', '=', created.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.type)).toEqual(['customer.created', 'customer.updated']);
    const failed = await create({ phone: '+79047778899' });
    expect(failed.status).toBe(409);
    const count = await t.database.db.selectFrom('outboxEvents').select((eb) => eb.fn.countAll<number>().as('n')).where('type', '=', 'customer.created').executeTakeFirstOrThrow();
    const customers = await t.database.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(Number(customers.n));
  });
});
