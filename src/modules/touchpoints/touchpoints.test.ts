import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from '../../../tests/helpers/loopback-http.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The join and sign-in flows as HTTP (the browser test walks them in Chromium): limits on codes,
 * tries and expiry, a member joining again, forged posts, sessions ending on erase, and the
 * join form's settings.
 */
let t: TestApp;
let sms: LoopbackServer;

const form = 'application/x-www-form-urlencoded';
const tokenIn = (body: string) => /name="form" value="([^"]+)"/.exec(body)![1]!;
const challengeIn = (body: string) => /name="challenge" value="([^"]+)"/.exec(body)![1]!;
const codeTo = (phone: string) => {
  const request = [...sms.requests].reverse().find((r) => (JSON.parse(r.body) as { to: string }).to === phone);
  return request ? /(\d{6})/.exec((JSON.parse(request.body) as { text: string }).text)![1]! : null;
};
const smsTo = (phone: string) => sms.requests.filter((r) => (JSON.parse(r.body) as { to: string }).to === phone).length;

async function post(url: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return t.call({ method: 'POST', url, role: null, headers: { 'content-type': form, ...headers }, payload: new URLSearchParams(fields).toString() });
}
async function joinToken(query = 'lang=en') {
  return tokenIn((await t.call({ method: 'GET', url: `/join?${query}`, role: null })).body);
}
async function askJoinCode(phone: string, extra: Record<string, string> = {}) {
  return post('/join?lang=en', { form: await joinToken(), phone, consent_personal_data: 'yes', ...extra });
}

beforeAll(async () => {
  t = await createTestApp();
  sms = await startLoopbackServer(() => ({ status: 200, body: { id: 'sms-1' } }));
  const channel = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Gateway', kind: 'sms', config: { preset: 'generic', url: `${sms.url}/send`, apiKey: 'k', allowPrivateNetwork: true } } });
  expect(channel.statusCode).toBe(201);
}, 60_000);
afterAll(async () => {
  await sms?.close();
  await t?.close();
});

