import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { MAX_LINE_TOTAL_MINOR } from './money.ts';
import { findUnstorableText, jsonNestsDeeperThan, MAX_JSON_DEPTH } from './text.ts';

let t: TestApp;
let customerId: string;

beforeAll(async () => {
  t = await createTestApp();
  customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'hard@example.com', phone: '+79161112233' } })).json().id;
  expect((await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main street', timezone: 'Europe/Moscow' } })).statusCode).toBe(200);
});
afterAll(async () => t.close());

function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, code: string) {
  const where = `${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, where).toBe(status);
  expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(response.body) as { code: string; status: number; detail: string; title: string };
  expect(problem.code, where).toBe(code);
  expect(problem.status, where).toBe(status);
  expect(problem.title, where).toEqual(expect.any(String));
  return problem;
}

describe('security headers', () => {
  const headerOf = (response: LightMyRequestResponse, name: string) => response.headers[name];

  it('every answer says nosniff and may not be framed; API answers are never stored', async () => {
    const answers = [
      await t.call({ method: 'GET', url: `/v1/customers/${customerId}` }),
      await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79161112233' }),
      await t.call({ method: 'GET', url: '/v1/exports/customers' }),
      await t.call({ method: 'GET', url: '/v1/nope' }),
      await t.call({ method: 'GET', url: '/v1/customers', role: null }),
      await t.call({ method: 'GET', url: '/health', role: null }),
    ];
    for (const response of answers) {
      const where = `${response.statusCode} ${response.raw.req.url}`;
      expect(headerOf(response, 'x-content-type-options'), where).toBe('nosniff');
      expect(headerOf(response, 'x-frame-options'), where).toBe('DENY');
      expect(headerOf(response, 'cache-control'), where).toBe('no-store');
      expect(headerOf(response, 'content-security-policy'), where).toContain("frame-ancestors 'none'");
    }
    expect(answers[2]!.statusCode).toBe(200);
  });

  it('/docs has a Content-Security-Policy that allows only its own scripts, and may not be framed', async () => {
    for (const url of ['/docs', '/docs/', '/docs/static/index.html']) {
      const response = await t.call({ method: 'GET', url, role: null });
      expect(response.statusCode, url).toBeLessThan(400);
      const csp = String(headerOf(response, 'content-security-policy'));
      expect(csp, url).toContain("script-src 'self'");
      expect(csp, url).toContain("object-src 'none'");
      expect(csp, url).toContain("frame-ancestors 'none'");
      expect(csp, url).not.toContain("'unsafe-eval'");
      expect(headerOf(response, 'x-frame-options'), url).toBe('DENY');
      expect(headerOf(response, 'x-content-type-options'), url).toBe('nosniff');
    }
  });
});

describe('requests the HTTP parser refuses', () => {
  it('a URL over 16 KB is 431 problem+json, not application/json', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const response = await new Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const request = http.get({ host: '127.0.0.1', port, path: `/v1/customers?q=${'a'.repeat(17 * 1024)}` }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
      });
      request.on('error', reject);
    });
    const problem = expectProblem(response, 431, 'request.headers_too_large');
    expect(problem.detail).toMatch(/16 KB/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('bodies that used to crash the server', () => {
  it('JSON nested 8,000 deep is 400 request.too_deeply_nested naming the limit, not a stack overflow', async () => {
    for (const body of ['['.repeat(8000) + ']'.repeat(8000), `{"firstName":"A","attributes":${'{"a":'.repeat(8000)}1${'}'.repeat(8000)}}`]) {
      const response = await t.call({ method: 'POST', url: '/v1/customers', payload: body, headers: { 'content-type': 'application/json' } });
      const problem = expectProblem(response, 400, 'request.too_deeply_nested');
      expect(problem.detail).toContain(String(MAX_JSON_DEPTH));
    }
    // Brackets inside strings do not count.
    const text = (await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'deep@example.com', firstName: '['.repeat(90) } })).statusCode;
    expect(text).toBe(201);
  });

  it('the nesting scan and the unstorable-text walk handle any depth', () => {
    expect(jsonNestsDeeperThan('[[1]]', 2)).toBe(false);
    expect(jsonNestsDeeperThan('[[[1]]]', 2)).toBe(true);
    expect(jsonNestsDeeperThan('{"a":"[[[[\\"[[["}', 2)).toBe(false);
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toBe(`${'0.'.repeat(99_999)}0`);
    expect(findUnstorableText({ a: ['ok', { b: 'ok' }], c: { d: ['\ud800'] } })).toBe('c.d.0');
    // A bad key is named with escapes: the path is shown, logged and stored (an import's line errors).
    expect(findUnstorableText({ ['k\u0000']: 'v', z: '\u0000' })).toBe('k\\u0000');
    expect(findUnstorableText({ a: { ['x\ud800y']: 1 } })).toBe('a.x\\ud800y');
    expect(findUnstorableText({ a: 1, b: [true, null, 'fine'] })).toBeNull();
  });

  it('a NUL byte in a CSV catalog is 400 request.invalid_character', async () => {
    const response = await t.call({ method: 'PUT', url: '/v1/products', payload: 'sku,name\nA1,Co\u0000ffee\n', headers: { 'content-type': 'text/csv' } });
    const problem = expectProblem(response, 400, 'request.invalid_character');
    expect(problem.detail).toMatch(/NUL/);
    expect((await t.call({ method: 'GET', url: '/v1/products?q=A1' })).json().items).toEqual([]);
  });

  it('concurrent catalog uploads with the same SKUs in different orders all succeed (no deadlock, no 503)', async () => {
    const skus = Array.from({ length: 400 }, (_, i) => `SKU-${String(i).padStart(4, '0')}`);
    const shuffled = (seed: number) => [...skus].sort((a, b) => ((a.charCodeAt(6) * seed + a.charCodeAt(7)) % 17) - ((b.charCodeAt(6) * seed + b.charCodeAt(7)) % 17) || (seed % 2 ? a.localeCompare(b) : b.localeCompare(a)));
    const uploads = Array.from({ length: 8 }, (_, n) =>
      t.call({ method: 'PUT', url: '/v1/products', payload: shuffled(n + 3).map((sku) => ({ sku, name: `Product ${sku} v${n}` })) }),
    );
    const responses = await Promise.all(uploads);
    for (const response of responses) expect(response.statusCode, response.body.slice(0, 200)).toBe(200);
    const listed = (await t.call({ method: 'GET', url: '/v1/products?q=SKU-&limit=1000' })).json().items as unknown[];
    expect(listed).toHaveLength(skus.length);
  });
});

describe('money past 2^53', () => {
  const calculate = (lines: Array<Record<string, unknown>>) =>
    t.call({ method: 'POST', url: '/v1/checkout/calculate', payload: { storeId: 's1', lines }, role: 'pos' });
  const confirm = (posReceiptId: string, lines: Array<Record<string, unknown>>, customer?: Record<string, string>) =>
    t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId, lines, ...(customer ? { customer } : {}) }, role: 'pos' });

  it('refuses qty 1,000,000 × price 100,000,000,000 with 400 naming the limit, and stores nothing', async () => {
    const lines = [
      { sku: 'gold', name: 'Gold', category: 'metals', qty: 1_000_000, price: 100_000_000_000 },
      { sku: 'pin', name: 'Pin', category: 'misc', qty: 1, price: 1 },
    ];
    for (const response of [await calculate(lines), await confirm('BIG-1', lines, { customerId })]) {
      const problem = expectProblem(response, 400, 'request.out_of_range');
      expect(problem.detail).toContain(String(MAX_LINE_TOTAL_MINOR));
    }
    expect((await t.call({ method: 'GET', url: `/v1/customers/${customerId}/receipts` })).json().items).toEqual([]);
  });

  it('a receipt just inside the bound confirms, and its total is exactly the sum of its lines', async () => {
    // 90 × 100,000,000,000 = 9,000,000,000,000 ≤ MAX_LINE_TOTAL_MINOR; the odd kopeck makes a sum a double would round.
    // Anonymous: the points such a receipt would earn are past what a balance holds (another limit).
    const lines = [
      { sku: 'gold', name: 'Gold', category: 'metals', qty: 90, price: 100_000_000_000 },
      { sku: 'gold2', name: 'Gold', category: 'metals', qty: 90, price: 100_000_000_000 },
      { sku: 'pin', name: 'Pin', category: 'misc', qty: 1, price: 1 },
    ];
    expect(90 * 100_000_000_000).toBeLessThanOrEqual(MAX_LINE_TOTAL_MINOR);
    const response = await confirm('BIG-2', lines);
    expect(response.statusCode, response.body.slice(0, 300)).toBe(201);
    const stored = await t.database.db.selectFrom('receipts').select(['id', 'totalMinor']).where('posReceiptId', '=', 'BIG-2').executeTakeFirstOrThrow();
    expect(BigInt(stored.totalMinor)).toBe(18_000_000_000_001n);
    expect(expectProblem(await calculate([{ ...lines[0]!, qty: 91 }]), 400, 'request.out_of_range').detail).toMatch(/at most|more than/);
  });
});
