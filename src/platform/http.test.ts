import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../tests/helpers/test-app.ts';
import { registeredRoutes } from '../../tests/helpers/routes.ts';
import type { Role } from './roles.ts';

// Small limits so the 413 paths are cheap to reach.
const BODY_LIMIT = 8 * 1024;
const IMPORT_LIMIT = 4 * 1024;

let t: TestApp;
let customerId: string;

beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: BODY_LIMIT, importLimitBytes: IMPORT_LIMIT });
  const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'edge@example.com', firstName: 'Edge' } });
  customerId = created.json().id;
});
afterAll(async () => {
  await t.services.imports.idle();
  await t.close();
});

type Request = InjectOptions & { role?: Role | null };

/** The body of a problem response, checked for the shape every 4xx and 5xx shares. */
function expectProblem(response: LightMyRequestResponse, status: number, code: string, label = '') {
  const where = `${label} → ${response.statusCode} ${response.body.slice(0, 300)}`;
  expect(response.statusCode, where).toBe(status);
  expect(response.headers['content-type'], where).toMatch(/^application\/problem\+json/);
  const problem = response.json();
  expect(problem.code, where).toBe(code);
  expect(problem.status, where).toBe(status);
  expect(problem.title, where).toEqual(expect.any(String));
  expect(problem.type, where).toBe(`https://patron.dev/problems/${code}`);
  // A detail a person can act on: a sentence, not a framework code or a stack.
  expect(problem.detail, where).toEqual(expect.any(String));
  expect(problem.detail.length, where).toBeGreaterThan(10);
  expect(problem.detail, where).not.toMatch(/FST_|\bat \w+ \(|\[object |undefined/);
  return problem as { code: string; detail: string; errors?: Array<{ field: string; reason: string }> };
}

function json(method: InjectOptions['method'], url: string, body: string, extra: Omit<Request, 'method' | 'url'> = {}): Request {
  return { method, url, payload: body, ...extra, headers: { 'content-type': 'application/json', ...(extra.headers ?? {}) } };
}

const customers = '/v1/customers';
const consentsOf = () => `/v1/customers/${customerId}/consents`;

describe('malformed and unreadable bodies', () => {
  const cases: Array<[string, () => Request, number, string]> = [
    ['truncated object', () => json('POST', customers, '{"firstName": "Ann"'), 400, 'request.malformed_json'],
    ['single quotes', () => json('POST', customers, "{'firstName': 'Ann'}"), 400, 'request.malformed_json'],
    ['trailing comma', () => json('POST', customers, '{"firstName": "Ann",}'), 400, 'request.malformed_json'],
    ['bare word', () => json('POST', customers, 'hello'), 400, 'request.malformed_json'],
    ['NaN literal', () => json('PATCH', `/v1/customers/${customerId}`, '{"firstName": NaN}'), 400, 'request.malformed_json'],
    ['prototype pollution', () => json('POST', customers, '{"__proto__": {"admin": true}}'), 400, 'request.malformed_json'],
    ['constructor.prototype', () => json('POST', customers, '{"constructor": {"prototype": {"x": 1}}}'), 400, 'request.malformed_json'],
    ['empty JSON body', () => json('POST', customers, ''), 400, 'request.malformed_json'],
    ['whitespace-only JSON body', () => json('POST', customers, ' \n\t '), 400, 'request.malformed_json'],
    ['empty JSON body on PUT consents', () => json('PUT', consentsOf(), ''), 400, 'request.malformed_json'],
    ['malformed JSON on merge-patch', () => json('PATCH', `/v1/customers/${customerId}`, '{', { headers: { 'content-type': 'application/merge-patch+json' } }), 400, 'request.malformed_json'],
  ];
  it.each(cases)('%s → %i %s', async (label, request, status, code) => {
    const problem = expectProblem(await t.call(request()), status, code, label);
    if (code === 'request.malformed_json') expect(problem.detail).toMatch(/JSON/);
  });

  it('a JSON null or a missing body is a validation error, not a crash', async () => {
    expectProblem(await t.call(json('POST', customers, 'null')), 400, 'request.invalid');
    const missing = expectProblem(await t.call({ method: 'POST', url: customers }), 400, 'request.invalid');
    expect(missing.errors).toEqual([{ field: '(root)', reason: 'must be an object {…}' }]);
  });
});

describe('schema validation at the edge', () => {
  it.each([
    ['top-level unknown field', customers, { firstName: 'A', nickname: 'x' }, [{ field: 'nickname', reason: expect.stringMatching(/^is not a known field/) }]],
    [
      'nested unknown field',
      customers,
      { consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web', signedBy: 'me' }] },
      [{ field: 'consents.0.signedBy', reason: expect.stringMatching(/^is not a known field/) }],
    ],
    [
      'unknown evidence field',
      customers,
      { consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web', evidence: { ip: '1.2.3.4', gps: 'x' } }] },
      [{ field: 'consents.0.evidence.gps', reason: expect.stringMatching(/^is not a known field/) }],
    ],
  ] as const)('%s → 400 with errors[].reason "is not a known field"', async (_label, url, payload, errors) => {
    const problem = expectProblem(await t.call({ method: 'POST', url, payload }), 400, 'request.invalid');
    expect(problem.errors).toEqual(errors);
    expect(problem.detail).toContain('is not a known field');
  });

  it('names every unknown field at once', async () => {
    const problem = expectProblem(
      await t.call({ method: 'PATCH', url: `/v1/customers/${customerId}`, payload: { a: 1, b: 2 } }),
      400,
      'request.invalid',
    );
    expect(problem.errors).toEqual([
      { field: 'a', reason: expect.stringMatching(/^is not a known field/) },
      { field: 'b', reason: expect.stringMatching(/^is not a known field/) },
    ]);
  });

  // Bodies are JSON: "true" is a string, "5" is a string; nothing is coerced.
  const wrongTypes: Array<[string, 'POST' | 'PUT', () => string, unknown, string]> = [
    ['granted as a string', 'PUT', () => consentsOf(), [{ channel: 'sms', purpose: 'marketing', granted: 'true', source: 'web' }], 'granted'],
    ['granted as a number', 'PUT', () => consentsOf(), [{ channel: 'sms', purpose: 'marketing', granted: 1, source: 'web' }], 'granted'],
    ['firstName as a number', 'POST', () => customers, { firstName: 5 }, 'firstName'],
    ['tags as a string', 'POST', () => customers, { tags: 'vip' }, 'tags'],
    ['phone as a number', 'POST', () => customers, { phone: 79123456789 }, 'phone'],
    ['consents as an object', 'POST', () => customers, { consents: { channel: 'sms' } }, 'consents'],
    ['body an array where an object is expected', 'POST', () => customers, [{ firstName: 'A' }], '(root)'],
    ['body an object where an array is expected', 'PUT', () => consentsOf(), { channel: 'sms' }, '(root)'],
    ['merge from as a number', 'POST', () => `/v1/customers/${customerId}/merge`, { from: 1 }, 'from'],
    ['attribute label as a boolean', 'PUT', () => '/v1/customer-attributes/size', { type: 'string', label: true }, 'label'],
    ['api key role unknown', 'POST', () => '/v1/api-keys', { name: 'x', role: 'root' }, 'role'],
  ];
  it.each(wrongTypes)('%s → 400 request.invalid', async (_label, method, url, payload, field) => {
    const problem = expectProblem(await t.call({ method, url: url(), payload: JSON.stringify(payload), headers: { 'content-type': 'application/json' } }), 400, 'request.invalid');
    expect(problem.errors?.map((e) => e.field.replace(/^consents\.0\./, '').replace(/^0\./, ''))).toContain(field);
  });

  it('coerces query strings (they are text) but still checks them', async () => {
    const ok = await t.call({ method: 'GET', url: '/v1/customers?limit=2' });
    expect(ok.statusCode).toBe(200);
    for (const query of ['limit=abc', 'limit=0', 'limit=501', 'limit=1.5', 'limit=1&limit=2', 'status=gone', 'unknown=1']) {
      const problem = expectProblem(await t.call({ method: 'GET', url: `/v1/customers?${query}` }), 400, 'request.invalid', query);
      expect(problem.errors?.[0]?.field, query).toMatch(/^querystring:/);
    }
  });
});

describe('limits and media types', () => {
  it('refuses a body over the limit with 413 request.body_too_large', async () => {
    const big = JSON.stringify({ firstName: 'A', tags: Array.from({ length: 400 }, (_, i) => `tag-${i}-${'x'.repeat(20)}`) });
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    const tooLarge = expectProblem(await t.call(json('POST', customers, big)), 413, 'request.body_too_large');
    expect(tooLarge.detail).toContain(`at most ${BODY_LIMIT} bytes`);
    expectProblem(await t.call(json('PUT', consentsOf(), `[${' '.repeat(BODY_LIMIT)}]`)), 413, 'request.body_too_large');
    // Just under the limit is fine.
    const fits = await t.call({ method: 'POST', url: customers, payload: { firstName: 'x'.repeat(100), tags: ['a'] } });
    expect(fits.statusCode).toBe(201);
  });

  it('refuses an import over its limit with 413', async () => {
    const csv = `email,first_name\n${Array.from({ length: 200 }, (_, i) => `big${i}@example.com,Name${i}`).join('\n')}\n`;
    expect(csv.length).toBeGreaterThan(IMPORT_LIMIT);
    const response = await t.call({ method: 'POST', url: '/v1/imports/customers', payload: csv, headers: { 'content-type': 'text/csv' } });
    expectProblem(response, 413, 'request.body_too_large');
  });

  it.each([
    ['text/xml', customers, '<customer/>'],
    ['application/xml', customers, '<customer/>'],
    ['application/x-www-form-urlencoded', customers, 'firstName=Ann'],
    ['multipart/form-data; boundary=x', customers, '--x--'],
    ['application/jsonx', customers, '{}'],
    ['text/xml', `/v1/customers/{id}`, '<customer/>'],
    ['text/xml', `/v1/customers/{id}/consents`, '<consents/>'],
    ['text/csv', customers, 'email\na@b.co'],
    ['application/json', '/v1/imports/customers', '{"email": "a@b.co"}'],
    // Fastify parses text/plain by default; a JSON route must still say 415, not "must be object".
    ['text/plain', customers, '{"firstName": "Ann"}'],
  ])('%s on %s → 415', async (contentType, url, payload) => {
    const path = url.replace('{id}', customerId);
    const method = path === customers || path.startsWith('/v1/imports') ? 'POST' : path.endsWith('/consents') ? 'PUT' : 'PATCH';
    const problem = expectProblem(
      await t.call({ method, url: path, payload, headers: { 'content-type': contentType } }),
      415,
      'request.unsupported_media_type',
      `${contentType} ${method} ${path}`,
    );
    expect(problem.detail).toMatch(/json|csv/i);
  });

  it('a body without a content type is 415', async () => {
    expectProblem(await t.call({ method: 'POST', url: customers, payload: '{"firstName":"Ann"}' }), 415, 'request.unsupported_media_type');
  });
});

describe('the NUL character', () => {
  it.each([
    ['an escaped \\u0000 in a JSON string', () => json('POST', customers, '{"firstName": "An\\u0000n"}')],
    ['an escaped \\u0000 in a nested string', () => json('PUT', consentsOf(), '[{"channel":"sms","purpose":"marketing","granted":true,"source":"web","evidence":{"operator":"x\\u0000"}}]')],
    ['a raw NUL byte in a JSON string', () => json('POST', customers, '{"firstName": "An\u0000n"}')],
    ['%00 in the query string', () => ({ method: 'GET', url: '/v1/customers?q=an%00n' }) as Request],
    ['%00 in a lookup', () => ({ method: 'GET', url: '/v1/customers/lookup?email=a%00%40b.co' }) as Request],
    ['%00 in the path', () => ({ method: 'GET', url: `/v1/customers/${customerId}%00` }) as Request],
    ['%00 in an import file name', () => ({ method: 'POST', url: '/v1/imports/customers?fileName=a%00.csv', payload: 'email\na@b.co\n', headers: { 'content-type': 'text/csv' } }) as Request],
  ])('%s → 400 request.invalid_character', async (label, request) => {
    const problem = expectProblem(await t.call(request()), 400, 'request.invalid_character', label);
    expect(problem.detail).toMatch(/NUL/);
  });
});

describe('routes and ids', () => {
  it.each([
    ['GET', '/v1/nope'],
    ['GET', '/v2/customers'],
    ['POST', '/health'],
    ['DELETE', '/v1/customers'],
    ['GET', '/v1/customers/cus_0/unknown'],
  ] as const)('%s %s → 404 route.not_found', async (method, url) => {
    const problem = expectProblem(await t.call({ method, url }), 404, 'route.not_found');
    expect(problem.detail).toContain(url);
  });

  it('an unknown route is 404 even without a key', async () => {
    expectProblem(await t.call({ method: 'GET', url: '/v1/nope', role: null }), 404, 'route.not_found');
  });

  it.each([
    ['GET', 'abc'],
    ['GET', 'cus_123'],
    ['GET', 'CUS_0190c0ffee0000000000000000000000'],
    ['GET', 'key_0190c0ffee00700080000000000000ab'],
    ['GET', 'cus_0190c0ffee00700080000000000000ab0'],
    ['PATCH', 'cus_0190C0FFEE00700080000000000000AB'],
    ['POST', "cus_'; drop table customers; --"],
    ['GET', '%20'],
  ] as const)('%s /v1/customers/%s (malformed id) → 400 request.invalid', async (method, id) => {
    const url = method === 'POST' ? `/v1/customers/${encodeURIComponent(id)}/erase` : `/v1/customers/${encodeURIComponent(id)}`;
    const payload = method === 'PATCH' ? { firstName: 'X' } : undefined;
    const problem = expectProblem(await t.call({ method, url, payload }), 400, 'request.invalid', url);
    expect(problem.errors?.[0]?.field).toBe('params:id');
  });

  // A broken percent-escape never reaches the router; it must still be a problem document.
  it('a path with broken percent-encoding → 400 problem+json', async () => {
    for (const url of ['/v1/customers/%FF', '/v1/customers/cus_%', '/v1/customers/%E0%A4%A', '/v1/nope/%zz']) {
      expectProblem(await t.call({ method: 'GET', url }), 400, 'request.invalid', url);
    }
  });

  it('a well-formed id nobody has is 404 customer.not_found', async () => {
    const problem = expectProblem(
      await t.call({ method: 'GET', url: '/v1/customers/cus_0190c0ffee00700080000000000000ab' }),
      404,
      'customer.not_found',
    );
    expect(problem.detail).toContain('cus_0190c0ffee00700080000000000000ab');
  });
});

describe('authentication and roles', () => {
  it.each([
    ['no Authorization header', undefined, 'auth.missing_key'],
    ['an empty Authorization header', '', 'auth.missing_key'],
    ['a Basic credential', 'Basic dXNlcjpwYXNz', 'auth.invalid_key'],
    ['Bearer without a key', 'Bearer', 'auth.invalid_key'],
    ['Bearer with two words', 'Bearer one two', 'auth.invalid_key'],
    ['an unknown key', 'Bearer patron_doesnotexist', 'auth.invalid_key'],
  ])('%s → 401 %s', async (_label, header, code) => {
    const headers = header === undefined ? {} : { authorization: header };
    const problem = expectProblem(await t.call({ method: 'GET', url: customers, role: null, headers }), 401, code);
    expect(problem.detail).toMatch(/key|Bearer/);
  });

  it('checks the key before it reads the body', async () => {
    expectProblem(await t.call({ ...json('POST', customers, '{broken'), role: null }), 401, 'auth.missing_key');
    expectProblem(await t.call({ ...json('POST', customers, '{broken'), role: 'analyst' }), 403, 'auth.forbidden');
  });

  it.each([
    ['analyst', 'POST', '/v1/customers', { firstName: 'A' }],
    ['pos', 'GET', '/v1/customers', undefined],
    ['pos', 'GET', '/v1/exports/customers', undefined],
    ['partner', 'GET', '/v1/customer-attributes', undefined],
    ['analyst', 'PUT', '/v1/customer-attributes/size', { type: 'string', label: 'Size' }],
    ['marketer', 'POST', '/v1/customers/{id}/erase', undefined],
    ['marketer', 'POST', '/v1/customers/{id}/merge', { from: 'cus_0190c0ffee00700080000000000000ab' }],
    ['support', 'POST', '/v1/imports/customers', undefined],
    ['marketer', 'POST', '/v1/api-keys', { name: 'x', role: 'owner' }],
    ['support', 'GET', '/v1/api-keys', undefined],
    ['analyst', 'GET', '/v1/audit-log', undefined],
  ] as const)('%s may not %s %s → 403 auth.forbidden', async (role, method, url, payload) => {
    const problem = expectProblem(await t.call({ method, url: url.replace('{id}', customerId), payload, role }), 403, 'auth.forbidden');
    expect(problem.detail).toContain(role);
  });
});

describe('public routes', () => {
  it('GET /health → 200 {"status":"ok"} without a key', async () => {
    const response = await t.call({ method: 'GET', url: '/health', role: null });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: 'ok' });
  });
});

type Operation = { responses?: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>; security?: unknown[] };
type OpenApi = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

describe('OpenAPI document', () => {
  let doc: OpenApi;
  beforeAll(async () => {
    const response = await t.call({ method: 'GET', url: '/openapi.json', role: null });
    expect(response.statusCode).toBe(200);
    doc = response.json();
  });

  const knownOperations = [
    'get /health',
    'post /v1/api-keys',
    'get /v1/api-keys',
    'delete /v1/api-keys/{id}',
    'get /v1/audit-log',
    'post /v1/customers',
    'get /v1/customers',
    'get /v1/customers/lookup',
    'get /v1/customers/{id}',
    'patch /v1/customers/{id}',
    'get /v1/customers/{id}/consents',
    'put /v1/customers/{id}/consents',
    'post /v1/customers/{id}/merge',
    'post /v1/customers/{id}/erase',
    'get /v1/customer-attributes',
    'put /v1/customer-attributes/{key}',
    'get /v1/exports/customers',
    'get /v1/imports',
    'get /v1/imports/{id}',
    'post /v1/imports/customers',
  ];
  const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op })));

  it('is an OpenAPI 3 document listing at least the known operations', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.components.schemas).toHaveProperty('Problem');
    expect(doc.components.schemas).toHaveProperty('Customer');
    const listed = operations().map(({ method, path }) => `${method} ${path}`);
    // Other modules add their own operations; these must stay.
    expect(listed).toEqual(expect.arrayContaining(knownOperations));
  });

  it('lists every route the app serves (docs, the console\'s and the pages\' static files, and the document itself aside)', () => {
    // Static files (the console's bundle, a page's script such as /pages/qr-reader.js) are in the role table, not API operations.
    const served = registeredRoutes(t.app.printRoutes({ commonPrefix: false }))
      .filter(({ method, path }) => method !== 'HEAD' && !path.startsWith('/docs') && path !== '/openapi.json' && path !== '/' && !path.startsWith('/console') && !path.startsWith('/pages/'))
      .map(({ method, path }) => `${method.toLowerCase()} ${path.replace(/:(\w+)/g, '{$1}')}`);
    expect(served.length).toBeGreaterThanOrEqual(knownOperations.length);
    const listed = operations().map(({ method, path }) => `${method} ${path}`);
    expect(served.sort()).toEqual(listed.sort());
  });

  /** The pages a person opens in a browser (not the API): their refusals are pages too, in text/html. */
  const pageForPeople = (path: string) => /^\/(t|s)\//.test(path) || /^\/(join|me)(\/|$)/.test(path);

  it('documents at least one 4xx for every operation, as a Problem; 401 and 403 wherever a key is needed', () => {
    for (const { method, path, op } of operations()) {
      if (path === '/health') continue; // public, and it fails with 503 {"status":"unavailable"}
      // Pages for people (a message's links, the join form, the account page, surveys): a refusal is a page for that person.
      if (pageForPeople(path)) continue;
      const statuses = Object.keys(op.responses ?? {});
      expect(statuses.filter((s) => s.startsWith('4')), `${method} ${path}`).not.toEqual([]);
      const isPublic = Array.isArray(op.security) && op.security.length === 0;
      if (!isPublic) expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(['401', '403']));
      for (const status of statuses.filter((s) => s.startsWith('4'))) {
        const content = op.responses?.[status]?.content ?? {};
        const schemas = Object.values(content).map((c) => c.schema?.$ref);
        expect(schemas, `${method} ${path} ${status}`).toEqual([expect.stringMatching(/Problem$/)]);
      }
    }
  });

  it('documents error bodies as application/problem+json, the type they are sent with', () => {
    const documented = new Map<string, string>();
    for (const { method, path, op } of operations()) {
      if (pageForPeople(path)) continue; // pages for people, as above
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (status.startsWith('4')) documented.set(Object.keys(response.content ?? {}).join(', '), `${method} ${path} ${status}`);
      }
    }
    // One entry per media type used, with an example operation.
    expect(Object.fromEntries([...documented].map(([type, example]) => [type, example]))).toEqual({
      'application/problem+json': expect.any(String),
    });
  });

  it('documents /health as public (no security requirement)', () => {
    expect(doc.paths['/health']?.get?.security).toEqual([]);
  });
});

