import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { html } from './html.ts';
import { pageResponder, switchPath } from './responder.ts';

/** The one page responder the join, account, unsubscribe and survey pages share. */
describe('the language switch\'s path', () => {
  const mode = { mode: (value: string) => (value === 'kiosk' || value === 'embed' ? value : null) };
  it.each([
    ['/join', {}, '/join'],
    ['/join?mode=kiosk&lang=en&x=<script>', mode, '/join?mode=kiosk'],
    ['/join?mode=other&lang=en', mode, '/join'],
    ['/s/abc?lang=en&form=1', {}, '/s/abc'],
    ['/t/c/tok?u=https%3A%2F%2Fshop.example%2F%3Fa%3D1%26b%3D2&lang=ru&utm=x', { u: (v: string) => v.slice(0, 4000) }, '/t/c/tok?u=https%3A%2F%2Fshop.example%2F%3Fa%3D1%26b%3D2'],
  ] as const)('%s keeps only what it is told to', (url, keep, expected) => {
    expect(switchPath(url, keep)).toBe(expected);
  });
});

describe('a page', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = Fastify();
    await app.register(fastifyCookie);
    for (const remembered of [true, false]) {
      const pages = pageResponder({ brand: async () => 'Coffee Club', keep: { mode: (m) => (m === 'kiosk' ? m : null) }, remembered });
      app.get(remembered ? '/own' : '/link', async (request, reply) => {
        const locale = pages.locale(request, (request.query as { customer?: string }).customer);
        return pages.send(request, reply, locale, { title: 'T', body: html`<p>${locale}</p>` });
      });
    }
    await app.ready();
  });
  afterAll(() => app.close());

  it('on the customer\'s own pages: ?lang= remembered, then the cookie, then the customer\'s locale, then the browser\'s', async () => {
    const chosen = await app.inject({ url: '/own?lang=en&mode=kiosk', headers: { 'accept-language': 'ru' } });
    expect(chosen.body).toContain('<p>en</p>');
    expect(String(chosen.headers['set-cookie'])).toMatch(/^patron_lang=en; Max-Age=31536000; Path=\/; SameSite=Lax/);
    expect(chosen.body).toContain('href="/own?mode=kiosk&amp;lang=ru"');
    const fromCookie = await app.inject({ url: '/own?customer=ru-RU', headers: { cookie: 'patron_lang=en', 'accept-language': 'ru' } });
    expect(fromCookie.body).toContain('<p>en</p>');
    expect(fromCookie.headers['set-cookie']).toBeUndefined();
    expect((await app.inject({ url: '/own?customer=en-GB', headers: { 'accept-language': 'ru' } })).body).toContain('<p>en</p>');
    expect((await app.inject({ url: '/own', headers: { 'accept-language': 'en-GB,ru;q=0.5' } })).body).toContain('<p>en</p>');
  });

  it('of a link from a message: ?lang=, then the browser\'s; no cookie read or set', async () => {
    const chosen = await app.inject({ url: '/link?lang=en' });
    expect(chosen.body).toContain('<p>en</p>');
    expect(chosen.headers['set-cookie']).toBeUndefined();
    const cookieOnly = await app.inject({ url: '/link?customer=en-GB', headers: { cookie: 'patron_lang=en', 'accept-language': 'ru' } });
    expect(cookieOnly.body).toContain('<p>ru</p>');
    expect(cookieOnly.body).toContain('<title>T — Coffee Club</title>');
  });
});
