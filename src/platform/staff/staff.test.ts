import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { hashPassword, needsRehash, passwordProblem, verifyPassword } from './passwords.ts';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

type Browser = { cookie: string; csrf: string };

const PASSWORD = 'correct horse battery';

/** Adds a staff user through the owner key's API. */
async function addStaff(email: string, role: string, password = PASSWORD): Promise<string> {
  const response = await t.call({ method: 'POST', url: '/v1/staff-users', payload: { email, name: `${role} person`, role, password } });
  expect(response.statusCode, response.body).toBe(201);
  return (response.json() as { user: { id: string } }).user.id;
}

function signIn(email: string, password = PASSWORD): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/v1/console/session', payload: { email, password } });
}

async function browserOf(email: string, password = PASSWORD): Promise<Browser> {
  const response = await signIn(email, password);
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'patron_console')!;
  return { cookie: `patron_console=${cookie.value}`, csrf: (response.json() as { csrfToken: string }).csrfToken };
}

/** A request as the console makes it: the session cookie, and the CSRF token on changes. */
function asConsole(browser: Browser, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, csrf = true) {
  const headers: Record<string, string> = { cookie: browser.cookie };
  if (csrf && method !== 'GET') headers['x-csrf-token'] = browser.csrf;
  return t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

describe('passwords', () => {
  it('hashes with scrypt, verifies only the same password, and tells an old cost from the current one', async () => {
    const cost = { logN: 10, r: 8, p: 1 };
    const stored = await hashPassword('ünïcode passwörd', cost);
    expect(stored).toMatch(/^scrypt\$10\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('ünïcode passwörd', stored)).toBe(true);
    expect(await verifyPassword('ünïcode passwörd '.trim() + 'x', stored)).toBe(false);
    expect(await verifyPassword('anything', 'not a hash')).toBe(false);
    expect(needsRehash(stored, { logN: 12, r: 8, p: 1 })).toBe(true);
    expect(needsRehash(stored, cost)).toBe(false);
    expect(await hashPassword('ünïcode passwörd', cost)).not.toBe(stored);
  });

  it('asks for length, not character classes; refuses the e-mail and a repeated character', () => {
    expect(passwordProblem('short', 'a@b.ru')).toMatch(/at least 10 characters/);
    expect(passwordProblem('anna.petrova', 'anna.petrova@example.com')).toMatch(/e-mail/);
    expect(passwordProblem('aaaaaaaaaaab', 'x@y.ru')).toMatch(/4 different characters/);
    expect(passwordProblem('all lower case words', 'x@y.ru')).toBeNull();
  });
});

describe('console sign-in', () => {
  it('signs a person in with a cookie the browser keeps to itself, and answers the CSRF token and what the role may do', async () => {
    await addStaff('Marketer@Example.com', 'marketer');
    const response = await signIn('  marketer@EXAMPLE.com ');
    expect(response.statusCode, response.body).toBe(200);
    const body = response.json() as { signedIn: boolean; user: { email: string; role: string }; csrfToken: string; permissions: string[] };
    expect(body).toMatchObject({ signedIn: true, user: { email: 'marketer@example.com', role: 'marketer' } });
    expect(body.csrfToken).toMatch(/^[\w-]{32}$/);
    expect(body.permissions).toContain('program:write');
    expect(body.permissions).not.toContain('keys:manage');
    const cookie = response.cookies.find((c) => c.name === 'patron_console')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    // Plain http to localhost (inject's host) is development: not Secure there, Secure anywhere else.
    expect(cookie.secure).toBeFalsy();
    const remote = await t.app.inject({ method: 'POST', url: '/v1/console/session', headers: { host: 'patron.example.com' }, payload: { email: 'marketer@example.com', password: PASSWORD } });
    expect(remote.cookies.find((c) => c.name === 'patron_console')!.secure).toBe(true);

    const browser = await browserOf('marketer@example.com');
    const session = await asConsole(browser, 'GET', '/v1/console/session');
    expect(session.json()).toMatchObject({ signedIn: true, user: { email: 'marketer@example.com' }, csrfToken: browser.csrf });
    expect((await t.app.inject({ method: 'GET', url: '/v1/console/session' })).json()).toEqual({ signedIn: false, user: null, csrfToken: null, expiresAt: null, permissions: [] });
  });

  it('gives the same answer for an unknown e-mail, a wrong password and a disabled account', async () => {
    const id = await addStaff('leaving@example.com', 'support');
    await t.call({ method: 'PATCH', url: `/v1/staff-users/${id}`, payload: { disabled: true } });
    const answers = await Promise.all([signIn('nobody@example.com'), signIn('marketer@example.com', 'wrong password!'), signIn('leaving@example.com')]);
    for (const answer of answers) {
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toMatchObject({ code: 'auth.invalid_credentials', detail: 'The e-mail or password is wrong' });
      expect(answer.cookies).toEqual([]);
    }
  });

  it('lets the console call the API as the role allows, and refuses a change without the CSRF token', async () => {
    const browser = await browserOf('marketer@example.com');
    const created = await asConsole(browser, 'POST', '/v1/customers', { phone: '+79161234501', firstName: 'Vera' });
    expect(created.statusCode, created.body).toBe(201);
    const noToken = await asConsole(browser, 'POST', '/v1/customers', { phone: '+79161234502' }, false);
    expect(noToken.statusCode).toBe(403);
    expect(noToken.json()).toMatchObject({ code: 'auth.csrf' });
    const wrongToken = await t.app.inject({ method: 'POST', url: '/v1/customers', headers: { cookie: browser.cookie, 'x-csrf-token': `${browser.csrf.slice(0, -1)}x` }, payload: { phone: '+79161234502' } });
    expect(wrongToken.json()).toMatchObject({ code: 'auth.csrf' });
    expect((await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79161234502' })).statusCode).toBe(404);
    // The marketer's role may not manage keys or staff: the same 403 a marketer's key gets.
    for (const url of ['/v1/api-keys', '/v1/staff-users']) {
      const forbidden = await asConsole(browser, 'GET', url);
      expect(forbidden.statusCode).toBe(403);
      expect(forbidden.json()).toMatchObject({ code: 'auth.forbidden' });
    }
    // The change is audited under the person's name and staff id.
    const audit = (await t.call({ method: 'GET', url: `/v1/audit-log?entityId=${(created.json() as { id: string }).id}` })).json() as { items: Array<{ actorKeyId: string; actorName: string; actorRole: string }> };
    expect(audit.items[0]).toMatchObject({ actorKeyId: expect.stringMatching(/^stf_/), actorName: 'marketer person', actorRole: 'marketer' });
  });

  it('shows an analyst masked contacts, as an analyst key sees them', async () => {
    await addStaff('analyst@example.com', 'analyst');
    const browser = await browserOf('analyst@example.com');
    const found = await asConsole(browser, 'GET', '/v1/customers/lookup?phone=%2B79161234501');
    expect(found.statusCode, found.body).toBe(200);
    expect((found.json() as { phone: string }).phone).not.toBe('+79161234501');
    expect((found.json() as { phone: string }).phone).toMatch(/\*/);
  });

  it('locks an account after five wrong passwords in a row, right password or not, for 15 minutes; a new password lifts it', async () => {
    const id = await addStaff('guessed@example.com', 'support');
    const wrong = await Promise.all(Array.from({ length: 5 }, () => signIn('guessed@example.com', 'not the password')));
    expect(wrong.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    const locked = await signIn('guessed@example.com');
    expect(locked.statusCode).toBe(429);
    expect(locked.json()).toMatchObject({ code: 'auth.account_locked' });
    expect(locked.json().detail).toMatch(/try again in 15 min/);
    expect(Number(locked.headers['retry-after'])).toBe(900);
    const view = (await t.call({ method: 'GET', url: `/v1/staff-users/${id}` })).json() as { lockedUntil: string | null };
    expect(view.lockedUntil).not.toBeNull();

    // When the lock runs out, one more wrong password does not lock again: the count starts over.
    t.clock.advance(15 * 60_000);
    expect((await signIn('guessed@example.com', 'still not it')).statusCode).toBe(401);
    expect((await signIn('guessed@example.com')).statusCode).toBe(200);

    await Promise.all(Array.from({ length: 5 }, () => signIn('guessed@example.com', 'not the password')));
    expect((await signIn('guessed@example.com')).statusCode).toBe(429);
    const reset = await t.call({ method: 'POST', url: `/v1/staff-users/${id}/password`, payload: {} });
    const generated = (reset.json() as { password: string }).password;
    expect(generated).toMatch(/^[\w-]{20}$/);
    expect((await signIn('guessed@example.com', generated)).statusCode).toBe(200);
    expect((await signIn('guessed@example.com')).statusCode).toBe(401);
  });

  it('ends sessions on sign-out, on disabling, on a new role, after 12 idle hours and 7 days after sign-in', async () => {
    const id = await addStaff('support@example.com', 'support');
    const ended = async (browser: Browser) => {
      const response = await asConsole(browser, 'GET', '/v1/customers?limit=1');
      return response.statusCode === 401 && (response.json() as { code: string }).code === 'auth.no_session';
    };

    const first = await browserOf('support@example.com');
    const out = await asConsole(first, 'DELETE', '/v1/console/session');
    expect(out.json()).toMatchObject({ signedIn: false });
    expect(out.cookies.find((c) => c.name === 'patron_console')?.value).toBe('');
    expect(await ended(first)).toBe(true);

    const second = await browserOf('support@example.com');
    await t.call({ method: 'PATCH', url: `/v1/staff-users/${id}`, payload: { role: 'analyst' } });
    expect(await ended(second)).toBe(true);

    const third = await browserOf('support@example.com');
    expect(await ended(third)).toBe(false);
    await t.call({ method: 'PATCH', url: `/v1/staff-users/${id}`, payload: { disabled: true } });
    expect(await ended(third)).toBe(true);
    await t.call({ method: 'PATCH', url: `/v1/staff-users/${id}`, payload: { disabled: false } });

    const idle = await browserOf('support@example.com');
    t.clock.advance(11 * 3600_000);
    expect(await ended(idle)).toBe(false);
    t.clock.advance(11 * 3600_000);
    expect(await ended(idle)).toBe(false);
    t.clock.advance(12 * 3600_000 + 1000);
    expect(await ended(idle)).toBe(true);

    const busy = await browserOf('support@example.com');
    for (let hour = 0; hour < 7 * 24; hour += 10) {
      t.clock.advance(10 * 3600_000);
      if (await ended(busy)) break;
    }
    expect(await ended(busy)).toBe(true);
  });

  it('changes the signed-in person\'s own password: the current one is needed, other sessions end, this one stays', async () => {
    await addStaff('changer@example.com', 'marketer');
    const here = await browserOf('changer@example.com');
    const elsewhere = await browserOf('changer@example.com');
    const wrong = await asConsole(here, 'PUT', '/v1/console/session/password', { currentPassword: 'not it at all', newPassword: 'a brand new secret' });
    expect(wrong.json()).toMatchObject({ code: 'staff.wrong_password' });
    const weak = await asConsole(here, 'PUT', '/v1/console/session/password', { currentPassword: PASSWORD, newPassword: 'changer@example.com' });
    expect(weak.json()).toMatchObject({ code: 'staff.weak_password' });
    const noCsrf = await asConsole(here, 'PUT', '/v1/console/session/password', { currentPassword: PASSWORD, newPassword: 'a brand new secret' }, false);
    expect(noCsrf.json()).toMatchObject({ code: 'auth.csrf' });
    const changed = await asConsole(here, 'PUT', '/v1/console/session/password', { currentPassword: PASSWORD, newPassword: 'a brand new secret' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await asConsole(here, 'GET', '/v1/customers?limit=1')).statusCode).toBe(200);
    expect((await asConsole(elsewhere, 'GET', '/v1/customers?limit=1')).statusCode).toBe(401);
    expect((await signIn('changer@example.com')).statusCode).toBe(401);
    expect((await signIn('changer@example.com', 'a brand new secret')).statusCode).toBe(200);
    const noSession = await t.app.inject({ method: 'PUT', url: '/v1/console/session/password', payload: { currentPassword: PASSWORD, newPassword: 'a brand new secret' } });
    expect(noSession.json()).toMatchObject({ code: 'auth.no_session' });
  });

  it('keeps an enabled owner: the last one cannot be demoted or disabled, by the API or by themselves', async () => {
    const owner = await addStaff('owner@example.com', 'owner');
    const demote = await t.call({ method: 'PATCH', url: `/v1/staff-users/${owner}`, payload: { role: 'marketer' } });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({ code: 'staff.last_owner' });
    expect((await t.call({ method: 'PATCH', url: `/v1/staff-users/${owner}`, payload: { disabled: true } })).statusCode).toBe(409);
    const browser = await browserOf('owner@example.com');
    const second = await asConsole(browser, 'POST', '/v1/staff-users', { email: 'second.owner@example.com', name: 'Second', role: 'owner' });
    expect(second.statusCode, second.body).toBe(201);
    expect((second.json() as { password: string }).password).toMatch(/^[\w-]{20}$/);
    expect((await asConsole(browser, 'PATCH', `/v1/staff-users/${owner}`, { role: 'marketer' })).statusCode).toBe(200);
    // The demotion ended the owner's own session.
    expect((await asConsole(browser, 'GET', '/v1/staff-users')).statusCode).toBe(401);
  });

  it('refuses a taken e-mail, a weak password and a role that is not for people, in words', async () => {
    const taken = await t.call({ method: 'POST', url: '/v1/staff-users', payload: { email: 'MARKETER@example.com', name: 'Twin', role: 'marketer' } });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'staff.email_taken' });
    const weak = await t.call({ method: 'POST', url: '/v1/staff-users', payload: { email: 'weak@example.com', name: 'Weak', role: 'support', password: '1111111111' } });
    expect(weak.json()).toMatchObject({ code: 'staff.weak_password', detail: 'The password must hold at least 4 different characters' });
    const pos = await t.call({ method: 'POST', url: '/v1/staff-users', payload: { email: 'till@example.com', name: 'Till', role: 'pos' } });
    expect(pos.statusCode).toBe(400);
    expect(pos.json().detail).toBe('role: must be one of: owner, marketer, analyst, support');
    const list = (await t.call({ method: 'GET', url: '/v1/staff-users' })).json() as { items: Array<Record<string, unknown>> };
    expect(list.items.length).toBeGreaterThan(3);
    for (const user of list.items) expect(Object.keys(user)).not.toContain('passwordHash');
  });
});
