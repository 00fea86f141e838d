import fastifyCookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { sql } from 'kysely';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { Config } from './config.ts';
import { viewOf, type Database } from './db/database.ts';
import { found } from './platform/errors.ts';
import { clusterRoutes, clustersModule, createClusters, type Clusters } from './modules/clusters/index.ts';
import { analyticsModule, analyticsRoutes, createAnalytics, type Analytics } from './modules/analytics/index.ts';
import { clvModule, clvRoutes, createClv, type Clv } from './modules/clv/index.ts';
import { contactOf, createCustomers, customerRoutes, CustomerSchema, customersModule, grantedSql, memberExceptions, memberFacts, segmentPopulation, type Customers } from './modules/customers/index.ts';
import { createEngagement, engagementModule, engagementRoutes, type Engagement } from './modules/engagement/index.ts';
import { createFiscalReceipts, fiscalReceiptRoutes, fiscalReceiptsModule, type FiscalReceipts } from './modules/fiscal-receipts/index.ts';
import { createGiftCards, giftCardRoutes, giftCardsModule, type GiftCards } from './modules/gift-cards/index.ts';
import { createLotteries, lotteriesModule, lotteryRoutes, type Lotteries } from './modules/lotteries/index.ts';
import { createLoyalty, loyaltyModule, loyaltyRoutes, purchaseFacts, rollupFacts, tillFacts, type Loyalty } from './modules/loyalty/index.ts';
import { createPartners, partnerRoutes, partnersModule, type Partners } from './modules/partners/index.ts';
import { createPromotions, promotionRoutes, promotionsModule, type Promotions } from './modules/promotions/index.ts';
import { createRecommendations, recommendationRoutes, recommendationsModule, type Recommendations } from './modules/recommendations/index.ts';
import { createReferrals, referralRoutes, referralsModule, type Referrals } from './modules/referrals/index.ts';
import { createRewards, rewardRoutes, rewardsModule, type Rewards } from './modules/rewards/index.ts';
import { createSegments, rfmRoutes, segmentRoutes, segmentsModule, type Segments } from './modules/segments/index.ts';
import { createWhatIf, whatIfModule, whatIfRoutes, type WhatIf } from './modules/what-if/index.ts';
import { createFeedback, feedbackModule, feedbackRoutes, type Feedback } from './modules/feedback/index.ts';
import { createSurveys, npsAnswerFacts, surveyPages, surveyRoutes, surveysModule, type Surveys } from './modules/surveys/index.ts';
import { createMessaging, inboundRoutes, messageInteractionFacts, messagingModule, messagingRoutes, topicRoutes, trackingRoutes, type Messaging } from './modules/messaging/index.ts';
import { createTouchpoints, touchpointPages, touchpointRoutes, touchpointsModule, type Touchpoints } from './modules/touchpoints/index.ts';
import { compileOnFirstUse, type SchemaCompilation } from './platform/compile-on-first-use.ts';
import { createApiKeys, type ApiKeys } from './platform/api-keys.ts';
import type { PasswordCost } from './platform/staff/passwords.ts';
import { consoleFiles } from './platform/console/console-files.ts';
import { createStaff, type Staff } from './platform/staff/staff-users.ts';
import { staffRoutes } from './platform/staff/staff.routes.ts';
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
import { createLeases, type Leases } from './platform/leases.ts';
import { loggableError, maskPathSecrets, scrubPersonalData } from './platform/log-safety.ts';
import { namedComponents, refNamedSchemas } from './platform/openapi-names.ts';
import { platformRoutes } from './platform/platform.routes.ts';
import { createRateLimiter, noRateLimits } from './platform/rate-limits.ts';
import { createRegistry, type Registry } from './platform/registry.ts';
import { createStoreScope } from './platform/store-scope.ts';
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
  /** scrypt's cost for staff passwords; tests lower it (hashing at the real cost takes a third of a second). */
  staffPasswordCost?: PasswordCost;
};

export type Services = {
  apiKeys: ApiKeys;
  staff: Staff;
  customers: Customers;
  loyalty: Loyalty;
  promotions: Promotions;
  partners: Partners;
  lotteries: Lotteries;
  referrals: Referrals;
  rewards: Rewards;
  giftCards: GiftCards;
  engagement: Engagement;
  segments: Segments;
  clusters: Clusters;
  analytics: Analytics;
  clv: Clv;
  recommendations: Recommendations;
  whatIf: WhatIf;
  messaging: Messaging;
  touchpoints: Touchpoints;
  feedback: Feedback;
  fiscalReceipts: FiscalReceipts;
  surveys: Surveys;
  imports: ImportRunner;
  registry: Registry;
  leases: Leases;
};

