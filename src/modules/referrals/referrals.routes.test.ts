import { createHash, createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { REFERRAL_ALPHABET } from './referral-codes.ts';
import { referralSteps } from './referral-test-steps.ts';

const DAY = 86_400_000;
let t: TestApp;
const s = referralSteps(() => t);
beforeAll(async () => {
  t = await createTestApp({});
  t.clock.set('2026-03-01T09:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
});
afterAll(async () => t?.close());

describe('referral codes', () => {
  it('are given at sign-up, 8 characters without look-alikes; reading one writes nothing', async () => {
    const anna = await s.customer();
    const stored = await sql<{ code: string }>`select code from referral_codes where customer_id = ${anna}`.execute(t.database.db);
    expect(stored.rows).toHaveLength(1);
    const first = await s.referral(anna);
    expect(first.code).toBe(stored.rows[0]!.code);
    expect(first).toEqual({ customerId: anna, code: first.code, referrals: { invited: 0, qualified: 0, rewarded: 0 }, rewardsEarned: 0 });
    expect(first.code).toMatch(new RegExp(`^[${REFERRAL_ALPHABET}]{8}$`));
    expect(first.code).not.toMatch(/[01OIL]/);
    expect((await s.referral(anna)).code).toBe(first.code);
    const codes = await sql<{ n: number }>`select count(*)::int as n from referral_codes`.execute(t.database.db);
    await s.referral(anna);
    expect((await sql<{ n: number }>`select count(*)::int as n from referral_codes`.execute(t.database.db)).rows[0]!.n).toBe(codes.rows[0]!.n);
  });

  it('are given to a whole import batch at once, each its own', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => ({ line: i + 2, identifiers: [{ kind: 'phone' as const, source: '', value: `+7925${String(1_000_000 + i).slice(1)}0` }], profile: {}, attributes: {}, consents: [] }));
    const result = await t.services.customers.importRows(rows, 'referral-test');
    const ids = [...result.customerIds.values()];
    const codes = await sql<{ n: number; distinct: number }>`select count(*)::int as n, count(distinct code)::int as distinct from referral_codes where customer_id in (${sql.join(ids)})`.execute(t.database.db);
    expect(codes.rows[0]).toEqual({ n: 300, distinct: 300 });
  });

  it('show the program\'s link when a template is set', async () => {
    const patched = await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { linkTemplate: 'https://shop.example/r/{code}' } });
    expect(patched.statusCode, patched.body).toBe(200);
    const anna = await s.customer();
    const summary = await s.referral(anna);
    expect(summary.link).toBe(`https://shop.example/r/${summary.code}`);
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { linkTemplate: null } });
  });
});

describe('naming a referrer', () => {
  it('once: 201, the same code again 200 with the same referral, another code 409', async () => {
    const [anna, boris, vera] = [await s.customer(), await s.customer(), await s.customer()];
    const code = await s.code(anna);
    const named = await s.name(boris, { code: code.toLowerCase().replace(/(....)/, '$1-') });
    expect(named.statusCode, named.body).toBe(201);
    expect(named.json()).toMatchObject({ customerId: boris, referrerId: anna, code, status: 'invited', referrerPoints: 500, refereePoints: 300, qualifyingPurchaseMinor: 100_000 });
    expect(named.json().qualifyBy).toBe(new Date(t.clock.now().getTime() + 90 * DAY).toISOString());
    const again = await s.name(boris, { code });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(named.json().id);
    const other = await s.name(boris, { code: await s.code(vera) });
    expect(other.statusCode).toBe(409);
    expect(other.json()).toMatchObject({ code: 'referral.already_referred' });
    expect((await s.referral(boris)).referredBy).toMatchObject({ referralId: named.json().id, referrerId: anna, code, status: 'invited' });
    expect((await s.referral(anna)).referrals).toEqual({ invited: 1, qualified: 0, rewarded: 0 });
  });

  it('refuses an unknown code, a switched-off program, a customer past the join window or after a purchase', async () => {
    const [anna, boris] = [await s.customer(), await s.customer()];
    const code = await s.code(anna);
    expect((await s.name(boris, { code: 'ZZZZZZZZ' })).json()).toMatchObject({ status: 400, code: 'referral.unknown_code' });
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { enabled: false } });
    expect((await s.name(boris, { code })).json()).toMatchObject({ status: 409, code: 'referral.program_disabled' });
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { enabled: true } });

    await s.confirm(boris, 5000);
    expect((await s.name(boris, { code })).json()).toMatchObject({ status: 409, code: 'referral.after_first_purchase' });

    const late = await s.customer();
    t.clock.advance(31 * DAY);
    expect((await s.name(late, { code })).json()).toMatchObject({ status: 409, code: 'referral.join_window_passed' });
    // Nothing was written by the refusals.
    const rows = await sql<{ n: number }>`select count(*)::int as n from referrals where customer_id in (${boris}, ${late})`.execute(t.database.db);
    expect(rows.rows[0]!.n).toBe(0);
  });
});

