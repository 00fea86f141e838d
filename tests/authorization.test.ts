import fs from 'node:fs';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../src/platform/actor.ts';
import { can, permissions, roles, rolesTableMarkdown, type Permission, type Role } from '../src/platform/roles.ts';
import { allowed, routeAccess, routeAccessMarkdown, unusedPermissions, type RouteKey } from '../src/route-access.ts';
import { openApiPath, registeredRoutes } from './helpers/routes.ts';
import { createTestApp, type TestApp } from './helpers/test-app.ts';

/**
 * The authorisation matrix (src/route-access.ts with the roles table of src/platform/roles.ts),
 * held against the app: every route × every role, no key and a revoked key. Allowed means
 * anything but 401 and 403 (a 400 for the minimal body sent is fine); denied means 403
 * auth.forbidden naming the permission missing, or 401 without a usable key.
 */
let t: TestApp;
let revokedKey: string;

type Principal = Role | 'no key' | 'revoked key';
const principals: Principal[] = [...roles, 'no key', 'revoked key'];
const routes = Object.keys(routeAccess) as RouteKey[];

beforeAll(async () => {
  t = await createTestApp();
  for (const role of roles) await t.key(role);
  const { key, secret } = await t.services.apiKeys.create({ name: 'revoked owner', role: 'owner', source: 'api' }, systemActor);
  await t.services.apiKeys.revoke(key.id, systemActor);
  revokedKey = secret;
});
afterAll(async () => t?.close());

const [methodOf, pathOf, queryOf] = [
  (route: string) => route.split(' ')[0]!,
  (route: string) => route.split(' ')[1]!.split('?')[0]!,
  (route: string) => route.split('?')[1] ?? '',
];
const baseRoute = (route: RouteKey) => `${methodOf(route)} ${pathOf(route)}` as RouteKey;

/** Every route the app serves, HEAD aside (Fastify adds one for each GET). */
function servedRoutes(): string[] {
  return registeredRoutes(t.app.printRoutes({ commonPrefix: false }))
    .filter(({ method }) => method !== 'HEAD')
    .map(({ method, path }) => `${method} ${openApiPath(path)}`);
}

