import { expect } from 'vitest';
import { startLoopbackServer, type LoopbackServer } from './loopback-http.ts';
import type { TestApp } from './test-app.ts';

/**
 * The account page's sign-in over HTTP, as a phone does it: an SMS gateway on loopback (a real
 * channel of the app) receives the code, the code is posted back, the session cookie comes out.
 */
export type AccountSignIn = { sms: LoopbackServer; signIn(phone: string): Promise<string>; close(): Promise<void> };

const tokenIn = (body: string) => /name="form" value="([^"]+)"/.exec(body)![1]!;
const challengeIn = (body: string) => /name="challenge" value="([^"]+)"/.exec(body)![1]!;

export async function accountSignIn(t: TestApp): Promise<AccountSignIn> {
  const sms = await startLoopbackServer(() => ({ status: 200, body: { id: 'sms-1' } }));
  const channel = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Gateway', kind: 'sms', config: { preset: 'generic', url: `${sms.url}/send`, apiKey: 'k', allowPrivateNetwork: true } } });
  expect(channel.statusCode, channel.body).toBe(201);
  const post = (url: string, fields: Record<string, string>) =>
    t.call({ method: 'POST', url, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(fields).toString() });
  const codeTo = (phone: string) => {
    const request = [...sms.requests].reverse().find((r) => (JSON.parse(r.body) as { to: string }).to === phone);
    return /(\d{6})/.exec((JSON.parse(request!.body) as { text: string }).text)![1]!;
  };
  return {
    sms,
    async signIn(phone) {
      const token = tokenIn((await t.call({ method: 'GET', url: '/me/sign-in?lang=en', role: null })).body);
      const page = await post('/me/sign-in?lang=en', { form: token, phone });
      const signedIn = await post('/me/sign-in/confirm?lang=en', { form: tokenIn(page.body), challenge: challengeIn(page.body), code: codeTo(phone) });
      expect(signedIn.statusCode, signedIn.body).toBe(303);
      return String(signedIn.headers['set-cookie']).split(';')[0]!;
    },
    close: () => sms.close(),
  };
}