describe('self-referral', () => {
  const refused = async (refereeId: string, body: object, words: string) => {
    const answer = await s.name(refereeId, body);
    expect(answer.statusCode, answer.body).toBe(409);
    expect(answer.json()).toMatchObject({ code: 'referral.self_referral' });
    expect(answer.json().detail).toContain(words);
  };

  it('one\'s own code', async () => {
    const anna = await s.customer();
    await refused(anna, { code: await s.code(anna) }, 'own referral code');
  });

  it('the same e-mail mailbox (Gmail dots and a +tag are the same mailbox)', async () => {
    const anna = await s.customer({ email: 'anna.petrova@gmail.com' });
    const twin = await s.customer({ email: 'annapetrova+2@googlemail.com' });
    await refused(twin, { code: await s.code(anna) }, 'e-mail address');
  });

  it('a phone the referrer signed up with, moved to the new account since', async () => {
    const anna = await s.customer({ phone: '+79160000001' });
    const code = await s.code(anna);
    expect((await t.call({ method: 'PATCH', url: `/v1/customers/${anna}`, payload: { phone: '+79160000002' } })).statusCode).toBe(200);
    const second = await s.customer({ phone: '+79160000001' });
    await refused(second, { code }, 'phone number');
  });

  it('the referrer\'s device, or payment card, given as a token; stored only as hashes', async () => {
    const anna = await s.customer();
    const code = await s.code(anna);
    const recorded = await t.call({ method: 'POST', url: `/v1/customers/${anna}/referral/fingerprints`, payload: { deviceId: 'ios-AAAA-1111', paymentToken: 'tok_visa_4242' } });
    expect(recorded.statusCode, recorded.body).toBe(200);
    expect(recorded.json()).toEqual({ customerId: anna, recorded: 2 });
    await refused(await s.customer(), { code, deviceId: 'ios-AAAA-1111' }, 'device');
    await refused(await s.customer(), { code, paymentToken: 'tok_visa_4242' }, 'payment card');
    const raw = await sql<{ n: number }>`select count(*)::int as n from referral_fingerprints where hash like '%ios-AAAA-1111%' or hash like '%tok_visa_4242%'`.execute(t.database.db);
    expect(raw.rows[0]!.n).toBe(0);
    // Keyed with the installation's secret (made once, in system_settings): a plain SHA-256 of the value matches nothing.
    const secrets = await t.database.db.selectFrom('systemSettings').select('value').where('key', '=', 'referrals.fingerprint_secret').execute();
    expect(secrets).toHaveLength(1);
    const key = Buffer.from((secrets[0]!.value as { secret: string }).secret, 'base64');
    expect(key).toHaveLength(32);
    const stored = (await t.database.db.selectFrom('referralFingerprints').select('hash').where('customerId', '=', anna).where('kind', '=', 'device').execute()).map((r) => r.hash);
    const input = 'patron-referral:device:ios-AAAA-1111';
    expect(stored).toEqual([createHmac('sha256', key).update(input).digest('hex')]);
    expect(stored).not.toContain(createHash('sha256').update(input).digest('hex'));
    // Another device is fine; that device then cannot bring a second account.
    const boris = await s.customer();
    expect((await s.name(boris, { code, deviceId: 'android-BBBB' })).statusCode).toBe(201);
    const farm = await s.name(await s.customer(), { code: await s.code(await s.customer()), deviceId: 'android-BBBB' });
    expect(farm.json()).toMatchObject({ status: 409, code: 'referral.device_used' });
  });
});