// Path parameters get ids of the right shape for their route (so a 400 never hides the verdict).
const sampleParams: Array<[RegExp, string, string]> = [
  [/^\/v1\/api-keys\//, 'id', 'key_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/staff-users\//, 'id', 'stf_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/imports\//, 'id', 'imp_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/customers\//, 'id', 'cus_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/messages\//, 'id', 'msg_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/receipts\//, 'id', 'rcp_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/stores\//, 'id', 's1'],
  [/^\/v1\/customer-attributes\//, 'key', 'size'],
  [/^\/v1\/earning-rules\//, 'id', 'base'],
  [/^\/v1\/promotions\//, 'id', 'prm_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/promo-codes\/batches\//, 'id', 'pcb_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/promo-codes\//, 'code', 'NOPE'],
  [/^\/v1\/gift-cards\/batches\//, 'id', 'gcb_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/gift-cards\//, 'code', 'NOPENOPENOPENOPE'],
  [/^\/v1\/tiers\//, 'id', 'silver'],
  [/^\/v1\/partners\//, 'id', 'prt_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/action-rules\//, 'id', 'acr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/rewards\//, 'id', 'rwd_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/customers\//, 'orderId', 'rwo_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/reward-codes\//, 'code', 'NOPE'],
  [/^\/v1\/lotteries\//, 'id', 'ltr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/tickets\//, 'id', 'tkt_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/fiscal-receipts\//, 'id', 'frc_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/surveys\//, 'id', 'srv_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/jobs\//, 'name', 'activate-points'],
  [/^\/v1\/segments\//, 'id', 'seg_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/segments\//, 'recomputeId', 'sgr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/analytics\/rfm\//, 'id', 'rfm_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/clusters\/runs\//, 'id', 'clr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/analytics\/what-if\//, 'id', 'wif_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/analytics\/clv\/fit\//, 'id', 'clv_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/recommendations\/runs\//, 'id', 'rcr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/alert-rules\//, 'id', 'alr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/alerts\//, 'id', 'alt_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/reports\//, 'id', 'rpt_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/reports\//, 'runId', 'rpr_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/messaging\/topics\//, 'key', 'news'],
  [/^\/v1\/channels\//, 'id', 'chn_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/templates\//, 'id', 'tpl_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/campaigns\//, 'id', 'cmp_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/journeys\//, 'id', 'jrn_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/journey-recipes\//, 'name', 'welcome'],
  [/^\/v1\/webhooks\//, 'id', 'whk_0190c0ffee00700080000000000000ab'],
  [/^\/v1\/webhooks\//, 'deliveryId', 'whd_0190c0ffee00700080000000000000ab'],
  // A message id with a signature that does not hold: the tracking routes answer their refusal (or the pixel), never 401/403.
  [/^\/t\//, 'token', 'msg_0190c0ffee00700080000000000000ab.AAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  // A channel that does not exist: the bot's webhook and the delivery reports answer 404, never 401/403.
  [/^\/t\//, 'channelId', 'chn_0190c0ffee00700080000000000000ab'],
  // A survey link that does not hold, a survey that is not there: the survey pages answer 404, never 401/403.
  [/^\/s\//, 'token', 'srv_0190c0ffee00700080000000000000ab.cus_0190c0ffee00700080000000000000ab.AAAAAAAAAAAAAAAAAAAAAAAAAAA'],
  [/^\/s\/p\//, 'surveyId', 'srv_0190c0ffee00700080000000000000ab'],
];

function requestFor(route: RouteKey): InjectOptions {
  const method = methodOf(route) as InjectOptions['method'];
  const path = pathOf(route);
  const url = path.replace(/\{(\w+)\}/g, (_all, name: string) => {
    const sample = sampleParams.find(([pattern, param]) => pattern.test(path) && param === name);
    if (!sample) throw new Error(`no sample value for {${name}} in ${route}`);
    return sample[2];
  });
  const query = queryOf(route);
  const request: InjectOptions = { method, url: query ? `${url}?${query}` : url };
  if (method === 'GET' || method === 'DELETE') return request;
  // Uploads take their file's type (one line that is no receipt/customer): a JSON body would be a 415 before the handler's checks.
  const upload = t.services.registry.importTypes().find((type) => type.upload.url === path)?.upload;
  if (upload) return { ...request, headers: { 'content-type': upload.contentTypes[0]! }, payload: 'not a record\n' };
  return { ...request, headers: { 'content-type': 'application/json' }, payload: '{}' };
}

let addressCounter = 0;
async function send(route: RouteKey, principal: Principal): Promise<LightMyRequestResponse> {
  const request = requestFor(route);
  const headers = { ...(request.headers ?? {}) } as Record<string, string>;
  if (principal === 'revoked key') headers.authorization = `Bearer ${revokedKey}`;
  else if (principal !== 'no key') headers.authorization = `Bearer ${await t.key(principal)}`;
  // Calls without a usable key come from addresses of their own, so no lockout after failed keys answers for them.
  addressCounter++;
  const remoteAddress = `10.9.${Math.floor(addressCounter / 250)}.${(addressCounter % 250) + 1}`;
  return t.app.inject({ ...request, headers, remoteAddress });
}

/** The permission a denied call must name: the route's own first, then the one its options need. */
function missingPermission(route: RouteKey, role: Role): Permission {
  const own = routeAccess[baseRoute(route)];
  if (own !== 'public' && !can(role, own)) return own;
  return routeAccess[route] as Permission;
}

describe('the authorisation matrix', () => {
  it('has every route the app serves, and no entry that no route serves', () => {
    const served = servedRoutes();
    const table = new Set(routes.map(baseRoute));
    expect(served.filter((route) => !table.has(route as RouteKey)), 'served routes missing from src/route-access.ts').toEqual([]);
    expect([...table].filter((route) => !served.includes(route)), 'entries of src/route-access.ts no route serves').toEqual([]);
    expect(served.length).toBeGreaterThan(40);
  });

  it('agrees with the OpenAPI document: every operation is in the table, and public exactly where the table says', async () => {
    const doc = (await t.call({ method: 'GET', url: '/openapi.json', role: null })).json() as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(documented.filter(({ route }) => !(route in routeAccess)).map(({ route }) => route), 'documented operations missing from the table').toEqual([]);
    for (const { route, operation } of documented) {
      const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
      expect(isPublic, `${route}: public in the document`).toBe(routeAccess[route as RouteKey] === 'public');
    }
    // The document itself and the docs pages are public and undocumented; everything else is documented.
    const undocumented = routes.filter((route) => !route.includes('?') && !documented.some((d) => d.route === route));
    expect(undocumented.filter((route) => routeAccess[route] !== 'public')).toEqual([]);
  });

  it('names every permission of the roles table on some route, and every route a permission of it or public', () => {
    expect(unusedPermissions(), 'permissions no route needs').toEqual([]);
    for (const route of routes) expect([...permissions, 'public'], route).toContain(routeAccess[route]);
  });

  it.each(principals)('%s: every route answers allowed or denied as the table says', async (principal) => {
    const disagreements: string[] = [];
    for (const route of routes) {
      const response = await send(route, principal);
      const status = response.statusCode;
      const body = response.body;
      if (principal === 'no key' || principal === 'revoked key') {
        const expected = routeAccess[route] === 'public' ? 'allowed' : principal === 'no key' ? 'auth.missing_key' : 'auth.invalid_key';
        if (expected === 'allowed' ? status === 401 || status === 403 : status !== 401 || response.json().code !== expected) {
          disagreements.push(`${route}: expected ${expected}, got ${status} ${body.slice(0, 160)}`);
        }
        continue;
      }
      if (allowed(route, principal)) {
        if (status === 401 || status === 403) disagreements.push(`${route}: expected allowed, got ${status} ${body.slice(0, 160)}`);
        continue;
      }
      const needs = missingPermission(route, principal);
      const problem = status === 403 ? (response.json() as { code: string; detail: string }) : null;
      if (problem?.code !== 'auth.forbidden' || !problem.detail.includes(`(needs ${needs})`)) {
        disagreements.push(`${route}: expected 403 auth.forbidden needing ${needs}, got ${status} ${body.slice(0, 160)}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

/** The Markdown table between `<!-- name -->` and `<!-- /name -->` in a file. */
function tableIn(file: string, name: string): string {
  const text = fs.readFileSync(new URL(`../${file}`, import.meta.url), 'utf8');
  const match = new RegExp(`<!-- ${name} -->\\n([\\s\\S]*?)\\n<!-- /${name} -->`).exec(text);
  expect(match, `${file} has a <!-- ${name} --> … <!-- /${name} --> block`).not.toBeNull();
  return match![1]!.trim();
}

describe('the documentation shows the same tables', () => {
  it('README: the roles table is the one in src/platform/roles.ts', () => {
    expect(tableIn('README.md', 'roles-table'), 'paste rolesTableMarkdown() into the README').toBe(rolesTableMarkdown());
  });

  it('docs/api.md: the route matrix is the one in src/route-access.ts', () => {
    expect(tableIn('docs/api.md', 'route-access'), 'paste routeAccessMarkdown() into docs/api.md').toBe(routeAccessMarkdown());
  });
});