describe('API key lifecycle', () => {
  it('shows a new secret once, never lists secrets, and a revoked key stops working', async () => {
    const created = await t.call({ method: 'POST', url: '/v1/api-keys', payload: { name: 'Till 7', role: 'pos' } });
    expect(created.statusCode).toBe(201);
    const { key, secret } = created.json();
    expect(secret).toMatch(/^patron_[A-Za-z0-9_-]{40,}$/);
    expect(key).toMatchObject({ name: 'Till 7', role: 'pos', source: 'api', revokedAt: null });
    expect(key.id).toMatch(/^key_[0-9a-f]{32}$/);
    expect(secret.startsWith(key.hint.replace('…', ''))).toBe(true);
    expect(JSON.stringify(key)).not.toContain(secret);

    const headers = { authorization: `Bearer ${secret}` };
    const used = await t.call({ method: 'GET', url: `/v1/customers/${customerId}`, role: null, headers });
    expect(used.statusCode).toBe(200);

    const list = await t.call({ method: 'GET', url: '/v1/api-keys' });
    expect(list.statusCode).toBe(200);
    const keys = list.json().items as Array<Record<string, unknown>>;
    expect(keys.map((k) => k.id)).toContain(key.id);
    expect(list.body).not.toContain(secret);
    expect(list.body).not.toContain(secret.slice(12));
    for (const listed of keys) expect(Object.keys(listed).sort()).toEqual(['createdAt', 'hint', 'id', 'lastUsedAt', 'name', 'partnerId', 'revokedAt', 'role', 'source']);
    expect(keys.find((k) => k.id === key.id)?.lastUsedAt).not.toBeNull();

    const revoked = await t.call({ method: 'DELETE', url: `/v1/api-keys/${key.id}` });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json().revokedAt).toEqual(expect.any(String));
    expectProblem(await t.call({ method: 'GET', url: `/v1/customers/${customerId}`, role: null, headers }), 401, 'auth.invalid_key');

    const again = await t.call({ method: 'DELETE', url: `/v1/api-keys/${key.id}` });
    expect(again.statusCode).toBe(200);
    expect(again.json().revokedAt).toBe(revoked.json().revokedAt);
  });

  it('a lone surrogate in a key name is stored or refused, never a 500', async () => {
    // The name goes into the audit log's jsonb details, which refuse the escape \ud800.
    const response = await t.call(json('POST', '/v1/api-keys', '{"name": "Till \\ud800", "role": "pos"}'));
    expect(response.statusCode, response.body).toBeLessThan(500);
    if (response.statusCode >= 400) expectProblem(response, response.statusCode, response.json().code);
  });

  it('404 for an unknown key, 400 for a malformed id, 400 for a bad body', async () => {
    expectProblem(await t.call({ method: 'DELETE', url: '/v1/api-keys/key_0190c0ffee00700080000000000000ab' }), 404, 'apikey.not_found');
    expectProblem(await t.call({ method: 'DELETE', url: '/v1/api-keys/nope' }), 400, 'request.invalid');
    expectProblem(await t.call({ method: 'POST', url: '/v1/api-keys', payload: { name: '', role: 'pos' } }), 400, 'request.invalid');
    expectProblem(await t.call({ method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'pos', secret: 'mine' } }), 400, 'request.invalid');
  });

  it('will not revoke the last owner key (409 apikey.last_owner), and that key keeps working', async () => {
    const second = (await t.call({ method: 'POST', url: '/v1/api-keys', payload: { name: 'Second owner', role: 'owner' } })).json();
    const dropped = await t.call({ method: 'DELETE', url: `/v1/api-keys/${second.key.id}` });
    expect(dropped.statusCode).toBe(200);

    const owners = ((await t.call({ method: 'GET', url: '/v1/api-keys' })).json().items as Array<{ id: string; role: string; revokedAt: string | null }>).filter(
      (k) => k.role === 'owner' && k.revokedAt === null,
    );
    expect(owners).toHaveLength(1);
    const last = owners[0]!;
    const problem = expectProblem(await t.call({ method: 'DELETE', url: `/v1/api-keys/${last.id}` }), 409, 'apikey.last_owner');
    expect(problem.detail).toMatch(/owner/);

    const still = (await t.call({ method: 'GET', url: '/v1/api-keys' })).json().items as Array<{ id: string; revokedAt: string | null }>;
    expect(still.find((k) => k.id === last.id)?.revokedAt).toBeNull();
    expect((await t.call({ method: 'GET', url: customers })).statusCode).toBe(200);
  });
});