describe('caps', () => {
  it('hold per month and in all, counting referees whatever became of them', async () => {
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { capPerReferrerPerMonth: 2, capPerReferrerTotal: 3 } });
    t.clock.set('2026-05-10T09:00:00Z');
    const anna = await s.customer();
    const code = await s.code(anna);
    expect((await s.name(await s.customer(), { code })).statusCode).toBe(201);
    expect((await s.name(await s.customer(), { code })).statusCode).toBe(201);
    const third = await s.name(await s.customer(), { code });
    expect(third.json()).toMatchObject({ status: 409, code: 'referral.cap_reached' });
    expect(third.json().detail).toContain('2 a month');
    t.clock.set('2026-06-01T00:00:00Z');
    expect((await s.name(await s.customer(), { code })).statusCode).toBe(201);
    const fourth = await s.name(await s.customer(), { code });
    expect(fourth.json().detail).toContain('3 in all');
    await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { capPerReferrerPerMonth: 10, capPerReferrerTotal: 100 } });
  });
});

describe('rewards', () => {
  const setUp = async () => {
    const [anna, boris] = [await s.customer(), await s.customer()];
    const named = await s.name(boris, { code: await s.code(anna) });
    expect(named.statusCode, named.body).toBe(201);
    return { anna, boris, referralId: named.json().id as string };
  };

  it('both sides, only after the qualifying receipt\'s pending period, and never twice', async () => {
    t.clock.set('2026-07-01T09:00:00Z');
    const { anna, boris, referralId } = await setUp();
    await s.confirm(boris, 99_999); // below 1,000.00: does not qualify
    expect((await s.runJob()).qualified).toBe(0);
    const receipt = await s.confirm(boris, 120_000);
    expect(await s.runJob()).toMatchObject({ qualified: 1, rewarded: 0 });
    expect((await s.referral(boris)).referredBy).toMatchObject({ status: 'qualified', rewardDueAt: '2026-07-15T09:00:00.000Z' });

    t.clock.set('2026-07-15T08:59:59Z'); // one second before the 14-day pending period ends
    expect((await s.runJob()).rewarded).toBe(0);
    expect(await s.awards(referralId)).toEqual({});

    t.clock.set('2026-07-15T09:00:00Z');
    expect((await s.runJob()).rewarded).toBe(1);
    expect(await s.awards(referralId)).toEqual({ [anna]: 500, [boris]: 300 });
    expect((await s.runJob()).rewarded).toBe(0);
    expect(await s.awards(referralId)).toEqual({ [anna]: 500, [boris]: 300 });

    const referrer = await s.referral(anna);
    expect(referrer).toMatchObject({ referrals: { invited: 1, qualified: 1, rewarded: 1 }, rewardsEarned: 500 });
    const list = await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals` });
    expect(list.json().items).toEqual([expect.objectContaining({ id: referralId, status: 'rewarded', receiptId: receipt.id, referee: { phone: expect.stringMatching(/\*/), email: null } })]);
    await expectLedgerConsistent(t.database.db);
  });

  it('not when the receipt was cancelled in its pending period; a later purchase qualifies instead', async () => {
    t.clock.set('2026-08-01T09:00:00Z');
    const { anna, boris, referralId } = await setUp();
    const receipt = await s.confirm(boris, 150_000);
    await s.runJob();
    t.clock.set('2026-08-05T09:00:00Z');
    expect((await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: receipt.posReceiptId } })).statusCode).toBe(200);
    t.clock.set('2026-08-20T09:00:00Z');
    expect(await s.runJob()).toMatchObject({ rewarded: 0, requalified: 1 });
    expect(await s.awards(referralId)).toEqual({});
    expect((await s.referral(boris)).referredBy.status).toBe('invited');

    const second = await s.confirm(boris, 100_000);
    expect((await s.runJob()).qualified).toBe(1);
    t.clock.set('2026-09-03T09:00:00Z');
    expect((await s.runJob()).rewarded).toBe(1);
    expect(await s.awards(referralId)).toEqual({ [anna]: 500, [boris]: 300 });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals` })).json().items[0].receiptId).toBe(second.id);
  });

  it('not when a return brought the receipt below the threshold', async () => {
    t.clock.set('2026-10-01T09:00:00Z');
    const { boris, referralId } = await setUp();
    const posReceiptId = 'R-two-lines';
    const confirmed = await t.call({
      method: 'POST',
      url: '/v1/checkout/confirm',
      payload: { storeId: 's1', posReceiptId, customer: { customerId: boris }, lines: [{ sku: 'A', qty: 1, price: 90_000 }, { sku: 'B', qty: 1, price: 20_000 }] },
    });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    await s.runJob();
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${confirmed.json().receiptId}/refunds`, payload: { refundId: 'ret-1', lines: [{ sku: 'B', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201);
    t.clock.set('2026-10-16T09:00:00Z');
    expect(await s.runJob()).toMatchObject({ rewarded: 0, requalified: 1 });
    expect(await s.awards(referralId)).toEqual({});
  });

  it('expire without a qualifying purchase in time', async () => {
    t.clock.set('2026-11-01T09:00:00Z');
    const { boris } = await setUp();
    t.clock.set('2027-02-01T09:00:00Z');
    expect((await s.runJob()).expired).toBeGreaterThanOrEqual(1);
    expect((await s.referral(boris)).referredBy.status).toBe('expired');
  });
});

describe('the referee list', () => {
  it('pages newest first with limit and cursor, filters by status, masks contacts', async () => {
    t.clock.set('2027-02-15T09:00:00Z');
    const anna = await s.customer();
    const code = await s.code(anna);
    const friends = [await s.customer({ email: 'first.friend@example.org' }), await s.customer(), await s.customer()];
    for (const friend of friends) expect((await s.name(friend, { code })).statusCode).toBe(201);
    const first = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals?limit=2` })).json();
    expect(first.items.map((i: { customerId: string }) => i.customerId)).toEqual([friends[2], friends[1]]);
    const second = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals?limit=2&cursor=${first.nextCursor}` })).json();
    expect(second).toEqual({ items: [expect.objectContaining({ customerId: friends[0], referee: { phone: expect.stringMatching(/^\+7916\*{5}\d\d$/), email: 'f***@example.org' } })], nextCursor: null });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals?status=rewarded` })).json()).toEqual({ items: [], nextCursor: null });
    expect((await t.call({ method: 'GET', url: `/v1/customers/${anna}/referrals?cursor=bm9wZQ` })).json()).toMatchObject({ status: 400, code: 'request.invalid_cursor' });
  });
});