/** Builds the HTTP app and the module services from injected parts; never listens. */
export async function buildApp(deps: AppDeps): Promise<{ app: FastifyInstance; services: Services; schemas: SchemaCompilation }> {
  const { database, clock, ids, config } = deps;
  const db = database.db;
  // Each part gets its own view of the one database (viewOf, inferred from what the part asks
  // for), so a module names only its own tables and the platform's.
  const apiKeys = createApiKeys({ db: viewOf(db), clock, ids });
  const staff = createStaff({ db: viewOf(db), clock, ids, ...(deps.staffPasswordCost ? { passwordCost: deps.staffPasswordCost } : {}) });
  const customers = createCustomers({ db: viewOf(db), clock, ids, phoneRegion: config.defaultPhoneRegion });
  const loyalty = createLoyalty(
    { db: viewOf(db), clock, ids, customers, phoneRegion: config.defaultPhoneRegion, cacheMaxAgeMs: config.checkoutCacheMs },
    customers.hooksFor(loyaltyModule.ownTx),
  );
  const promotions = createPromotions({ db: viewOf(db), clock, ids, cacheMs: config.checkoutCacheMs ?? 1000 }, customers.hooksFor(promotionsModule.ownTx));
  // Rewards are bought with points through loyalty's points port; tiers limit some of them.
  const rewards = createRewards(
    { db: viewOf(db), clock, ids, points: loyalty.points, tierOf: async (customerId) => (await loyalty.balance(customerId)).tier.id },
    customers.hooksFor(rewardsModule.ownTx),
  );
  // A lottery prize with a reward is issued through the rewards module's grant, in the draw's transaction.
  const lotteries = createLotteries({ db: viewOf(db), clock, ids, prizes: rewards });
  const partners = createPartners({ db: viewOf(db), clock, ids, apiKeys, loyalty, cacheMs: config.checkoutCacheMs ?? 1000 });
  // A partner's store earns at the partner's rate; a partner key acts at its partner's stores only.
  loyalty.checkout.storeRates = partners.storeRates;
  const storeScope = createStoreScope();
  storeScope.ownersFrom(partners.ownerOf);
  // Referrals read receipts (read-only) and credit both sides through loyalty's points port.
  const referrals = createReferrals(
    { db: viewOf(db), clock, ids, customers, receipts: loyalty.receiptStanding, points: loyalty.points, log: { error: (obj, msg) => app.log.error(obj, msg) } },
    customers.hooksFor(referralsModule.ownTx),
  );
  // Promotions price receipts as the checkout pipeline's adjuster (discounts before points).
  loyalty.checkout.adjusters.push(promotions.checkoutAdjuster);
  // Gift cards pay what is left after discounts and points, as the checkout's tender; new cards hold the program's currency.
  const giftCards = createGiftCards(
    { db: viewOf(db), clock, ids, currency: async () => (await loyalty.config()).program.body.currency, log: { error: (obj, msg) => app.log.error(obj, msg) } },
    customers.hooksFor(giftCardsModule.ownTx),
  );
  loyalty.checkout.tenders.push(giftCards.checkoutTender);
  // Bonuses for actions and birthday offers: points through loyalty's points port, birthday codes through promotions.
  const engagement = createEngagement({ db: viewOf(db), clock, ids, customers, points: loyalty.points, promotions }, customers.hooksFor(engagementModule.ownTx));
  // Modules bring their event types, id prefixes, error codes and import types; the platform names none.
  const registry = createRegistry();
  // Scheduled jobs and outbox consumers run under leases: of several instances one runs each at a time.
  const leases = createLeases(db);
  registry.register(customersModule, customers);
  registry.register(loyaltyModule, loyalty);
  registry.register(promotionsModule, promotions);
  registry.register(rewardsModule, rewards);
  registry.register(referralsModule, referrals);
  registry.register(partnersModule, partners);
  registry.register(lotteriesModule, lotteries);
  registry.register(giftCardsModule, giftCards);
  registry.register(engagementModule, engagement);
  // Clusters read purchases through loyalty's purchase facts; their `cluster` field must be
  // registered before segments take the registry's fields. A completed run has the segments
  // whose rules name `cluster` recompute (segments exist by the time any run completes).
  const clusters = createClusters({
    db: viewOf(db),
    clock,
    ids,
    facts: purchaseFacts,
    summaries: loyalty.purchaseSummaries,
    onComputed: () => segments.recomputeUsing((key) => key === 'cluster'),
    log: { error: (obj, msg) => app.log.error(obj, msg) },
  });
  registry.register(clustersModule, clusters);
  // Predicted CLV reads purchase days through loyalty's purchase facts; its clv.* fields, like
  // `cluster`, are registered before segments take the fields, and a completed fit has the
  // segments on them recompute.
  const clv = createClv({
    db: viewOf(db),
    clock,
    ids,
    facts: purchaseFacts,
    onComputed: () => segments.recomputeUsing((key) => key.startsWith('clv.')),
    log: { error: (obj, msg) => app.log.error(obj, msg) },
  });
  registry.register(clvModule, clv);
  // Segments compile rules over every module's fields (each module's SQL about one customer);
  // their membership is the checkout's membership provider (segment conditions of rules and promotions).
  const segments = createSegments({
    db: viewOf(db),
    clock,
    ids,
    fields: registry.segmentFields(),
    population: segmentPopulation(),
    purchases: purchaseFacts,
    customers,
    log: { error: (obj, msg) => app.log.error(obj, msg) },
  });
  registry.register(segmentsModule, segments);
  loyalty.checkout.membership = segments.membership;
  // Earning rules and promotions name segments by id: a save naming one that is not there is
  // refused, and so is a delete of one still named (segment-references.ts: race-free on PostgreSQL).
  loyalty.references.segments = segments.references.check;
  promotions.references.segments = segments.references.check;
  segments.references.usedBy.push(loyalty.rulesNamingSegment, promotions.promotionsNamingSegment);
  customers.extendView(async (customerId) => ({
    segments: await segments.segmentsOf(customerId),
    rfm: await segments.rfm.ofCustomer(customerId),
    cluster: await clusters.clusterOf(customerId),
    clv: await clv.ofCustomer(customerId),
  }));
  // Next best offers read purchases through loyalty's purchase facts, and product names from its catalog.
  const recommendations = createRecommendations({ db: viewOf(db), clock, ids, productNames: loyalty.products.names, log: { error: (obj, msg) => app.log.error(obj, msg) } });
  registry.register(recommendationsModule, recommendations);
  // Analytics reads every module's facts as the SQL they hand out, never their tables.
  const analytics = createAnalytics({
    db: viewOf(db),
    clock,
    ids,
    sources: {
      till: tillFacts,
      rollups: { facts: rollupFacts, forReport: loyalty.rollups.forReport, cohortGrid: loyalty.rollups.cohortGrid },
      purchases: purchaseFacts,
      points: loyalty.pointsLedger,
      members: memberFacts(),
      memberExceptions,
      segmentMembers: segments.membershipFacts(),
      clusterMembers: clusters.members(),
      customerEvents: engagement.eventFacts(),
      messageInteractions: messageInteractionFacts(),
      npsAnswers: npsAnswerFacts(),
      known: { store: (id) => found(loyalty.stores.get(id)), segment: (id) => found(segments.get(id)) },
    },
    log: { error: (obj, msg) => app.log.error(obj, msg) },
  });
  registry.register(analyticsModule, analytics);
  // What-if replays run loyalty's pipeline over its receipts (loyalty.whatIf), promotions giving their changed set.
  const whatIf = createWhatIf({ db: viewOf(db), clock, ids, loyalty, promotions, log: { error: (obj, msg) => app.log.error(obj, msg) } });
  registry.register(whatIfModule, whatIf);
  // Surveys: answers are stored on the customer (merge moves them, erase drops free texts); links
  // are signed per customer under messaging's public address (its policy's publicUrl), and
  // messages carry them through the survey_url template filter.
  const surveys = createSurveys(
    {
      db: viewOf(db),
      clock,
      ids,
      publicUrl: async () => (await messaging.policy.get()).publicUrl,
      currentCustomer: async (customerId) => {
        const records = await customers.currentRecords([customerId]);
        return [...records.values()][0]?.id ?? null;
      },
    },
    customers.hooksFor(surveysModule.ownTx),
  );
  registry.register(surveysModule, surveys);
  // Messaging renders templates over customers' profiles and loyalty's balances, and sends only
  // with the consent customers hold; webhooks carry every module's events.
  const messaging = createMessaging({
    wakeJob: (name) => registry.wakeJob(name),
    // A campaign's start takes its audience in ranges at once on PostgreSQL's pool; PGlite has one connection.
    separateConnections: database.kind === 'postgres',
    db: viewOf(db),
    clock,
    ids,
    sources: {
      customers: (customerIds) => customers.getMany(customerIds, false),
      async account(customerId) {
        const balance = await loyalty.balance(customerId);
        const next = balance.tier.progress.next;
        return {
          available: balance.available,
          pendingPoints: balance.pendingPoints,
          expiring: balance.expiring ? [balance.expiring] : [],
          tier: {
            id: balance.tier.id,
            name: balance.tier.name,
            next: next ? { name: next.name, remaining: next.remaining, metric: balance.tier.progress.metric === 'spend' ? 'spend' : 'points' } : null,
          },
        };
      },
      currency: async () => (await loyalty.config()).program.body.currency,
    },
    consented: (customerIds, channel) => customers.grantedNow(customerIds, channel, 'marketing'),
    // The topics are messaging's; what each customer chose on them is kept by customers, as consents are.
    topicChoices: {
      current: (customerIds, topics) => customers.currentTopicChoices(customerIds, topics),
      load: (customerId, masked) => customers.topicChoices(customerId, masked),
      set: (customerId, inputs, actor) => customers.setTopicChoices(customerId, inputs, actor),
    },
    contacts: { of: contactOf, granted: grantedSql },
    eventTypes: () => registry.eventTypes(),
    segments: {
      exists: async (segmentId) => (await segments.get(segmentId).catch(() => null)) !== null,
      members: (segmentId) => sql`select m.customer_id from (${segments.membershipFacts()}) m where m.segment_id = ${segmentId}`,
    },
    purchaseReceipts: purchaseFacts.receipts,
    resolveCustomers: (kind, values) => customers.resolveList(kind, values),
    withdrawConsent: async (customerId, channel, messageId, cause = 'unsubscribe') => {
      // An unsubscribe link the customer followed, or a spam complaint their mailbox provider reported.
      const [source, textVersion, name] = cause === 'complaint' ? (['api', `spam complaint about ${messageId}`, 'spam complaint'] as const) : (['web', `unsubscribe link of ${messageId}`, 'unsubscribe link'] as const);
      await customers.setConsents(customerId, [{ channel, purpose: 'marketing', granted: false, source, evidence: { textVersion } }], { keyId: null, name, role: null }, { onlyChanges: true });
    },
    // Templates link surveys with survey_url: a save naming no survey is refused; each message carries its customer's signed link.
    surveyLinks: surveys.templateLinks,
    promotionExists: async (promotionId) => (await promotions.promotions.get(promotionId).catch(() => null)) !== null,
    journeyActions: {
      // The step's record joins the points' transaction: both land, or neither.
      award: (customerId, points, reference, reason, claim) =>
        loyalty.points.transaction(customerId, async (tx, current) => {
          if (!(await claim(tx))) return false;
          await loyalty.points.award(tx, { customerId: current, points, reference, reason, actor: 'journey' });
          return true;
        }),
      issueCode: (tx, input) => promotions.codes.issuePersonal(tx, input),
      async tag(customerId, tag) {
        const record = await customers.get(customerId, false);
        if (!record.tags.includes(tag)) await customers.update(customerId, { tags: [...record.tags, tag] }, { keyId: null, name: 'journey', role: null });
      },
    },
    log: { error: (obj, msg) => app.log.error(obj, msg) },
  });
  // Economics' ROI: what campaigns and journeys added against their control groups, as messaging measures it.
  analytics.uplift.push((period) => messaging.measuredExperiments(period));
  registry.register(messagingModule, messaging);
  // Messaging's fields (messages opened, topics) join the segments made before it.
  segments.addFields(registry.segmentFields());
  const messagingHooks = customers.hooksFor(messagingModule.ownTx);
  messagingHooks.onErase.push((tx, customerIds) => messaging.eraseCustomer(tx, customerIds));
  messagingHooks.onMerge.push((tx, fromId, intoId) => messaging.mergeCustomer(tx, fromId, intoId));
  // The feedback inbox: tickets name customers (merge moves them, erase blanks their words); support's replies go out as messaging's service e-mails.
  const feedback = createFeedback(
    { db: viewOf(db), clock, ids, customers, messaging, log: { error: (obj, msg) => app.log.error(obj, msg) } },
    customers.hooksFor(feedbackModule.ownTx),
  );
  registry.register(feedbackModule, feedback);
  // Fiscal receipts earn through loyalty's historical receipts, in the job's transaction with their status.
  const fiscalReceipts = createFiscalReceipts({ db: viewOf(db), clock, ids, customers, loyalty }, customers.hooksFor(fiscalReceiptsModule.ownTx));
  registry.register(fiscalReceiptsModule, fiscalReceipts);
  // The pages customers meet: the join form creates customers, sends codes through messaging's
  // SMS channel, and the account page shows loyalty's points.
  const touchpoints = createTouchpoints({
    db: viewOf(db),
    clock,
    ids,
    phoneRegion: config.defaultPhoneRegion,
    customers,
    loyalty,
    messaging,
    feedback,
    fiscalReceipts,
    referrals,
    promotions,
    segmentsOf: async (customerId) => (await segments.segmentsOf(customerId)).map((segment) => segment.id),
    currency: async () => (await loyalty.config()).program.body.currency,
  });
  registry.register(touchpointsModule, touchpoints);
  const touchpointHooks = customers.hooksFor(touchpointsModule.ownTx);
  touchpointHooks.onErase.push((tx, customerIds) => touchpoints.eraseCustomers(tx, customerIds));
  touchpointHooks.onMerge.push((tx, fromId, intoId) => touchpoints.mergeCustomer(tx, fromId, intoId));
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

  const schemas = compileOnFirstUse();
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
              // The query string can hold a phone or an e-mail (lookup): log the path only, with a gift card's or reward's code masked.
              req: (request) => ({ method: request.method, path: maskPathSecrets(request.url.split('?')[0] ?? ''), id: request.id }),
              err: (error) => loggableError(error),
            },
            hooks: { streamWrite: scrubPersonalData },
          },
    // Behind a reverse proxy the per-address limits need the client's address, not the proxy's.
    trustProxy: config.trustProxy ?? false,
    // A survey link's token (survey id, customer id and signature) is about 110 characters.
    routerOptions: { maxParamLength: 200 },
    clientErrorHandler,
    ajv: { customOptions: { removeAdditional: false } },
    // Serializers (and, in installValidators, validators) are compiled when a route first needs them.
    schemaController: schemas.schemaController,
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
  installValidators(app, schemas);
  installJsonParser(app);
  installNulGuard(app);
  installErrorHandling(app);
  // Cookies are parsed for every route: the console's session and the customer pages' ones.
  await app.register(fastifyCookie);
  installAuth(app, apiKeys, limiter, staff);

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
  staffRoutes(app, { staff, limiter });
  // The marketers' console: a single-page app over this same API (web/, built into web/dist).
  await consoleFiles(app);
  importRoutes(app, { imports, types: registry.importTypes(), importLimitBytes: config.importLimitBytes });
  jobRoutes(app, { jobs: registry.jobs(), leases });
  customerRoutes(app, { customers });
  loyaltyRoutes(app, { loyalty, customers, storeScope });
  promotionRoutes(app, { promotions, customers });
  rewardRoutes(app, { rewards, customers });
  referralRoutes(app, { referrals });
  partnerRoutes(app, { partners });
  lotteryRoutes(app, { lotteries, customers });
  giftCardRoutes(app, { giftCards, customers });
  engagementRoutes(app, { engagement, customers });
  segmentRoutes(app, { segments });
  rfmRoutes(app, { segments });
  clusterRoutes(app, { clusters });
  clvRoutes(app, { clv });
  recommendationRoutes(app, { recommendations, customers });
  analyticsRoutes(app, { analytics });
  whatIfRoutes(app, { whatIf });
  messagingRoutes(app, { messaging, customers });
  trackingRoutes(app, { messaging });
  topicRoutes(app, { messaging, customers });
  inboundRoutes(app, { messaging, customers });
  touchpointRoutes(app, { touchpoints });
  touchpointPages(app, { touchpoints });
  feedbackRoutes(app, { feedback, customers });
  fiscalReceiptRoutes(app, { fiscalReceipts });
  surveyRoutes(app, { surveys, customers });
  // The survey pages sign their forms with the customer pages' secret and show the program's name.
  surveyPages(app, {
    surveys, brand: touchpoints.programName, secret: touchpoints.secret, now: touchpoints.now,
    customerLocale: async (customerId) => (await customers.getMany([customerId], false))[0]?.locale ?? null,
  });
  app.addHook('onClose', async () => {
    // Pooled SMTP connections and other transports say goodbye, so a relay is not left waiting.
    await messaging.close();
    await imports.stop();
    await promotions.batches.stop();
    await giftCards.batches.stop();
    await segments.recomputes.stop();
    await segments.rfm.stop();
    await clusters.runs.stop();
    await clv.runs.stop();
    await recommendations.runs.stop();
    await whatIf.runs.stop();
  });
  return { app, schemas, services: { apiKeys, staff, customers, loyalty, promotions, partners, lotteries, referrals, rewards, giftCards, engagement, segments, clusters, clv, recommendations, analytics, whatIf, messaging, touchpoints, feedback, fiscalReceipts, surveys, imports, registry, leases } };
}
