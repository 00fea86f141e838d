import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { loggableError, maskPathSecrets, scrubPersonalData } from './log-safety.ts';

/**
 * The real logger (pino, as `patron serve` configures it, at the most talkative level) writing
 * to a stream of our own, through a realistic slice of API calls with known keys, phones and
 * e-mails; then the log is searched for each of them.
 */
const log: string[] = [];
let t: TestApp;

const phones = { sent: '8 (926) 555-01-01', stored: '+79265550101', digits: '9265550101' };
const otherPhone = { sent: '+7 926 555 01 02', stored: '+79265550102', digits: '9265550102' };
const importedPhone = { stored: '+79265550103', digits: '9265550103' };
const emails = ['Secret.Person@Example.com', 'secret.person@example.com', 'moved.person@example.org', 'imported.person@example.net'];
const card = 'CARD55501';
const wrongKey = 'patron_WrongWrongWrongWrongWrongWrongWrong12345';

beforeAll(async () => {
  t = await createTestApp({
    logger: { stream: { write: (line: string) => void log.push(line) } },
    logLevel: 'trace',
    rateLimits: { perKeyPerSecond: 1000, perIpPerSecond: 1000, authFailuresPerMinute: 3, authLockoutSeconds: 60 },
  });
});
afterAll(async () => t.close());