describe('merge and erase', () => {
  it('a merge moves the referrals and the code; one between the two becomes void', async () => {
    t.clock.set('2027-03-01T09:00:00Z');
    const [anna, annaDup, boris] = [await s.customer(), await s.customer(), await s.customer()];
    const dupCode = await s.code(annaDup);
    expect((await s.name(boris, { code: dupCode })).statusCode).toBe(201);
    expect((await s.name(anna, { code: dupCode })).statusCode).toBe(201);
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: annaDup } });
    expect(merged.statusCode, merged.body).toBe(200);
    expect((await s.referral(anna)).referrals).toEqual({ invited: 1, qualified: 0, rewarded: 0 });
    expect((await s.referral(boris)).referredBy).toMatchObject({ referrerId: anna, code: dupCode });
    // The duplicate's code still names the survivor.
    const carol = await s.customer();
    expect((await s.name(carol, { code: dupCode })).json()).toMatchObject({ referrerId: anna });
  });

  it('a merge after the duplicate\'s welcome bonus: the survivor\'s open referral is void and pays nothing', async () => {
    t.clock.set('2027-04-01T09:00:00Z');
    const [anna, carl, keep, dup] = [await s.customer(), await s.customer(), await s.customer(), await s.customer()];
    const dupReferral = (await s.name(dup, { code: await s.code(anna) })).json().id as string;
    const keepNamed = await s.name(keep, { code: await s.code(carl) });
    expect(keepNamed.statusCode, keepNamed.body).toBe(201);
    await s.confirm(dup, 150_000);
    await s.runJob();
    t.clock.set('2027-04-16T09:00:00Z');
    expect((await s.runJob()).rewarded).toBe(1);
    expect(await s.awards(dupReferral)).toEqual({ [anna]: 500, [dup]: 300 });
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${keep}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBe(200);
    // The survivor buys: its own referral would have qualified and paid a second welcome bonus.
    await s.confirm(keep, 150_000);
    await s.runJob();
    t.clock.set('2027-05-02T09:00:00Z');
    expect((await s.runJob()).rewarded).toBe(0);
    expect(await s.awards(keepNamed.json().id)).toEqual({});
    const rows = await t.database.db.selectFrom('referrals').select(['id', 'status', 'mergedFrom']).where('customerId', '=', keep).orderBy('id').execute();
    expect(rows).toEqual(expect.arrayContaining([
      { id: keepNamed.json().id, status: 'void', mergedFrom: null },
      { id: dupReferral, status: 'rewarded', mergedFrom: null },
    ]));
    expect((await s.referral(keep)).referredBy).toMatchObject({ status: 'rewarded' });
    await expectLedgerConsistent(t.database.db);
  });

  it('an erase takes the customer\'s hashes and voids their open referral', async () => {
    const [anna, boris] = [await s.customer(), await s.customer({ email: 'boris@example.org' })];
    expect((await s.name(boris, { code: await s.code(anna), deviceId: 'dev-erase-me' })).statusCode).toBe(201);
    expect((await t.call({ method: 'POST', url: `/v1/customers/${boris}/erase` })).statusCode).toBe(200);
    const left = await sql<{ fingerprints: number; hashes: number; status: string }>`
      select (select count(*)::int from referral_fingerprints where customer_id = ${boris}) as fingerprints,
        (select count(*)::int from referrals where customer_id = ${boris} and (device_hash is not null or payment_hash is not null)) as hashes,
        (select status from referrals where customer_id = ${boris}) as status`.execute(t.database.db);
    expect(left.rows[0]).toEqual({ fingerprints: 0, hashes: 0, status: 'void' });
  });
});

