import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from './config.ts';
import { viewOf, type Database } from './db/database.ts';
import { createCustomers, customerRoutes, CustomerSchema, customersModule, type Customers } from './modules/customers/index.ts';
import { createLoyalty, loyaltyModule, loyaltyRoutes, type Loyalty } from './modules/loyalty/index.ts';
import { createPromotions, promotionRoutes, promotionsModule, type Promotions } from './modules/promotions/index.ts';
import { createApiKeys, type ApiKeys } from './platform/api-keys.ts';
import type { Clock } from './platform/clock.ts';
import {
  clientErrorHandler,
  installAuth,
  installErrorHandling,
  installJsonParser,
  installNulGuard,
  installRateLimits,
  installSecurityHeaders,
  installValidators,
  shorten,
} from './platform/http.ts';
import type { Ids } from './platform/ids.ts';
import { createImportRunner, type ImportRunner } from './platform/imports/import-runner.ts';
import { importRoutes } from './platform/imports/imports.routes.ts';
import { jobRoutes } from './platform/jobs.routes.ts';
import { loggableError, scrubPersonalData } from './platform/log-safety.ts';
import { namedComponents, refNamedSchemas } from './platform/openapi-names.ts';
import { platformRoutes } from './platform/platform.routes.ts';
import { createRateLimiter, noRateLimits } from './platform/rate-limits.ts';
import { createRegistry, type Registry } from './platform/registry.ts';
import { ProblemSchema } from './platform/schemas.ts';
import { addRouteExamples, docsLogo } from './docs-examples.ts';

export type AppDeps = {
  database: Database;
  clock: Clock;
  /** Makes ids of any prefix; each module sees it through its own `Ids` type. */
  ids: Ids<string>;
  /** Without `rateLimits` nothing is limited (tests, in-process benchmarks); `serve` passes the environment's. */
  config: Pick<Config, 'dataDir' | 'defaultPhoneRegion' | 'bodyLimitBytes' | 'importLimitBytes' | 'logLevel'> &
    Partial<Pick<Config, 'checkoutCacheMs' | 'rateLimits' | 'trustProxy'>>;
  /** Log output: false for none (tests), true for stdout, or a stream of its own (the log-safety test). */
  logger?: boolean | { stream: { write(line: string): void } };
};

export type Services = { apiKeys: ApiKeys; customers: Customers; loyalty: Loyalty; promotions: Promotions; imports: ImportRunner; registry: Registry };

/** Builds the HTTP app and the module services from injected parts; never listens. */
export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const { database, clock, ids, config } = deps;
  const db = database.db;
  // Each part gets its own view of the one database (viewOf, inferred from what the part asks
  // for), so a module names only its own tables and the platform's.
  const apiKeys = createApiKeys({ db: viewOf(db), clock, ids });
  const customers = createCustomers({ db: viewOf(db), clock, ids, phoneRegion: config.defaultPhoneRegion });
  const loyalty = createLoyalty(
    { db: viewOf(db), clock, ids, customers, phoneRegion: config.defaultPhoneRegion, cacheMaxAgeMs: config.checkoutCacheMs },
    customers.hooksFor(loyaltyModule.ownTx),
  );
  const promotions = createPromotions({ db: viewOf(db), clock, ids, cacheMs: config.checkoutCacheMs ?? 1000 }, customers.hooksFor(promotionsModule.ownTx));
  // Promotions price receipts as the checkout pipeline's adjuster (discounts before points).
  loyalty.checkout.adjusters.push(promotions.checkoutAdjuster);
  // Modules bring their event types, id prefixes, error codes and import types; the platform names none.
  const registry = createRegistry();
  registry.register(customersModule, customers);
  registry.register(loyaltyModule, loyalty);
  registry.register(promotionsModule, promotions);
  const imports = createImportRunner({
    db: viewOf(db),
    clock,
    ids,
    types: registry.importTypes(),
    dataDir: config.dataDir,
    // In PGlite mode this process owns the data directory, so a "running" import is an orphan.
    staleAfterMs: database.kind === 'pglite' ? 0 : 60_000,
    // On PostgreSQL a job's advisory lock says whether a live process runs it (a killed one's goes with its connection).
    jobLocks: database.kind === 'postgres',
  });

  const app = Fastify({
    bodyLimit: config.bodyLimitBytes,
    // Logs never hold a key, a phone or an e-mail (src/platform/log-safety.ts).
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(typeof deps.logger === 'object' ? { stream: deps.logger.stream } : {}),
            redact: ['req.headers.authorization'],
            serializers: {
              // The query string can hold a phone or an e-mail (lookup): log the path only.
              req: (request) => ({ method: request.method, path: request.url.split('?')[0], id: request.id }),
              err: (error) => loggableError(error),
            },
            hooks: { streamWrite: scrubPersonalData },
          },
    // Behind a reverse proxy the per-address limits need the client's address, not the proxy's.
    trustProxy: config.trustProxy ?? false,
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
    genReqId: () => ids.next('req'),
    // Errors Fastify raises before routing (a broken %-escape in the URL) get the same problem+json.
    frameworkErrors: (error, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      void reply
        .status(400)
        .type('application/problem+json')
        .send({ type: 'https://patron.dev/problems/request.invalid', title: 'The request is not valid', status: 400, code: 'request.invalid', detail: `The URL is not valid: ${shorten(error.message, 300)}` });
    },
  });
  const limits = config.rateLimits ?? noRateLimits;
  const limiter = createRateLimiter(limits);
  installSecurityHeaders(app);
  installRateLimits(app, limiter);
  installValidators(app);
  installJsonParser(app);
  installNulGuard(app);
  installErrorHandling(app);
  installAuth(app, apiKeys, limiter);

  app.addSchema(ProblemSchema);
  app.addSchema(CustomerSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patron API',
        version: '0.1.0',
        description: 'Loyalty program and CRM-marketing platform. Errors are application/problem+json with a stable `code`.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } },
        // Request and response schemas by name (CheckoutRequest, Balance, …; src/platform/openapi-names.ts).
        schemas: namedComponents() as Record<string, object>,
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    // Routes keep their schemas; the document names them ($ref to components) and shows a worked example on each.
    transform: refNamedSchemas,
    transformObject: (document) => ('openapiObject' in document ? addRouteExamples(document.openapiObject) : document.swaggerObject),
  });
  // Swagger UI under Patron's name: the page title, and Patron's mark in the top bar instead of Fastify's.
  // Nothing is added but the title and a data: image, so the /docs CSP (its own files only) still holds.
  await app.register(swaggerUi, { routePrefix: '/docs', theme: { title: 'Patron API' }, logo: docsLogo });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  platformRoutes(app, { db: viewOf(db), apiKeys, clock, snapshot: database.snapshot?.bind(database) });
  importRoutes(app, { imports, types: registry.importTypes(), importLimitBytes: config.importLimitBytes });
  jobRoutes(app, { jobs: registry.jobs() });
  customerRoutes(app, { customers });
  loyaltyRoutes(app, { loyalty, customers });
  promotionRoutes(app, { promotions, customers });
  app.addHook('onClose', async () => {
    await imports.stop();
    await promotions.batches.stop();
  });
  return { app, services: { apiKeys, customers, loyalty, promotions, imports, registry } };
}
