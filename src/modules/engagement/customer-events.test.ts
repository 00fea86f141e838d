import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

let phoneCounter = 0;
const customer = async (body: object = {}) => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7912555${String(++phoneCounter).padStart(4, '0')}`, ...body } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const rule = async (body: object) => {
  const response = await t.call({ method: 'POST', url: '/v1/action-rules', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const post = (body: object, role: 'owner' | 'pos' | 'marketer' = 'pos') => t.call({ method: 'POST', url: '/v1/events', payload: body, role });
const available = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().available as number;

describe('POST /v1/events', () => {
  it('records a review, awards the rule whose condition it meets, and answers a replay with the first answer', async () => {
    const anna = await customer();
    const five = await rule({ name: 'Five-star review', eventType: 'review.posted', points: 50, conditions: { properties: { rating: 5 } }, limits: { perCustomerPerDay: 1 } });
    const any = await rule({ name: 'Any review', eventType: 'review.posted', points: 10, status: 'paused' });
    const body = { eventId: 'rev-1', customer: { customerId: anna }, type: 'review.posted', properties: { rating: 5, text: 'Great coffee' } };
    const first = await post(body);
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({ eventId: 'rev-1', customerId: anna, awards: [{ ruleId: five, points: 50 }], replayed: false });
    const again = await post(body);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ ...first.json(), replayed: true });
    expect(await available(anna)).toBe(50);
    // Same id, another body: refused, and nothing new is written.
    const other = await post({ ...body, properties: { rating: 4 } });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'event.conflict' });
    // A four-star review meets no active rule (the paused one would have paid).
    const four = await post({ eventId: 'rev-2', customer: { customerId: anna }, type: 'review.posted', properties: { rating: 4 } });
    expect(four.json().awards).toEqual([]);
    // Once a day: a second five-star review today earns nothing, tomorrow's does.
    expect((await post({ eventId: 'rev-3', customer: { customerId: anna }, type: 'review.posted', properties: { rating: 5 } })).json().awards).toEqual([]);
    t.clock.advance(86_400_000);
    expect((await post({ eventId: 'rev-4', customer: { customerId: anna }, type: 'review.posted', properties: { rating: 5 } })).json().awards).toEqual([{ ruleId: five, points: 50 }]);
    expect(await available(anna)).toBe(100);
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${five}` })).json().usage).toEqual({ awards: 2, points: 100, budgetLeft: null });
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${any}` })).json().usage).toEqual({ awards: 0, points: 0, budgetLeft: null });
    const ledger = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/ledger` })).json().items as Array<{ kind: string; reason: string; receiptId?: string }>;
    expect(ledger.filter((e) => e.kind === 'award').map((e) => e.reason)).toEqual(['Bonus: Five-star review', 'Bonus: Five-star review']);
    await expectLedgerConsistent(t.database.db);
  });

  it('identifies the customer by phone, card or e-mail; an unknown one is 404, an erased one 409', async () => {
    const boris = await customer({ email: 'boris@example.com' });
    const byEmail = await post({ eventId: 'mail-1', customer: { email: 'Boris@Example.com' }, type: 'newsletter.opened' });
    expect(byEmail.statusCode, byEmail.body).toBe(201);
    expect(byEmail.json().customerId).toBe(boris);
    expect((await post({ eventId: 'mail-2', customer: { phone: '+79990000000' }, type: 'newsletter.opened' })).json()).toMatchObject({ status: 404, code: 'customer.not_found' });
    await t.call({ method: 'POST', url: `/v1/customers/${boris}/erase` });
    expect((await post({ eventId: 'mail-3', customer: { customerId: boris }, type: 'newsletter.opened' })).json()).toMatchObject({ status: 409, code: 'customer.erased' });
    // The event accepted before still answers its replay.
    expect((await post({ eventId: 'mail-1', customer: { email: 'Boris@Example.com' }, type: 'newsletter.opened' })).statusCode).toBe(200);
  });

  it('refuses what Patron makes itself, a customer named twice or not at all, and a future time, in plain words', async () => {
    const id = await customer();
    const cases: Array<[object, string]> = [
      [{ eventId: 'x-1', customer: { customerId: id }, type: 'customer.joined' }, 'type: customer.joined is one Patron detects itself'],
      [{ eventId: 'auto:x', customer: { customerId: id }, type: 'review.posted' }, 'eventId: must not start with "auto:"'],
      [{ eventId: 'x-2', customer: { customerId: id, phone: '+79120000000' }, type: 'review.posted' }, 'customer: must name exactly one of'],
      [{ eventId: 'x-3', customer: {}, type: 'review.posted' }, 'customer: must name exactly one of'],
      [{ eventId: 'x-4', customer: { customerId: id }, type: 'review.posted', occurredAt: '2099-01-01T00:00:00Z' }, 'occurredAt: is in the future'],
    ];
    for (const [body, detail] of cases) {
      const response = await post(body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().detail).toContain(detail);
    }
    const bad = await post({ eventId: 'x-5', customer: { customerId: id }, type: 'Review Posted' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('lower-case words');
    expect((await t.database.db.selectFrom('customerEvents').select('eventId').where('customerId', '=', id).execute()).length).toBe(0);
  });

  it('the first app.login is also app.first_login, rewarded once; each accepted event goes to the outbox as customer.action', async () => {
    const vera = await customer();
    const welcome = await rule({ name: 'First app login', eventType: 'app.first_login', points: 100 });
    const first = await post({ eventId: 'login-1', customer: { customerId: vera }, type: 'app.login', occurredAt: '2026-03-01T08:00:00Z' });
    expect(first.json().awards).toEqual([{ ruleId: welcome, points: 100 }]);
    // A replay answers the first answer, the first_login award made in the same call included.
    const replayed = await post({ eventId: 'login-1', customer: { customerId: vera }, type: 'app.login', occurredAt: '2026-03-01T08:00:00Z' });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual({ ...first.json(), replayed: true });
    expect((await post({ eventId: 'login-2', customer: { customerId: vera }, type: 'app.login' })).json().awards).toEqual([]);
    expect(await available(vera)).toBe(100);
    const outbox = await t.database.db.selectFrom('outboxEvents').select(['type', 'customerId', 'payload']).where('type', '=', 'customer.action').where('customerId', '=', vera).orderBy('id').execute();
    expect(outbox.map((e) => e.payload)).toEqual([
      { type: 'app.login', eventId: 'login-1', occurredAt: '2026-03-01T08:00:00.000Z' },
      { type: 'app.first_login', eventId: `auto:app.first_login:${vera}`, occurredAt: '2026-03-01T08:00:00.000Z' },
      { type: 'app.login', eventId: 'login-2', occurredAt: t.clock.now().toISOString() },
    ]);
    const page = await t.call({ method: 'GET', url: `/v1/customers/${vera}/events?limit=2` });
    expect(page.json().items).toHaveLength(2);
    expect(page.json().nextCursor).toEqual(expect.any(String));
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await t.call({ method: 'GET', url: `/v1/customers/${vera}/events?limit=1${cursor ? `&cursor=${cursor}` : ''}` });
      expect(response.statusCode, response.body).toBe(200);
      all.push(...response.json().items.map((e: { eventId: string }) => e.eventId));
      cursor = response.json().nextCursor;
    } while (cursor);
    expect(all.sort()).toEqual([`auto:app.first_login:${vera}`, 'login-1', 'login-2']);
    const firstLogin = (await t.call({ method: 'GET', url: `/v1/customers/${vera}/events?type=app.first_login` })).json().items;
    expect(firstLogin).toMatchObject([{ source: 'patron', awards: [{ ruleId: welcome, points: 100 }] }]);
  });

  it('who may post and read events', async () => {
    const id = await customer();
    expect((await post({ eventId: 'r-1', customer: { customerId: id }, type: 'x.y' }, 'marketer')).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${id}/events`, role: 'analyst' })).statusCode).toBe(403);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${id}/events`, role: 'support' })).statusCode).toBe(200);
  });
});