describe('settings', () => {
  it('GET, PUT what GET answered (nothing changes), PATCH, a stale version is a 409', async () => {
    const current = (await t.call({ method: 'GET', url: '/v1/referral-program' })).json();
    expect(current).toMatchObject({ enabled: true, referrerPoints: 500, refereePoints: 300, qualifyingPurchaseMinor: 100_000, joinWindowDays: 30, qualifyWithinDays: 90 });
    const same = await t.call({ method: 'PUT', url: '/v1/referral-program', payload: current });
    expect(same.json().version).toBe(current.version);
    const patched = await t.call({ method: 'PATCH', url: '/v1/referral-program', headers: { 'content-type': 'application/merge-patch+json' }, payload: JSON.stringify({ referrerPoints: 700, version: current.version }) });
    expect(patched.json()).toMatchObject({ referrerPoints: 700, version: current.version + 1 });
    const stale = await t.call({ method: 'PUT', url: '/v1/referral-program', payload: { ...current, referrerPoints: 800 } });
    expect(stale.json()).toMatchObject({ status: 409, code: 'referral_program.version_conflict' });
    const bad = await t.call({ method: 'PATCH', url: '/v1/referral-program', payload: { linkTemplate: 'https://shop.example/r/' } });
    expect(bad.statusCode).toBe(400);
  });
});
