import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

let phoneCounter = 0;
const customer = async (birthDate: string, timezone?: string) => {
  const response = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7912777${String(++phoneCounter).padStart(4, '0')}`, birthDate, ...(timezone ? { timezone } : {}) } });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id as string;
};
const setOffer = async (patch: object) => {
  const response = await t.call({ method: 'PATCH', url: '/v1/birthday-offer', headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify(patch) });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};
const run = async (at: string) => {
  t.clock.set(at);
  const response = await t.call({ method: 'POST', url: '/v1/jobs/issue-birthday-offers/run' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { customers: number; due: number; issued: number; failed: number };
};
const offers = (customerId: string) => t.database.db.selectFrom('birthdayOffers').selectAll().where('customerId', '=', customerId).orderBy('year').execute();
const available = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}/balance` })).json().available as number;

describe('the birthday offer setting', () => {
  it('is off until turned on; PUT takes back what GET answers; a stale version is 409; a bad timezone or promotion is 400', async () => {
    const first = (await t.call({ method: 'GET', url: '/v1/birthday-offer' })).json();
    expect(first).toMatchObject({ enabled: false, benefit: { kind: 'points', points: 500 }, daysBefore: 0, daysAfter: 7, defaultTimezone: 'UTC', version: 1 });
    const same = await t.call({ method: 'PUT', url: '/v1/birthday-offer', payload: first });
    expect(same.json().version).toBe(1);
    const on = await setOffer({ enabled: true, version: 1 });
    expect(on.version).toBe(2);
    expect((await t.call({ method: 'PUT', url: '/v1/birthday-offer', payload: first })).json()).toMatchObject({ status: 409, code: 'birthday_offer.version_conflict' });
    const zone = await t.call({ method: 'PATCH', url: '/v1/birthday-offer', headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ defaultTimezone: 'Mars/Olympus' }) });
    expect(zone.json()).toMatchObject({ status: 400, code: 'birthday_offer.invalid', errors: [{ field: 'defaultTimezone' }] });
    const promo = await t.call({ method: 'PATCH', url: '/v1/birthday-offer', headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ benefit: { kind: 'promo_code', promotionId: 'prm_0190c0ffee00700080000000000000ab', points: null } }) });
    expect(promo.json()).toMatchObject({ status: 400, code: 'birthday_offer.invalid', errors: [{ field: 'benefit.promotionId' }] });
    const audit = (await t.call({ method: 'GET', url: '/v1/audit-log?entityType=birthday_offer' })).json().items as Array<{ action: string; details: object }>;
    expect(audit.map((a) => [a.action, a.details])).toEqual([['birthday_offer.update', { version: 2, enabled: true, benefit: 'points' }]]);
  });
});

