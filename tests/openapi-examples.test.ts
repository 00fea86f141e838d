import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docExamples, exampleIds } from '../src/docs-examples.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * /docs and the OpenAPI document as an integrator meets them: Patron's title and mark, every
 * request and response schema under a name in components.schemas, and a worked example on each
 * checkout, customer and points route — the examples of src/docs-examples.ts, each checked here
 * against the schemas of its route, so an example cannot drift from the API it documents.
 */

type Schema = { $ref?: string; type?: string | string[]; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; properties?: Record<string, Schema> };
type Media = { schema?: Schema; examples?: Record<string, { summary?: string; value: unknown }> };
type Parameter = { name: string; in: string; required?: boolean; schema?: Schema };
type Operation = { parameters?: Parameter[]; requestBody?: { content?: Record<string, Media> }; responses?: Record<string, { content?: Record<string, Media> }> };
type OpenApi = { info: { title: string }; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, Schema & { title?: string; examples?: unknown[] }> } };

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

let t: TestApp;
let doc: OpenApi;
let ajv: Ajv2020;
beforeAll(async () => {
  t = await createTestApp();
  const response = await t.call({ method: 'GET', url: '/openapi.json', role: null });
  expect(response.statusCode).toBe(200);
  doc = response.json();
  // The document itself is the schema store: every media type's schema is reached by a JSON pointer into it.
  ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(doc as object, 'openapi.json');
});
afterAll(async () => t?.close());