describe('one-time codes', () => {
  it('go at most 3 times in 15 minutes to one phone; the 4th ask is a 429 page saying when', async () => {
    for (let i = 0; i < 3; i++) expect((await askJoinCode('+79161110001')).statusCode).toBe(200);
    const fourth = await askJoinCode('+79161110001');
    expect(fourth.statusCode).toBe(429);
    expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
    expect(fourth.body).toContain('Too many codes asked for. Try again in 15 minutes.');
    expect(smsTo('+79161110001')).toBe(3);
    t.clock.advance(15 * 60_000 + 1000);
    expect((await askJoinCode('+79161110001')).statusCode).toBe(200);
    expect(smsTo('+79161110001')).toBe(4);
  });

  it('go at most 10 times a day to one phone, and at most 20 an hour from one address', async () => {
    const askFrom = async (remoteAddress: string, phone: string) =>
      t.call({ method: 'POST', url: '/join?lang=en', role: null, remoteAddress, headers: { 'content-type': form }, payload: new URLSearchParams({ form: await joinToken(), phone, consent_personal_data: 'yes' }).toString() });
    const firstAsk = t.clock.now().getTime();
    for (let i = 0; i < 10; i++) {
      if (i > 0 && i % 3 === 0) t.clock.advance(15 * 60_000 + 1000);
      expect((await askFrom('198.51.100.1', '+79161110010')).statusCode).toBe(200);
    }
    const eleventh = await askFrom('198.51.100.1', '+79161110010');
    expect(eleventh.statusCode).toBe(429);
    // The first of the ten leaves the day's window a day after it was asked.
    expect(Number(eleventh.headers['retry-after'])).toBe(Math.ceil((firstAsk + 86_400_000 - t.clock.now().getTime()) / 1000));
    expect(smsTo('+79161110010')).toBe(10);

    for (let i = 0; i < 20; i++) expect((await askFrom('203.0.113.7', `+791611101${String(i).padStart(2, '0')}`)).statusCode).toBe(200);
    const fromAddress = await askFrom('203.0.113.7', '+79161110199');
    expect(fromAddress.statusCode).toBe(429);
    expect(Number(fromAddress.headers['retry-after'])).toBe(3600);
    expect(smsTo('+79161110199')).toBe(0);
    // Another address may still ask for that phone.
    expect((await askFrom('203.0.113.8', '+79161110199')).statusCode).toBe(200);
  });

  it('allow five tries, then the code is spent even if the sixth is right', async () => {
    const page = await askJoinCode('+79161110002');
    const challenge = challengeIn(page.body);
    const code = codeTo('+79161110002')!;
    const wrong = code === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      const answer = await post('/join/confirm?lang=en', { form: tokenIn(page.body), challenge, code: wrong });
      expect(answer.statusCode).toBe(400);
      expect(answer.body).toContain(`Tries left: ${left}`);
    }
    expect((await post('/join/confirm?lang=en', { form: tokenIn(page.body), challenge, code: wrong })).body).toContain('no tries are left');
    const late = await post('/join/confirm?lang=en', { form: tokenIn(page.body), challenge, code });
    expect(late.statusCode).toBe(400);
    expect((await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79161110002' })).statusCode).toBe(404);
  });

  it('expire after five minutes, and are used once', async () => {
    const page = await askJoinCode('+79161110003');
    t.clock.advance(5 * 60_000 + 1000);
    const expired = await post('/join/confirm?lang=en', { form: tokenIn(page.body), challenge: challengeIn(page.body), code: codeTo('+79161110003')! });
    expect(expired.body).toContain('The code has expired');
    const again = await askJoinCode('+79161110003');
    const fields = { form: tokenIn(again.body), challenge: challengeIn(again.body), code: codeTo('+79161110003')! };
    expect((await post('/join/confirm?lang=en', fields)).statusCode).toBe(200);
    expect((await post('/join/confirm?lang=en', fields)).body).toContain('The code has expired');
  });

  it('are not sent for a form a bot filled (the hidden field), nor for a post from another site', async () => {
    const bot = await askJoinCode('+79161110004', { website: 'http://spam.example' });
    expect(bot.statusCode).toBe(200);
    const forged = await post('/join?lang=en', { form: await joinToken(), phone: '+79161110004', consent_personal_data: 'yes' }, { 'sec-fetch-site': 'cross-site' });
    expect(forged.statusCode).toBe(400);
    expect(forged.body).toContain('This form has expired');
    const otherOrigin = await post('/join?lang=en', { form: await joinToken(), phone: '+79161110004', consent_personal_data: 'yes' }, { origin: 'https://evil.example' });
    expect(otherOrigin.statusCode).toBe(400);
    expect(smsTo('+79161110004')).toBe(0);
  });
});

describe('joining', () => {
  it('a phone that is a member already links: empty fields filled, consents recorded, no second customer', async () => {
    const existing = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110005', firstName: 'Olga' } });
    expect(existing.statusCode).toBe(201);
    const page = await askJoinCode('+79161110005', { firstName: 'Someone else', email: 'olga@example.com', consent_marketing_email: 'yes' });
    const done = await post('/join/confirm?lang=en', { form: tokenIn(page.body), challenge: challengeIn(page.body), code: codeTo('+79161110005')! });
    expect(done.body).toContain('This number is already in the club');
    const record = (await t.call({ method: 'GET', url: `/v1/customers/${existing.json().id}` })).json();
    expect(record).toMatchObject({ firstName: 'Olga', email: 'olga@example.com' });
    expect(record.cardNumber).toMatch(/^2990\d{9}$/);
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${existing.json().id}/consents` })).json();
    expect(consents.current).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'email', purpose: 'marketing', granted: true })]));
    expect((await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79161110005' })).json().id).toBe(existing.json().id);
  });

  it('refuses an e-mail that is another member\'s before sending a code', async () => {
    await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110006', email: 'taken@example.com' } });
    const refused = await askJoinCode('+79161110007', { email: 'taken@example.com' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('This e-mail belongs to another member of the club');
    expect(smsTo('+79161110007')).toBe(0);
  });
});

describe('signing in', () => {
  it('sends no code to a phone that is no member\'s, and says the same as for a member', async () => {
    const token = tokenIn((await t.call({ method: 'GET', url: '/me/sign-in?lang=en', role: null })).body);
    const stranger = await post('/me/sign-in?lang=en', { form: token, phone: '+79161110099' });
    expect(stranger.statusCode).toBe(200);
    expect(stranger.body).toContain('Enter the code from the SMS');
    expect(smsTo('+79161110099')).toBe(0);
  });

  it('keeps a session until the customer is erased', async () => {
    const created = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110008' } })).json();
    const token = tokenIn((await t.call({ method: 'GET', url: '/me/sign-in?lang=en', role: null })).body);
    const page = await post('/me/sign-in?lang=en', { form: token, phone: '+79161110008' });
    const signedIn = await post('/me/sign-in/confirm?lang=en', { form: tokenIn(page.body), challenge: challengeIn(page.body), code: codeTo('+79161110008')! });
    expect(signedIn.statusCode).toBe(303);
    const cookie = String(signedIn.headers['set-cookie']);
    expect(cookie).toMatch(/patron_session=[^;]+; Max-Age=2592000; Path=\/me; HttpOnly; SameSite=Lax/);
    const session = cookie.split(';')[0]!;
    expect((await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } })).statusCode).toBe(200);
    expect((await t.call({ method: 'POST', url: `/v1/customers/${created.id}/erase` })).statusCode).toBe(200);
    const after = await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } });
    expect(after.statusCode).toBe(303);
    expect(after.headers.location).toBe('/me/sign-in?lang=en');
  });
});

describe('the card', () => {
  async function signIn(phone: string) {
    const token = tokenIn((await t.call({ method: 'GET', url: '/me/sign-in?lang=en', role: null })).body);
    const page = await post('/me/sign-in?lang=en', { form: token, phone });
    const signedIn = await post('/me/sign-in/confirm?lang=en', { form: tokenIn(page.body), challenge: challengeIn(page.body), code: codeTo(phone)! });
    expect(signedIn.statusCode).toBe(303);
    return String(signedIn.headers['set-cookie']).split(';')[0]!;
  }
  const record = async (id: string) => (await t.call({ method: 'GET', url: `/v1/customers/${id}` })).json() as { cardNumber: string | null; updatedAt: string };

  it('is issued at sign-in, so showing the account page writes nothing', async () => {
    const created = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110021' } })).json();
    expect(created.cardNumber).toBeNull();
    const session = await signIn('+79161110021');
    const issued = await record(created.id);
    expect(issued.cardNumber).toMatch(/^2990\d{9}$/);
    t.clock.advance(60_000);
    const page = await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(issued.cardNumber);
    expect(await record(created.id)).toEqual(issued);
  });

  it('taken away while signed in, is issued again when the account page is shown', async () => {
    const created = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79161110022' } })).json();
    const session = await signIn('+79161110022');
    expect((await t.call({ method: 'PATCH', url: `/v1/customers/${created.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { cardNumber: null } })).statusCode).toBe(200);
    expect((await record(created.id)).cardNumber).toBeNull();
    const page = await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } });
    expect(page.statusCode).toBe(200);
    const again = (await record(created.id)).cardNumber;
    expect(again).toMatch(/^2990\d{9}$/);
    expect(page.body).toContain(again);
  });
});

