import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import { createCustomers, customerCsvFormat, type Customers } from './modules/customers/index.ts';
import { createLoyalty, type Loyalty } from './modules/loyalty/index.ts';
import { loyaltyRoutes } from './modules/loyalty/loyalty.routes.ts';
import { customerRoutes } from './modules/customers/customers.routes.ts';
import { Customer } from './modules/customers/customers.schemas.ts';
import { createApiKeys, type ApiKeys } from './platform/api-keys.ts';
import type { Clock } from './platform/clock.ts';
import { installAuth, installErrorHandling, installJsonParser, installNulGuard, installValidators } from './platform/http.ts';
import type { Ids } from './platform/ids.ts';
import { createImportRunner, type ImportFormat, type ImportRunner } from './platform/imports/import-runner.ts';
import { importRoutes } from './platform/imports/imports.routes.ts';
import { platformRoutes } from './platform/platform.routes.ts';
import { ProblemSchema } from './platform/schemas.ts';

export type AppDeps = {
  database: Database;
  clock: Clock;
  ids: Ids;
  config: Pick<Config, 'dataDir' | 'defaultPhoneRegion' | 'bodyLimitBytes' | 'importLimitBytes' | 'logLevel'>;
  /** Log output; tests pass false. */
  logger?: boolean;
};

export type Services = { apiKeys: ApiKeys; customers: Customers; loyalty: Loyalty; imports: ImportRunner };

/** Builds the HTTP app and the module services from injected parts; never listens. */
export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services }> {
  const { database, clock, ids, config } = deps;
  const db = database.db;
  const apiKeys = createApiKeys({ db, clock, ids });
  const customers = createCustomers({ db, clock, ids, phoneRegion: config.defaultPhoneRegion });
  const loyalty = createLoyalty({ db, clock, ids, customers, phoneRegion: config.defaultPhoneRegion }, customers.hooks);
  const imports = createImportRunner({
    db,
    clock,
    ids,
    formats: {
      customers: customerCsvFormat({ db, clock, ids, phoneRegion: config.defaultPhoneRegion }) as ImportFormat<unknown>,
      receipts: loyalty.receiptNdjsonFormat as ImportFormat<unknown>,
    },
    dataDir: config.dataDir,
    // In PGlite mode this process owns the data directory, so a "running" import is an orphan.
    staleAfterMs: database.kind === 'pglite' ? 0 : 60_000,
  });

  const app = Fastify({
    bodyLimit: config.bodyLimitBytes,
    logger:
      deps.logger === false
        ? false
        : {
            level: config.logLevel,
            redact: ['req.headers.authorization'],
            serializers: {
              // The query string can hold a phone or an e-mail (lookup): log the path only.
              req: (request) => ({ method: request.method, path: request.url.split('?')[0], id: request.id }),
            },
          },
    ajv: { customOptions: { removeAdditional: false } },
    genReqId: () => ids.next('req'),
    // Errors Fastify raises before routing (a broken %-escape in the URL) get the same problem+json.
    frameworkErrors: (error, _request, rawReply) => {
      const reply = rawReply as unknown as FastifyReply;
      void reply
        .status(400)
        .type('application/problem+json')
        .send({ type: 'https://patron.dev/problems/request.invalid', title: 'The request is not valid', status: 400, code: 'request.invalid', detail: `The URL is not valid: ${error.message}` });
    },
  });
  installValidators(app);
  installJsonParser(app);
  installNulGuard(app);
  installErrorHandling(app);
  installAuth(app, apiKeys);

  app.addSchema(ProblemSchema);
  app.addSchema(Customer);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Patron API',
        version: '0.1.0',
        description: 'Loyalty program and CRM-marketing platform. Errors are application/problem+json with a stable `code`.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' } } },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  platformRoutes(app, { db, apiKeys });
  importRoutes(app, { imports, importLimitBytes: config.importLimitBytes });
  customerRoutes(app, { customers });
  loyaltyRoutes(app, { loyalty, customers });
  app.addHook('onClose', async () => imports.stop());
  return { app, services: { apiKeys, customers, loyalty, imports } };
}
