import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeAccess } from '../src/route-access.ts';
import { resolverFor, sampleFor, valueFailures, type FailureCase, type Schema } from './helpers/schema-failures.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * Every route, sent its schema's failure cases (tests/helpers/schema-failures.ts): each answer
 * is a 4xx problem+json with a code whose detail and errors[].reason are plain words — never a
 * validator's phrasing or a regular expression (docs/api.md, "Errors").
 */
const VALIDATOR_PHRASINGS: Array<[string, RegExp]> = [
  ['must match pattern', /must match pattern/i],
  ['must NOT have', /must NOT have/],
  ['enum without the values', /must be equal to one of the allowed values/i],
  ['must have required property', /must have required property/i],
  ['must be integer, no more words', /must be integer\s*(?:$|[;,.)])/i],
  ['ajv comparison', /must be [<>]=? ?-?\d/],
  ['must match format', /must match format/i],
  ['must match a schema in anyOf/oneOf', /must match (?:a|exactly one) schema/i],
  ['a regular expression', /\^[^\s]*\$|\[[^\]\s]*-[^\]\s]*\]\{/],
  ['additionalProperties', /additionalProperties/],
  ['must be equal to constant', /must be equal to constant/i],
];

type Operation = {
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: Schema }>;
  requestBody?: { content?: Record<string, { schema?: Schema }> };
};
type Doc = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

type Case = { label: string; request: InjectOptions };

let t: TestApp;
let doc: Doc;

beforeAll(async () => {
  t = await createTestApp();
  doc = t.app.swagger() as unknown as Doc;
});
afterAll(async () => t.close());

const JSON_TYPES = ['application/json', 'application/merge-patch+json'];

/** The failure cases of one operation: its path parameters, its query string, its JSON body. */
function casesOf(method: string, path: string, operation: Operation): Case[] {
  const resolve = resolverFor(doc);
  const parameters = operation.parameters ?? [];
  const pathParams = parameters.filter((p) => p.in === 'path');
  const queryParams = parameters.filter((p) => p.in === 'query');
  const urlWith = (overrides: Record<string, string>, query = '') => {
    const filled = path.replace(/\{(\w+)\}/g, (_all, name: string) => {
      const param = pathParams.find((p) => p.name === name);
      return encodeURIComponent(overrides[name] ?? sampleFor(resolve(param?.schema ?? {})));
    });
    return query ? `${filled}?${query}` : filled;
  };
  const jsonType = Object.keys(operation.requestBody?.content ?? {}).find((type) => JSON_TYPES.includes(type));
  const bodySchema = jsonType ? operation.requestBody?.content?.[jsonType]?.schema : undefined;
  const cases: Case[] = [];
  const send = (label: string, url: string, body?: unknown): Case => ({
    label,
    request: {
      method: method.toUpperCase() as InjectOptions['method'],
      url,
      ...(body !== undefined ? { payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    },
  });
  for (const param of pathParams) {
    for (const failure of valueFailures(param.schema ?? {}, resolve).filter(isText)) {
      cases.push(send(`path ${param.name}: ${failure.label}`, urlWith({ [param.name]: String(failure.value) })));
    }
  }
  for (const param of queryParams) {
    if (param.required) cases.push(send(`query ${param.name}: missing`, urlWith({})));
    for (const failure of valueFailures(param.schema ?? {}, resolve).filter(isText)) {
      cases.push(send(`query ${param.name}: ${failure.label}`, urlWith({}, `${param.name}=${encodeURIComponent(String(failure.value))}`)));
    }
  }
  if (bodySchema) {
    cases.push(send('body: none', urlWith({})));
    for (const failure of valueFailures(bodySchema, resolve)) cases.push(send(`body ${failure.label}`, urlWith({}), failure.value));
  }
  return cases;
}

/** Path and query values are text: only failures that text can carry (any text is a string). */
const isText = (failure: FailureCase) =>
  (typeof failure.value === 'string' || typeof failure.value === 'number') && !failure.label.startsWith('wrong type (not string)');

function phrasingsIn(text: string): string[] {
  return VALIDATOR_PHRASINGS.filter(([, pattern]) => pattern.test(text)).map(([name]) => name);
}

const documentedOperations = () =>
  Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, method, path, operation })),
  );

describe('errors a person can act on', () => {
  it('walks every route: each one the app serves is documented, and each with input gets failure cases', () => {
    const documented = new Set(documentedOperations().map((o) => o.route));
    const undocumented = Object.entries(routeAccess)
      .filter(([route, access]) => access !== 'public' && !route.includes('?') && !documented.has(route))
      .map(([route]) => route);
    expect(undocumented, 'routes missing from the OpenAPI document, so from this walk').toEqual([]);
    const uncovered = documentedOperations()
      .filter(({ method, path, operation }) => (operation.parameters?.length || operation.requestBody) && casesOf(method, path, operation).length === 0)
      .map((o) => o.route);
    expect(uncovered, 'routes with input but no failure case').toEqual([]);
  });

  it('answers every failure case of every route in plain words', async () => {
    const findings: string[] = [];
    let sent = 0;
    for (const { route, method, path, operation } of documentedOperations()) {
      for (const { label, request } of casesOf(method, path, operation)) {
        const response = await t.call(request);
        sent += 1;
        const where = `${route} ${label} → ${response.statusCode}`;
        if (response.statusCode < 400 || response.statusCode >= 500) {
          findings.push(`${where}: expected a 4xx, got ${response.body.slice(0, 200)}`);
          continue;
        }
        if (!/^application\/problem\+json/.test(String(response.headers['content-type']))) {
          findings.push(`${where}: not problem+json`);
          continue;
        }
        const problem = response.json() as { code?: string; detail?: string; errors?: Array<{ field: string; reason: string }> };
        if (!problem.code) findings.push(`${where}: no code`);
        const texts = [problem.detail ?? '', ...(problem.errors ?? []).map((e) => e.reason)];
        for (const text of texts) {
          const found = phrasingsIn(text);
          if (found.length > 0) findings.push(`${where}: ${found.join(', ')} in "${text.slice(0, 300)}"`);
        }
      }
    }
    expect(findings).toEqual([]);
    expect(sent).toBeGreaterThan(200);
  });
});

describe('the checks themselves', () => {
  it.each([
    'lines: must NOT have fewer than 1 items',
    'customerId: must match pattern "^cus_[0-9a-f]{32}$"',
    'channel: must be equal to one of the allowed values',
    'price: must be integer',
    'qty: must be >= 0',
  ])('catch "%s"', (text) => {
    expect(phrasingsIn(text)).not.toEqual([]);
  });

  it.each([
    'lines: must hold at least 1 item (it is empty)',
    'price: must be a whole number of minor units (kopecks): 149050, not 1490.5',
    'channel: must be one of: offline, online',
    'occurredAt: must be a date-time like 2026-03-01T09:00:00Z',
    'id: must be an id like cus_0190c2f65c3a7b1e9f001234567890ab (cus_ then 32 lowercase hex digits)',
  ])('pass "%s"', (text) => {
    expect(phrasingsIn(text)).toEqual([]);
  });
});