describe('the join form\'s settings', () => {
  it('refuse what cannot work, in words, and a change made meanwhile', async () => {
    const current = (await t.call({ method: 'GET', url: '/v1/touchpoints/join-form' })).json();
    const bad = await t.call({
      method: 'PUT',
      url: '/v1/touchpoints/join-form',
      payload: { ...current, embedOrigins: ['https://shop.example/'], consents: [...current.consents, current.consents[0]] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().detail).toContain('embedOrigins.0: must be an origin');
    expect(bad.json().detail).toContain('"personal_data" is used by another consent of the form');
    // Attributes the form would ask as text and the customer's record then refuse: refused now.
    await t.call({ method: 'PUT', url: '/v1/customer-attributes/shoe_size', payload: { type: 'integer', label: 'Shoe size' } });
    const label = { ru: 'Размер', en: 'Size' };
    const attributes = await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...current, attributes: [{ key: 'shoe_size', label, required: false }, { key: 'pet_name', label, required: false }] } });
    expect([attributes.statusCode, attributes.json().errors]).toEqual([400, [
      { field: 'attributes.0.key', reason: 'shoe_size is an attribute of type integer; the form asks text attributes (type string) only' },
      { field: 'attributes.1.key', reason: 'no attribute pet_name is declared; PUT /v1/customer-attributes/pet_name declares it' },
    ]]);
    const same = await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: current });
    expect(same.json().version).toBe(current.version);
    const changed = await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...current, cardPrefix: '77' } });
    expect(changed.json()).toMatchObject({ cardPrefix: '77', version: current.version + 1 });
    const stale = await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: { ...current, cardPrefix: '78' } });
    expect(stale.statusCode).toBe(409);
    expect((await t.call({ method: 'PUT', url: '/v1/touchpoints/join-form', payload: current, role: 'analyst' })).statusCode).toBe(403);
  });
});