const pointer = (...parts: string[]) => `openapi.json#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
const operations = () => Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method, path, op, route: `${method.toUpperCase()} ${path}` })));
const jsonBody = (op: Operation) => op.requestBody?.content?.['application/json'];
const jsonResponses = (op: Operation) =>
  Object.entries(op.responses ?? {})
    .filter(([status]) => status.startsWith('2'))
    .flatMap(([status, response]) => (response.content?.['application/json'] ? [{ status, media: response.content['application/json'] }] : []));

/**
 * The rule: a request body or a 2xx answer in JSON is a named schema (a `$ref` to
 * components.schemas), a list of one, or a choice between named ones. The one exception is a
 * trivial schema, one with no `properties` anywhere (`{"<job step>": <count>}` of POST
 * /v1/jobs/{name}/run): nothing to name. Other media types (CSV, gzip) are files, not schemas.
 */
function unnamed(schema: Schema | undefined): boolean {
  if (!schema) return true;
  if (schema.$ref) return false;
  if (schema.type === 'array' && schema.items) return unnamed(schema.items);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return branches.some(unnamed);
  return JSON.stringify(schema).includes('"properties"');
}

/** The routes of the integrators' issue, the promotions one, the analytics one and every messaging route: each has a worked example. */
const exampleRoutes = [
  'POST /v1/checkout/calculate',
  'POST /v1/checkout/simulate',
  'POST /v1/checkout/confirm',
  'POST /v1/checkout/cancel',
  'POST /v1/receipts/{id}/refunds',
  'POST /v1/customers',
  'GET /v1/customers/{id}',
  'GET /v1/customers/lookup',
  'PATCH /v1/customers/{id}',
  'GET /v1/customers',
  'GET /v1/customers/{id}/consents',
  'PUT /v1/customers/{id}/consents',
  'POST /v1/customers/{id}/merge',
  'POST /v1/customers/{id}/erase',
  'GET /v1/customers/{id}/balance',
  'GET /v1/customers/{id}/ledger',
  'POST /v1/customers/{id}/points/adjustments',
  'POST /v1/promotions',
  'PATCH /v1/promotions/{id}',
  'POST /v1/promo-codes',
  'POST /v1/promo-codes/batches',
  'POST /v1/partners',
  'GET /v1/partners',
  'GET /v1/partners/{id}',
  'PATCH /v1/partners/{id}',
  'POST /v1/partners/{id}/api-keys',
  'GET /v1/partners/{id}/settlement',
  'POST /v1/gift-cards',
  'POST /v1/gift-cards/{code}/activate',
  'GET /v1/gift-cards/{code}',
  'GET /v1/gift-cards/{code}/entries',
  'POST /v1/gift-cards/batches',
  'POST /v1/rewards',
  'PATCH /v1/rewards/{id}',
  'POST /v1/rewards/{id}/vouchers',
  'POST /v1/customers/{id}/rewards',
  'POST /v1/customers/{id}/rewards/{orderId}/cancel',
  'GET /v1/customers/{id}/privileges',
  'POST /v1/segments/preview',
  'POST /v1/segments',
  'GET /v1/segments/{id}/members',
  'POST /v1/action-rules',
  'PATCH /v1/action-rules/{id}',
  'POST /v1/events',
  'GET /v1/customers/{id}/events',
  'PUT /v1/birthday-offer',
  'GET /v1/customers/{id}/recommendations',
  'POST /v1/recommendations/runs',
  'GET /v1/recommendations/runs/{id}',
  'GET /v1/recommendations/pairs',
  'GET /v1/analytics/cohorts',
  'GET /v1/analytics/funnels',
  'GET /v1/alert-rules',
  'GET /v1/alert-rules/{id}',
  'PATCH /v1/alert-rules/{id}',
  'DELETE /v1/alert-rules/{id}',
  'GET /v1/alerts',
  'GET /v1/alerts/{id}',
  'GET /v1/reports',
  'GET /v1/reports/{id}',
  'PATCH /v1/reports/{id}',
  'DELETE /v1/reports/{id}',
  'POST /v1/reports/{id}/runs',
  'GET /v1/reports/{id}/runs',
  'GET /v1/reports/{id}/runs/{runId}',
  // surveys: every route
  'POST /v1/surveys',
  'GET /v1/surveys',
  'GET /v1/surveys/{id}',
  'PATCH /v1/surveys/{id}',
  'DELETE /v1/surveys/{id}',
  'POST /v1/surveys/{id}/responses',
  'GET /v1/surveys/{id}/responses',
  'GET /v1/surveys/{id}/report',
  'GET /v1/customers/{id}/survey-responses',
  // messaging: every route
  'POST /v1/channels',
  'GET /v1/channels',
  'GET /v1/channels/{id}',
  'PATCH /v1/channels/{id}',
  'DELETE /v1/channels/{id}',
  'GET /v1/messaging/policy',
  'PUT /v1/messaging/policy',
  'POST /v1/templates',
  'GET /v1/templates',
  'GET /v1/templates/{id}',
  'PATCH /v1/templates/{id}',
  'DELETE /v1/templates/{id}',
  'GET /v1/templates/{id}/versions',
  'POST /v1/templates/preview',
  'POST /v1/templates/{id}/preview',
  'POST /v1/templates/{id}/test',
  'GET /v1/customers/{id}/messages',
  'POST /v1/messages/{id}/resend',
  'POST /v1/push/subscriptions',
  'POST /v1/campaigns',
  'GET /v1/campaigns',
  'GET /v1/campaigns/{id}',
  'PATCH /v1/campaigns/{id}',
  'DELETE /v1/campaigns/{id}',
  'POST /v1/campaigns/{id}/start',
  'POST /v1/campaigns/{id}/pause',
  'POST /v1/campaigns/{id}/resume',
  'POST /v1/campaigns/{id}/cancel',
  'GET /v1/campaigns/{id}/report',
  'PUT /v1/campaigns/{id}/audience',
  'POST /v1/journeys',
  'GET /v1/journeys',
  'GET /v1/journey-recipes',
  'POST /v1/journey-recipes/{name}',
  'GET /v1/journeys/{id}',
  'PATCH /v1/journeys/{id}',
  'DELETE /v1/journeys/{id}',
  'POST /v1/journeys/{id}/activate',
  'POST /v1/journeys/{id}/pause',
  'POST /v1/journeys/{id}/archive',
  'GET /v1/journeys/{id}/entries',
  'GET /v1/journeys/{id}/report',
  'GET /v1/experiments/global-control',
  'PUT /v1/experiments/global-control',
  'GET /t/o/{token}',
  'GET /t/c/{token}',
  'GET /t/u/{token}',
  'POST /t/u/{token}',
  'POST /v1/customers/{id}/telegram-link',
  'GET /v1/customers/{id}/telegram-link',
  'DELETE /v1/customers/{id}/telegram-link',
  'POST /t/telegram/{channelId}',
  'POST /t/sms/{channelId}/status',
  'GET /t/sms/{channelId}/status',
  'POST /v1/channels/{id}/bounces',
  'POST /v1/webhooks',
  'GET /v1/webhooks',
  'GET /v1/webhooks/{id}',
  'PATCH /v1/webhooks/{id}',
  'DELETE /v1/webhooks/{id}',
  'GET /v1/webhooks/{id}/deliveries',
  'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
  'GET /v1/touchpoints/join-form',
  'PUT /v1/touchpoints/join-form',
  'GET /join',
  'POST /join',
  'POST /join/confirm',
  'GET /me/sign-in',
  'POST /me/sign-in',
  'POST /me/sign-in/confirm',
  'GET /me',
  'POST /me/preferences',
  'POST /me/topics',
  'GET /v1/messaging/topics',
  'GET /v1/messaging/topics/{key}',
  'PUT /v1/messaging/topics/{key}',
  'GET /v1/customers/{id}/topics',
  'PUT /v1/customers/{id}/topics',
  'POST /me/sign-out',
  'POST /me/receipts',
  'POST /me/feedback',
  'POST /me/profile',
  'POST /me/telegram',
  'POST /me/erase-request',
  'GET /s/{token}',
  'POST /s/{token}',
  'GET /s/p/{surveyId}',
  'POST /s/p/{surveyId}',
  'GET /v1/tickets',
  'POST /v1/tickets',
  'GET /v1/tickets/{id}',
  'PATCH /v1/tickets/{id}',
  'POST /v1/tickets/{id}/messages',
  'GET /v1/customers/{id}/tickets',
  'GET /v1/fiscal-receipts/settings',
  'PUT /v1/fiscal-receipts/settings',
  'POST /v1/customers/{id}/fiscal-receipts',
  'GET /v1/customers/{id}/fiscal-receipts',
  'GET /v1/fiscal-receipts/{id}',
];

describe('/docs', () => {
  it('is Swagger UI titled Patron API, its page and its files served under the /docs CSP', async () => {
    const page = await t.call({ method: 'GET', url: '/docs/', role: null });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('<title>Patron API</title>');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    // Every script and stylesheet the page names is one of its own files, and is served.
    const assets = [...page.body.matchAll(/(?:src|href)="\.\/(static\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets).toEqual(expect.arrayContaining(['static/swagger-ui-bundle.js', 'static/swagger-initializer.js', 'static/swagger-ui.css']));
    for (const asset of assets) {
      const file = await t.call({ method: 'GET', url: `/docs/${asset}`, role: null });
      expect(file.statusCode, asset).toBe(200);
      expect(file.headers['content-security-policy'], asset).toBe(csp);
    }
    expect(page.body).not.toMatch(/<script>(?!\s*<\/script>)/); // no inline script: the CSP would block it
  });

  it("shows Patron's mark in the top bar, not Fastify's, as a data: image the CSP allows", async () => {
    const initializer = await t.call({ method: 'GET', url: '/docs/static/swagger-initializer.js', role: null });
    expect(initializer.statusCode).toBe(200);
    const logo = /img\.src = 'data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)'/.exec(initializer.body);
    expect(logo, 'the top bar logo is replaced').not.toBeNull();
    expect(Buffer.from(logo![1]!, 'base64').toString()).toContain('Patron API');
    const fastifyLogo = fs.readFileSync(path.join(import.meta.dirname, '../node_modules/@fastify/swagger-ui/static/logo.svg')).toString('base64');
    expect(initializer.body).not.toContain(fastifyLogo);
    expect(String(initializer.headers['content-security-policy'])).toMatch(/img-src [^;]*data:/);
  });
});

describe('the OpenAPI document', () => {
  it('is titled Patron API', () => {
    expect(doc.info.title).toBe('Patron API');
  });

  it('names every JSON request body and 2xx answer (components.schemas), trivial ones aside', () => {
    const anonymous: string[] = [];
    for (const { route, op } of operations()) {
      if (jsonBody(op) && unnamed(jsonBody(op)!.schema)) anonymous.push(`${route} body`);
      for (const { status, media } of jsonResponses(op)) if (unnamed(media.schema)) anonymous.push(`${route} ${status}`);
    }
    expect(anonymous).toEqual([]);
    const names = Object.keys(doc.components.schemas);
    expect(names).toEqual(
      expect.arrayContaining([
        'CheckoutRequest', 'CheckoutResult', 'ConfirmRequest', 'ConfirmResult', 'CancelRequest', 'RefundRequest', 'RefundResult',
        'Customer', 'CustomerCreate', 'CustomerUpdate', 'TillView', 'CustomerPage', 'ConsentView', 'ConsentsUpdate', 'MergeRequest',
        'Balance', 'LedgerPage', 'AdjustmentRequest', 'AdjustmentResult', 'Problem',
      ]),
    );
    // Every reference points at a schema that is there.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((match) => match[1]!);
    expect([...new Set(refs)].filter((ref) => !(ref.replace('#/components/schemas/', '') in doc.components.schemas) || !ref.startsWith('#/components/schemas/'))).toEqual([]);
  });

  it('has a request example (with a body) and an answer example on each checkout, customer and points route', () => {
    const missing: string[] = [];
    for (const route of exampleRoutes) {
      const [method, path] = route.split(' ') as [string, string];
      const op = doc.paths[path]?.[method.toLowerCase()];
      if (!op) {
        missing.push(`${route}: not in the document`);
        continue;
      }
      const body = jsonBody(op);
      if (body && Object.keys(body.examples ?? {}).length === 0) missing.push(`${route}: request example`);
      // A page or an image (the links customers follow) has its example under its own media type and status.
      const pages = docExamples.filter((example) => example.route === route && example.responseType && !example.step);
      const documented = (example: (typeof pages)[number]) => {
        const answer = op.responses?.[String(example.status)] as { content?: Record<string, { examples?: object }>; headers?: { Location?: { example?: string } } } | undefined;
        return example.responseType === 'redirect' ? answer?.headers?.Location?.example !== undefined : Object.keys(answer?.content?.[example.responseType!]?.examples ?? {}).length > 0;
      };
      const answered = pages.length > 0
        ? pages.some(documented)
        : jsonResponses(op).some(({ media }) => Object.keys(media.examples ?? {}).length > 0);
      if (!answered) missing.push(`${route}: answer example`);
    }
    expect(missing).toEqual([]);
  });

  it('gives the named schemas of those routes an example of their own (examples: [...])', () => {
    for (const name of ['CheckoutRequest', 'CheckoutResult', 'ConfirmRequest', 'ConfirmResult', 'RefundRequest', 'RefundResult', 'CustomerCreate', 'Customer', 'Balance', 'LedgerPage']) {
      expect(doc.components.schemas[name]?.examples?.length, name).toBeGreaterThan(0);
    }
  });
});

describe('the worked examples (src/docs-examples.ts)', () => {
  it('cover each checkout, customer and points route', () => {
    const shown = new Set(docExamples.filter((example) => !example.step).map((example) => example.route));
    expect(exampleRoutes.filter((route) => !shown.has(route as never))).toEqual([]);
  });

  it.each(docExamples.map((example, index) => [`${index + 1}. ${example.route}: ${example.summary}`, example] as const))('%s: request and answer match the route\'s schemas', (_name, example) => {
    const [method, path] = example.route.split(' ') as [string, string];
    const op = doc.paths[path]?.[method.toLowerCase()];
    expect(op, `${example.route} is in the document`).toBeDefined();

    // Path and query parameters: every one given is declared and valid, every required one given.
    for (const parameter of op!.parameters ?? []) {
      const given = parameter.in === 'path' ? example.params : parameter.in === 'query' ? example.query : parameter.in === 'header' ? example.headers : undefined;
      const value = given?.[parameter.name];
      if (value === undefined) {
        expect(parameter.required ?? false, `${parameter.in} ${parameter.name} is required`).toBe(false);
        continue;
      }
      const schema = parameter.schema as { type?: string } | undefined;
      const typed = schema?.type === 'integer' || schema?.type === 'number' ? Number(value) : value;
      const check = ajv.compile({ ...(parameter.schema as object) });
      expect(check(typed), `${parameter.in} ${parameter.name}=${value}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
    for (const [where, given] of [['path', example.params], ['query', example.query]] as const) {
      const declared = (op!.parameters ?? []).filter((parameter) => parameter.in === where).map((parameter) => parameter.name);
      expect(Object.keys(given ?? {}).filter((name) => !declared.includes(name)), `undeclared ${where} parameters`).toEqual([]);
    }

    // A body that is not JSON (a bounce as it arrived, an audience's CSV) is its text, under its own media type.
    const body = example.requestType ? op!.requestBody?.content?.[example.requestType] : jsonBody(op!);
    expect(example.body !== undefined, 'a body exactly when the route takes one').toBe(body !== undefined);
    if (example.requestType) expect(typeof example.body, 'a body that is not JSON is its text').toBe('string');
    else if (body) {
      const check = ajv.getSchema(pointer('paths', path, method.toLowerCase(), 'requestBody', 'content', 'application/json', 'schema'))!;
      expect(check(structuredClone(example.body)), `request: ${ajv.errorsText(check.errors)}`).toBe(true);
    }

    if (example.responseType === 'redirect') {
      expect(op!.responses?.[String(example.status)], `${example.status} is documented`).toBeDefined();
      expect(typeof example.response, 'a redirect is its Location').toBe('string');
      return;
    }
    const type = example.responseType ?? 'application/json';
    const response = op!.responses?.[String(example.status)]?.content?.[type];
    expect(response, `${example.status} ${type} is documented`).toBeDefined();
    if (example.responseType) {
      expect(typeof example.response, 'a page or an image is its text (an image in base64)').toBe('string');
      return;
    }
    const check = ajv.getSchema(pointer('paths', path, method.toLowerCase(), 'responses', String(example.status), 'content', 'application/json', 'schema'))!;
    expect(check(structuredClone(example.response)), `answer: ${ajv.errorsText(check.errors)}`).toBe(true);
  });

  it('use the example ids consistently (each is of its kind, and used)', () => {
    const text = JSON.stringify(docExamples);
    for (const [name, id] of Object.entries(exampleIds)) {
      expect(id, name).toMatch(/^[a-z]{3}_[0-9a-f]{32}$/);
      expect(text.includes(id), `${name} is used`).toBe(true);
    }
  });
});