describe('merge and erase', () => {
  it('a merge adds the counters up, so a once-ever rule stays once; erase blanks what events said', async () => {
    const once = await rule({ name: 'Survey', eventType: 'survey.answered', points: 20, limits: { oncePerCustomer: true } });
    const [keep, dup] = [await customer(), await customer()];
    await post({ eventId: 'sv-dup', customer: { customerId: dup }, type: 'survey.answered', properties: { answer: 'I love it' } });
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${keep}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    expect((await post({ eventId: 'sv-keep', customer: { customerId: keep }, type: 'survey.answered' })).json().awards).toEqual([]);
    expect((await t.call({ method: 'GET', url: `/v1/customers/${keep}/events` })).json().items.map((e: { eventId: string }) => e.eventId).sort()).toEqual(['sv-dup', 'sv-keep']);
    expect(await available(keep)).toBe(20);
    expect((await t.call({ method: 'GET', url: `/v1/action-rules/${once}` })).json().usage).toMatchObject({ awards: 1, points: 20 });
    await t.call({ method: 'POST', url: `/v1/customers/${keep}/erase` });
    const rows = await t.database.db.selectFrom('customerEvents').select(['eventId', 'properties']).where('customerId', '=', keep).execute();
    expect(rows.map((r) => r.properties)).toEqual([{}, {}]);
    await expectLedgerConsistent(t.database.db);
  });
});