describe('issue-birthday-offers', () => {
  it("issues on the customer's own local day: Vladivostok ten hours before UTC, New York four after", async () => {
    await setOffer({ enabled: true, daysBefore: 0, daysAfter: 0, benefit: { kind: 'points', points: 300 } });
    const vlad = await customer('1990-05-10', 'Asia/Vladivostok');
    const utc = await customer('1985-05-10');
    const ny = await customer('1970-05-10', 'America/New_York');
    await run('2026-05-09T13:59:59Z'); // 23:59 on 9 May in Vladivostok
    expect(await offers(vlad)).toHaveLength(0);
    await run('2026-05-09T14:00:00Z'); // midnight of 10 May there; still 9 May in UTC
    expect((await offers(vlad)).map((o) => [o.year, o.birthday])).toEqual([[2026, '2026-05-10']]);
    expect(await offers(utc)).toHaveLength(0);
    expect(await available(vlad)).toBe(300);
    await run('2026-05-10T03:59:59Z');
    expect(await offers(utc)).toHaveLength(1);
    expect(await offers(ny)).toHaveLength(0); // 23:59 on 9 May in New York
    await run('2026-05-10T04:00:00Z');
    expect(await offers(ny)).toHaveLength(1);
    // Their day is over in Vladivostok: a late run issues nothing more, to anyone.
    expect((await run('2026-05-10T23:00:00Z')).issued).toBe(0);
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'customer.birthday').where('customerId', '=', vlad).execute();
    expect(events.map((e) => e.payload)).toEqual([{ customerId: vlad, offerId: (await offers(vlad))[0]!.id, year: 2026, kind: 'points', points: 300 }]);
    await expectLedgerConsistent(t.database.db);
  });

  it('once a year, also after missed runs; the next year again; 29 February on 28 February in common years', async () => {
    await setOffer({ enabled: true, daysBefore: 2, daysAfter: 5, benefit: { kind: 'points', points: 100 } });
    const kate = await customer('1992-06-20');
    const leap = await customer('2000-02-29', 'Europe/Moscow');
    // No run from 18 to 22 June: the run on the 23rd still issues (the window runs to the 25th) …
    await run('2026-06-23T12:00:00Z');
    expect((await offers(kate)).map((o) => [o.year, o.validFrom?.toISOString(), o.validTo?.toISOString()])).toEqual([[2026, '2026-06-18T00:00:00.000Z', '2026-06-26T00:00:00.000Z']]);
    // … and every later run that year issues nothing more.
    await run('2026-06-24T12:00:00Z');
    await run('2026-06-25T23:59:00Z');
    expect(await offers(kate)).toHaveLength(1);
    expect(await available(kate)).toBe(100);
    // A window missed whole is not made up afterwards.
    const late = await customer('1992-06-10');
    await run('2026-06-26T12:00:00Z');
    expect(await offers(late)).toHaveLength(0);
    await run('2027-06-18T00:00:00Z');
    expect((await offers(kate)).map((o) => o.year)).toEqual([2026, 2027]);
    // 2027 has no 29 February: 28 February in Moscow (UTC+3), so from 24 February 21:00 UTC with two days before.
    await run('2027-02-25T20:59:00Z');
    expect(await offers(leap)).toHaveLength(0);
    await run('2027-02-25T21:00:00Z');
    expect((await offers(leap)).map((o) => [o.year, o.birthday])).toEqual([[2027, '2027-02-28']]);
    await run('2028-02-29T10:00:00Z');
    expect((await offers(leap)).map((o) => [o.year, o.birthday])).toEqual([[2027, '2027-02-28'], [2028, '2028-02-29']]);
  });

  it('a one-day window the runs skipped is made up late, once, up to 7 days after; the code starts that day', async () => {
    const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Late birthday', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1500 } } });
    expect(promotion.statusCode, promotion.body).toBe(201);
    await setOffer({ enabled: true, daysBefore: 0, daysAfter: 0, benefit: { kind: 'promo_code', promotionId: promotion.json().id, points: null } });
    const zoya = await customer('1993-11-10', 'Asia/Vladivostok');
    const yan = await customer('1993-11-01', 'Asia/Vladivostok');
    // 23:00 on 9 November in Vladivostok, then a run every 25.5 hours: the next is at 00:30 on 11 November there.
    await run('2026-11-09T13:00:00Z');
    expect(await offers(zoya)).toHaveLength(0);
    await run('2026-11-10T14:30:00Z');
    const [offer] = await offers(zoya);
    expect(offer).toMatchObject({ year: 2026, birthday: '2026-11-10', validFrom: new Date('2026-11-10T14:00:00Z'), validTo: new Date('2026-11-11T14:00:00Z') });
    const code = (await t.call({ method: 'GET', url: `/v1/promo-codes/${offer!.code}` })).json();
    expect(code).toMatchObject({ customerId: zoya, usesLimit: 1, validFrom: '2026-11-10T14:00:00.000Z', validTo: '2026-11-11T14:00:00.000Z' });
    // Once a year all the same; and 8 days after a window it is too late (yan's was 1 November).
    await run('2026-11-12T14:30:00Z');
    expect(await offers(zoya)).toHaveLength(1);
    expect(await offers(yan)).toHaveLength(0);
  });

  it('a promo-code offer is a personal single-use code valid through the window', async () => {
    const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Birthday 20%', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 2000 } } });
    expect(promotion.statusCode, promotion.body).toBe(201);
    await setOffer({ enabled: true, daysBefore: 0, daysAfter: 3, benefit: { kind: 'promo_code', promotionId: promotion.json().id, points: null } });
    const olga = await customer('1988-08-01', 'Asia/Vladivostok');
    await run('2026-08-01T03:00:00Z');
    const [offer] = await offers(olga);
    expect(offer).toMatchObject({ kind: 'promo_code', points: null, promotionId: promotion.json().id });
    const code = (await t.call({ method: 'GET', url: `/v1/promo-codes/${offer!.code}` })).json();
    expect(code).toMatchObject({ customerId: olga, usesLimit: 1, uses: 0, validFrom: '2026-07-31T14:00:00.000Z', validTo: '2026-08-04T14:00:00.000Z' });
    expect(await available(olga)).toBe(0);
  });

  it("a merge keeps one offer a year for the survivor; an erased customer's offer loses its dates and gets no more", async () => {
    await setOffer({ enabled: true, daysBefore: 0, daysAfter: 3, benefit: { kind: 'points', points: 10, promotionId: null } });
    const [a, b, c] = [await customer('1991-09-10'), await customer('1991-09-10'), await customer('1991-09-11')];
    await run('2026-09-10T12:00:00Z');
    expect((await offers(a)).length + (await offers(b)).length).toBe(2);
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${a}/merge`, payload: { from: b } });
    expect(merged.statusCode, merged.body).toBeLessThan(300);
    expect((await offers(a)).map((o) => o.mergedFrom)).toEqual(expect.arrayContaining([null, b]));
    // The survivor without an offer of its own takes the duplicate's: no second one this year.
    const survivor = await customer('1991-09-11');
    await run('2026-09-11T12:00:00Z');
    expect(await offers(c)).toHaveLength(1);
    expect(await offers(survivor)).toHaveLength(1);
    await t.call({ method: 'POST', url: `/v1/customers/${survivor}/merge`, payload: { from: c } });
    expect((await offers(survivor)).map((o) => o.mergedFrom)).toEqual(expect.arrayContaining([null, c]));
    await run('2026-09-12T12:00:00Z');
    expect(await offers(survivor)).toHaveLength(2);
    await t.call({ method: 'POST', url: `/v1/customers/${a}/erase` });
    // Every date of an offer (issued_at too) tells the birth date: the rows go.
    expect(await offers(a)).toEqual([]);
    await run('2027-09-10T12:00:00Z');
    expect(await offers(a)).toEqual([]);
    await expectLedgerConsistent(t.database.db);
  });

  it("an erase leaves no birthday code's window readable: an unused code goes, a used one stays spent without dates", async () => {
    const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Birthday gift', status: 'active', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 1000 } } });
    expect(promotion.statusCode, promotion.body).toBe(201);
    await setOffer({ enabled: true, daysBefore: 0, daysAfter: 3, benefit: { kind: 'promo_code', promotionId: promotion.json().id, points: null } });
    const [unused, used] = [await customer('1979-10-05'), await customer('1979-10-05')];
    await run('2026-10-05T12:00:00Z');
    const usedCode = (await offers(used))[0]!.code!;
    const unusedCode = (await offers(unused))[0]!.code!;
    // A code spent at checkout before the erase: uses 1 of 1 (as a confirmed purchase leaves it).
    await t.database.db.updateTable('promoCodes').set({ uses: 1 }).where('code', '=', usedCode).execute();
    const listed = async (id: string) => (await t.call({ method: 'GET', url: `/v1/promo-codes?customerId=${id}` })).json().items as Array<Record<string, unknown>>;
    expect(await listed(unused)).toEqual([expect.objectContaining({ code: unusedCode, validFrom: '2026-10-05T00:00:00.000Z' })]);
    for (const id of [unused, used]) expect((await t.call({ method: 'POST', url: `/v1/customers/${id}/erase` })).statusCode).toBeLessThan(300);
    expect(await listed(unused)).toEqual([]);
    expect((await t.call({ method: 'GET', url: `/v1/promo-codes/${unusedCode}` })).statusCode).toBe(404);
    expect(await listed(used)).toEqual([expect.objectContaining({ code: usedCode, validFrom: null, validTo: null, uses: 1, usesLimit: 1 })]);
    expect(await offers(unused)).toEqual([]);
    expect(await offers(used)).toEqual([]);
  });

  it('does nothing while off', async () => {
    await setOffer({ enabled: false });
    await customer('1980-12-01');
    expect(await run('2026-12-01T12:00:00Z')).toEqual({ customers: 0, due: 0, issued: 0, failed: 0 });
  });
});