describe('logs', () => {
  it('hold no API key, phone or e-mail after a realistic run of API calls', async () => {
    const owner = await t.key('owner');
    const pos = await t.key('pos');
    const ok = (response: { statusCode: number; body: string }, status: number) => expect(response.statusCode, response.body.slice(0, 200)).toBe(status);

    const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: phones.sent, email: emails[0], cardNumber: card, firstName: 'Secret' } });
    ok(created, 201);
    const id = created.json().id as string;
    ok(await t.call({ method: 'GET', url: `/v1/customers/lookup?phone=${encodeURIComponent(phones.sent)}` }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/customers/lookup?email=${encodeURIComponent(emails[0]!)}` }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/customers/lookup?card=${card}` }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/customers?q=${encodeURIComponent(phones.stored)}` }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/customers/${id}` }), 200);
    ok(await t.call({ method: 'PATCH', url: `/v1/customers/${id}`, payload: { email: emails[2], phone: otherPhone.sent } }), 200);
    ok(await t.call({ method: 'PUT', url: `/v1/customers/${id}/consents`, payload: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '203.0.113.1' } }] }), 200);
    // Failures whose input is personal data.
    ok(await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: otherPhone.sent } }), 409);
    ok(await t.call({ method: 'POST', url: '/v1/customers', payload: { email: emails[2] } }), 409);
    ok(await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'not-an-email@', phone: '12' } }), 400);
    ok(await t.call({ method: 'GET', url: `/v1/customers/lookup?phone=${encodeURIComponent(phones.stored)}` }), 404);
    ok(await t.call({ method: 'GET', url: `/v1/customers/${encodeURIComponent(emails[0]!)}` }), 400);
    // Import and export.
    const csv = `phone,email,first_name\n${importedPhone.stored},${emails[3]},Imported\n12,broken@example.com,Bad\n`;
    const upload = await t.call({ method: 'POST', url: '/v1/imports/customers?fileName=people.csv', payload: csv, headers: { 'content-type': 'text/csv' } });
    ok(upload, 202);
    await t.services.imports.idle();
    ok(await t.call({ method: 'GET', url: '/v1/exports/customers' }), 200);
    // The till.
    ok(await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } }), 200);
    const lines = [{ sku: 'milk', name: 'Milk', category: 'dairy', qty: 1, price: 9990 }];
    ok(await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', customer: { phone: otherPhone.sent }, lines }, role: 'pos' }), 200);
    ok(await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: 'R1', customer: { email: emails[2] }, lines }, role: 'pos' }), 201);
    ok(await t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', customer: { phone: '+79265550199' }, lines }, role: 'pos' }), 404);
    // Gift cards and reward codes: the code in the path is a bearer secret (masked in the log and in `instance`).
    const issued = await t.call({ method: 'POST', url: '/v1/gift-cards', payload: { amountMinor: 5000 } });
    ok(issued, 201);
    const giftCard = issued.json() as { id: string; code: string };
    const printed = giftCard.code.replace(/(.{4})(?=.)/g, '$1-');
    ok(await t.call({ method: 'POST', url: `/v1/gift-cards/${giftCard.code}/activate`, payload: { amountMinor: 5000 }, role: 'pos' }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/gift-cards/${printed}`, role: 'pos' }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/gift-cards/${giftCard.code}/entries` }), 200);
    ok(await t.call({ method: 'GET', url: `/v1/gift-cards/${giftCard.id}` }), 200);
    ok(await t.call({ method: 'GET', url: '/v1/gift-cards/batches' }), 200);
    const refused = await t.call({ method: 'POST', url: `/v1/gift-cards/${giftCard.code}/activate`, payload: { amountMinor: 5000 }, role: 'pos' });
    ok(refused, 409);
    expect(refused.json().instance).toBe(`/v1/gift-cards/************${giftCard.code.slice(-4)}/activate`);
    ok(await t.call({ method: 'GET', url: `/v1/gift-cards/${giftCard.code}/nothing-here` }), 404);
    const rewardCode = 'RWC-7K3M-Q9XZ';
    const unknownReward = await t.call({ method: 'POST', url: `/v1/reward-codes/${rewardCode}/redeem`, payload: {}, role: 'pos' });
    ok(unknownReward, 404);
    expect(unknownReward.json().instance).toBe('/v1/reward-codes/************Q9XZ/redeem');
    // Keys: created, used, wrong, revoked, locked out.
    const made = await t.call({ method: 'POST', url: '/v1/api-keys', payload: { name: 'till 1', role: 'pos' } });
    ok(made, 201);
    const { key, secret } = made.json() as { key: { id: string }; secret: string };
    ok(await t.call({ method: 'GET', url: `/v1/customers/${id}`, role: null, headers: { authorization: `Bearer ${secret}` } }), 200);
    ok(await t.call({ method: 'DELETE', url: `/v1/api-keys/${key.id}` }), 200);
    for (const bad of [secret, wrongKey, `${wrongKey}x`]) {
      ok(await t.call({ method: 'GET', url: '/v1/customers', role: null, headers: { authorization: `Bearer ${bad}` } }), 401);
    }
    ok(await t.call({ method: 'GET', url: '/v1/customers', role: null, headers: { authorization: `Bearer ${owner}` } }), 429);
    // An error as a driver reports it, through the app's own logger (what the 500 path and the scheduler do).
    const pgError = Object.assign(new Error(`duplicate key value violates unique constraint; value ${phones.stored}`), {
      code: '23505',
      detail: `Key (value_normalized)=(${phones.stored}) already exists; ${emails[1]}`,
      where: `SQL statement with ${secret}`,
    });
    t.app.log.error({ err: pgError }, 'unhandled error');
    await t.app.close(); // flushes the logger

    const text = log.join('');
    // The log is not empty: requests and their outcomes are there, by path.
    expect(log.length).toBeGreaterThan(40);
    expect(text).toContain('/v1/customers/lookup');
    expect(text).toContain('"statusCode":409');
    expect(text).toContain('23505');
    expect(text).toContain(`/v1/gift-cards/************${giftCard.code.slice(-4)}/activate`);
    expect(text).toContain(`/v1/gift-cards/${giftCard.id}`);
    expect(text).toContain('/v1/gift-cards/batches');
    expect(text).toContain('/v1/reward-codes/************Q9XZ/redeem');
    const secrets = [owner, pos, secret, wrongKey, owner.slice('patron_'.length), secret.slice('patron_'.length), wrongKey.slice(7)];
    const personal = [phones.sent, phones.stored, phones.digits, otherPhone.stored, otherPhone.digits, importedPhone.stored, importedPhone.digits, card, ...emails];
    const codes = [giftCard.code, printed, giftCard.code.slice(0, 12), rewardCode, 'RWC-7K3M', '7K3M-Q9XZ'];
    for (const value of [...secrets, ...personal, ...codes]) {
      const at = text.indexOf(value);
      expect(at, `${value} is in the log: …${text.slice(Math.max(0, at - 200), at + 100)}…`).toBe(-1);
    }
  });

  it('masks the code in a gift-card or reward-code path, not an id nor batches', () => {
    expect(maskPathSecrets('/v1/gift-cards/ABCDEFGHJKLMNPQR/activate')).toBe('/v1/gift-cards/************NPQR/activate');
    expect(maskPathSecrets('/v1/gift-cards/abcd-efgh-jklm-npqr')).toBe('/v1/gift-cards/************npqr');
    expect(maskPathSecrets('/v1/gift-cards/gcd_0190c0ffee0070008000000000000123/entries')).toBe('/v1/gift-cards/gcd_0190c0ffee0070008000000000000123/entries');
    expect(maskPathSecrets('/v1/gift-cards/batches/gcb_1/export')).toBe('/v1/gift-cards/batches/gcb_1/export');
    expect(maskPathSecrets('/v1/gift-cards/batchesABCDEFGHJKLM')).toBe('/v1/gift-cards/************JKLM');
    expect(maskPathSecrets('/v1/gift-cards')).toBe('/v1/gift-cards');
    expect(maskPathSecrets('/v1/reward-codes/RWC-7K3M-Q9XZ/redeem')).toBe('/v1/reward-codes/************Q9XZ/redeem');
    expect(maskPathSecrets('/v1/reward-codes/SHORT/redeem')).toBe('/v1/reward-codes/************/redeem');
    expect(maskPathSecrets('/v1/customers/cus_1')).toBe('/v1/customers/cus_1');
  });

  it('scrubs keys, E.164 phones and e-mails from a finished line, and keeps what a driver attaches out of errors', () => {
    expect(scrubPersonalData('{"msg":"key patron_AbCdEfGhIjKlMnOpQrStUv from +79161234567 <Anna.P@mail.example.co.uk>","time":1767225600000}')).toBe(
      '{"msg":"key patron_[redacted] from [phone] <[e-mail]>","time":1767225600000}',
    );
    expect(scrubPersonalData('hint patron_AbCd…, id cus_0190c0ffee0070008000000000000123')).toBe('hint patron_AbCd…, id cus_0190c0ffee0070008000000000000123');
    const logged = loggableError(Object.assign(new Error('boom'), { code: '23505', constraint: 'ids_unique', detail: 'Key (v)=(+79161234567)', cause: new Error('for a@b.co') }));
    expect(logged).toMatchObject({ type: 'Error', message: 'boom', code: '23505', constraint: 'ids_unique', cause: { message: 'for [e-mail]' } });
    expect(JSON.stringify(logged)).not.toMatch(/7916|a@b/);
  });
});
