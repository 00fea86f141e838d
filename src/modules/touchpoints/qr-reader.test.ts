import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSignIn, type AccountSignIn } from '../../../tests/helpers/account-session.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { acceptedEncodings, QR_READER_PATH, qrReaderUrl } from './qr-reader.ts';

/**
 * The camera scan's server side: the QR reader's file (compressed as the browser takes it, cached
 * under its version) and the account page's policy that lets its scan script run and start that
 * file as a worker, and nothing more. fiscal-scan.browser.test.ts runs both in Chromium.
 */
let t: TestApp;
let account: AccountSignIn;

beforeAll(async () => {
  t = await createTestApp();
  account = await accountSignIn(t);
  expect((await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000601' } })).statusCode).toBe(201);
}, 60_000);
afterAll(async () => {
  await account?.close();
  await t?.close();
});

describe('the QR reader file', () => {
  it('is jsQR with its worker lines, compressed as the browser takes it, cached under its version, 304 when unchanged', async () => {
    const br = await t.call({ method: 'GET', url: qrReaderUrl, role: null, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.statusCode).toBe(200);
    expect(br.headers).toMatchObject({ 'content-type': 'text/javascript; charset=utf-8', 'content-encoding': 'br', 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff', vary: 'accept-encoding' });
    expect(br.rawPayload.length).toBeLessThan(40_000);
    const gzip = await t.call({ method: 'GET', url: qrReaderUrl, role: null, headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    const plain = await t.call({ method: 'GET', url: QR_READER_PATH, role: null, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    // Another version's address (an old page) is asked again each time.
    expect(plain.headers['cache-control']).toBe('public, no-cache');
    expect(plain.body).toContain('function jsQR(');
    expect(plain.body).toContain('self.onmessage');
    const again = await t.call({ method: 'GET', url: qrReaderUrl, role: null, headers: { 'if-none-match': String(plain.headers.etag) } });
    expect(again.statusCode).toBe(304);
  });

  it('reads Accept-Encoding with its weights', () => {
    expect([...acceptedEncodings('gzip, deflate, br')]).toEqual(['gzip', 'deflate', 'br']);
    expect([...acceptedEncodings('br;q=0, GZIP; q=0.5')]).toEqual(['gzip']);
    expect([...acceptedEncodings('br;q=0.0,gzip;q=0')]).toEqual([]);
    expect([...acceptedEncodings(undefined)]).toEqual([]);
  });
});

describe("the account page's policy", () => {
  const sha = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
  const scriptsOf = (body: string) => [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((match) => match[1]!);

  it('allows its two inline scripts by their hashes and workers from this origin; the join form no worker', async () => {
    const session = await account.signIn('+79120000601');
    const me = await t.call({ method: 'GET', url: '/me?lang=en', role: null, headers: { cookie: session } });
    expect(me.statusCode).toBe(200);
    expect(me.body).toContain(`data-reader="${qrReaderUrl}"`);
    const csp = String(me.headers['content-security-policy']);
    const scripts = scriptsOf(me.body);
    expect(scripts).toHaveLength(2);
    expect(/script-src ([^;]*)/.exec(csp)![1]!.split(' ')).toEqual(scripts.map(sha));
    expect(csp).toContain("worker-src 'self'");
    expect(csp).toContain("default-src 'none'");

    const join = await t.call({ method: 'GET', url: '/join?lang=en', role: null });
    expect(scriptsOf(join.body)).toHaveLength(1);
    expect(String(join.headers['content-security-policy'])).not.toContain('worker-src');
  });
});