describe("Patron's own actions from the customers module's events", () => {
  const run = async () => {
    const response = await t.call({ method: 'POST', url: '/v1/jobs/detect-customer-actions/run' });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as { events: number; recorded: number };
  };

  it('joining, completing the profile and the first marketing opt-in are recorded once each and rewarded', async () => {
    await run();
    const joined = await rule({ name: 'Welcome', eventType: 'customer.joined', points: 200, limits: { oncePerCustomer: true } });
    const profile = await rule({ name: 'Profile done', eventType: 'profile.completed', points: 150 });
    const consent = await rule({ name: 'Newsletter', eventType: 'consent.marketing_given', points: 50 });
    const gleb = await customer({ firstName: 'Gleb', lastName: 'Orlov', email: 'gleb@example.com' });
    const report = await run();
    expect(report.recorded).toBe(1);
    expect(await available(gleb)).toBe(200);
    // The birth date completes the profile; a marketing opt-in comes later by e-mail.
    const consents = async (granted: boolean, channel = 'email') => {
      const response = await t.call({ method: 'PUT', url: `/v1/customers/${gleb}/consents`, payload: [{ channel, purpose: 'marketing', granted, source: 'web' }] });
      expect(response.statusCode, response.body).toBe(200);
    };
    const patched = await t.call({ method: 'PATCH', url: `/v1/customers/${gleb}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ birthDate: '1990-05-17' }) });
    expect(patched.statusCode, patched.body).toBe(200);
    await consents(true);
    expect((await run()).recorded).toBe(2);
    expect(await available(gleb)).toBe(400);
    // Withdrawn and given again: not a first opt-in. Nothing is recorded twice, however often the job runs.
    await consents(false);
    await consents(true, 'sms');
    expect((await run()).recorded).toBe(0);
    expect((await run()).events).toBe(0);
    expect(await available(gleb)).toBe(400);
    const events = (await t.call({ method: 'GET', url: `/v1/customers/${gleb}/events` })).json().items as Array<{ eventId: string; type: string; source: string; awards: unknown[] }>;
    expect(events.map((e) => [e.type, e.eventId, e.source]).sort()).toEqual([
      ['consent.marketing_given', `auto:consent.marketing_given:${gleb}`, 'patron'],
      ['customer.joined', `auto:customer.joined:${gleb}`, 'patron'],
      ['profile.completed', `auto:profile.completed:${gleb}`, 'patron'],
    ]);
    expect(events.find((e) => e.type === 'profile.completed')!.awards).toEqual([{ ruleId: profile, points: 150 }]);
    expect(events.find((e) => e.type === 'consent.marketing_given')!.awards).toEqual([{ ruleId: consent, points: 50 }]);
    expect(events.find((e) => e.type === 'customer.joined')!.awards).toEqual([{ ruleId: joined, points: 200 }]);
    await expectLedgerConsistent(t.database.db);
  });

  it("after a merge the survivor is not paid again for what the duplicate did once (profile, opt-in, first login)", async () => {
    await run();
    await rule({ name: 'Profile (merge test)', eventType: 'profile.completed', points: 7 });
    await rule({ name: 'Opt-in (merge test)', eventType: 'consent.marketing_given', points: 3 });
    await rule({ name: 'First login (merge test)', eventType: 'app.first_login', points: 11 });
    const dup = await customer({ firstName: 'Ida', lastName: 'Popova', email: 'ida@example.com', birthDate: '1991-02-03' });
    const keep = await customer();
    const optIn = async (id: string) => {
      const response = await t.call({ method: 'PUT', url: `/v1/customers/${id}/consents`, payload: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] });
      expect(response.statusCode, response.body).toBe(200);
    };
    await optIn(dup);
    expect((await post({ eventId: 'ida-login', customer: { customerId: dup }, type: 'app.login' })).json().awards.length).toBeGreaterThan(0);
    await run();
    const before = (await available(dup)) + (await available(keep));
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${keep}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    expect(await available(keep)).toBe(before);
    // The survivor completes its profile, opts in and logs in: each was done once already.
    const patched = await t.call({
      method: 'PATCH',
      url: `/v1/customers/${keep}`,
      headers: { 'content-type': 'application/merge-patch+json' },
      payload: JSON.stringify({ firstName: 'Ida', lastName: 'Popova', email: 'ida.p@example.com', birthDate: '1991-02-03' }),
    });
    expect(patched.statusCode, patched.body).toBe(200);
    await optIn(keep);
    expect((await post({ eventId: 'keep-login', customer: { customerId: keep }, type: 'app.login' })).json().awards).toEqual([]);
    await run();
    expect(await available(keep)).toBe(before);
    const types = (await t.database.db.selectFrom('customerEvents').select('type').where('customerId', '=', keep).where('source', '=', 'patron').execute()).map((r) => r.type).sort();
    expect(types).toEqual(['app.first_login', 'consent.marketing_given', 'customer.joined', 'customer.joined', 'profile.completed']);
    await expectLedgerConsistent(t.database.db);
  });

  it('an outbox event that commits late, out of id order, is still handled; the cursor passes only settled events', async () => {
    await run();
    const late = await customer({ firstName: 'Lena' });
    // Simulate a transaction that took a lower id but committed after the job ran past higher ones.
    const row = await t.database.db.selectFrom('outboxEvents').select(['id']).where('customerId', '=', late).where('type', '=', 'customer.created').executeTakeFirstOrThrow();
    await t.database.db.deleteFrom('outboxEvents').where('id', '=', row.id).execute();
    await customer();
    await run();
    await sql`insert into outbox_events (id, event_id, type, customer_id, payload, occurred_at) overriding system value
      values (${row.id}, 'evt_late', 'customer.created', ${late}, ${JSON.stringify({ customerId: late, source: 'api' })}::jsonb, ${t.clock.now()})`.execute(t.database.db);
    await run();
    const joinedLate = await t.database.db.selectFrom('customerEvents').select('eventId').where('eventId', '=', `auto:customer.joined:${late}`).executeTakeFirst();
    expect(joinedLate).toBeDefined();
    // Past the margin the cursor moves on and the remembered ids are forgotten.
    t.clock.advance(11 * 60_000);
    await run();
    expect(Number((await sql<{ n: number }>`select count(*)::int as n from outbox_seen where consumer = 'detect-customer-actions'`.execute(t.database.db)).rows[0]!.n)).toBe(0);
  });
});