describe('a failed request changes nothing', () => {
  const tables = ['customers', 'customerIdentifiers', 'consentEvents', 'auditLog', 'outboxEvents', 'attributeDefinitions', 'importJobs'] as const;
  async function snapshot() {
    const counts: Record<string, number> = {};
    for (const table of tables) {
      const row = await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      counts[table] = Number(row.n);
    }
    return counts;
  }

  it('leaves every table as it was after 400s, 401s, 403s, 409s, 413s and 415s', async () => {
    const taken = (await t.call({ method: 'POST', url: customers, payload: { email: 'taken@example.com', phone: '+79990001100' } })).json();
    expect(taken.id).toEqual(expect.any(String));
    // Keys are made on first use (with an audit entry): make them before counting.
    await t.key('marketer');
    await t.key('analyst');
    const before = await snapshot();

    const failures: Array<[Request, number]> = [
      [json('POST', customers, '{"firstName": '), 400],
      [{ method: 'POST', url: customers, payload: { firstName: 'A', nope: 1 } }, 400],
      [{ method: 'POST', url: customers, payload: { phone: '12', firstName: 'Bad phone' } }, 400],
      [{ method: 'POST', url: customers, payload: { email: 'ok@example.com', birthDate: '2099-01-01' } }, 400],
      [{ method: 'POST', url: customers, payload: { email: 'ok2@example.com', attributes: { undefined_attr: 1 } } }, 400],
      // The phone is free, the e-mail is taken: the customer row must not survive.
      [{ method: 'POST', url: customers, payload: { phone: '+79990001199', email: 'TAKEN@example.com', consents: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web' }] } }, 409],
      [{ method: 'PATCH', url: `/v1/customers/${customerId}`, payload: { firstName: 'Changed', phone: '+79990001100' } }, 409],
      [{ method: 'PATCH', url: `/v1/customers/${customerId}`, payload: { firstName: 'Changed', email: 'taken@example.com', cardNumber: 'CARD9999' } }, 409],
      [{ method: 'PUT', url: consentsOf(), payload: [{ channel: 'sms', purpose: 'marketing', granted: true, source: 'web' }, { channel: 'email', purpose: 'marketing', granted: true, source: 'web', at: '2099-01-01T00:00:00Z' }] }, 400],
      [{ method: 'POST', url: `/v1/customers/${customerId}/merge`, payload: { from: customerId } }, 409],
      [{ method: 'PUT', url: '/v1/customer-attributes/colour', payload: { type: 'enum', label: 'Colour' } }, 400],
      [{ method: 'POST', url: '/v1/api-keys', payload: { name: 'x', role: 'owner' }, role: 'marketer' }, 403],
      [{ method: 'POST', url: customers, payload: { firstName: 'Nobody' }, role: null }, 401],
      [{ method: 'POST', url: customers, payload: { firstName: 'Nobody' }, role: 'analyst' }, 403],
      [json('POST', customers, JSON.stringify({ firstName: 'x'.repeat(BODY_LIMIT) })), 413],
      [{ method: 'POST', url: customers, payload: '<customer/>', headers: { 'content-type': 'text/xml' } }, 415],
      [{ method: 'POST', url: '/v1/imports/customers', payload: 'nonsense,columns\n1,2\n', headers: { 'content-type': 'text/csv' } }, 400],
      [{ method: 'POST', url: '/v1/imports/customers', payload: '', headers: { 'content-type': 'text/csv' } }, 400],
    ];
    for (const [request, status] of failures) {
      const response = await t.call(request);
      expect(response.statusCode, `${request.method} ${request.url} ${response.body.slice(0, 200)}`).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    }

    expect(await snapshot()).toEqual(before);
    const unchanged = (await t.call({ method: 'GET', url: `/v1/customers/${customerId}` })).json();
    expect(unchanged).toMatchObject({ firstName: 'Edge', email: 'edge@example.com', phone: null, cardNumber: null });
    const lookup = await t.call({ method: 'GET', url: '/v1/customers/lookup?phone=%2B79990001199' });
    expect(lookup.statusCode).toBe(404);
    const consents = (await t.call({ method: 'GET', url: consentsOf() })).json();
    expect(consents.history).toEqual([]);
  });
});
