import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { platformError } from '../../platform/errors.ts';
import { actorOf } from '../../platform/http.ts';
import { applyMergePatch, checkMerged, mergePatchMediaTypes } from '../../platform/merge-patch.ts';
import { authErrors, errorResponses } from '../../platform/schemas.ts';
import type { CampaignInput } from './campaigns.ts';
import type { ChannelInput } from './channel-store.ts';
import type { ContactPolicy } from './contact-policy.ts';
import type { Messaging } from './index.ts';
import {
  JourneyCreate, JourneyEntryPage, JourneyEntryQuery, JourneyListQuery, JourneyPage, JourneyParams, JourneyPatch, JourneyReportQuery, JourneyReportSchema, JourneySchema, RecipeList, RecipeListQuery, RecipeParams, RecipeRequest,
  AudienceUploadSchema, CampaignCreate, CampaignListQuery, CampaignPage, CampaignParams, CampaignPatch, CampaignReportSchema, CampaignSchema,
  ChannelCreate, ChannelListQuery, ChannelPage, ChannelParams, ChannelPatch, ChannelSchema, ContactPolicySchema, CustomerMessagesParams, CustomerMessagesQuery, MessageParams, ResendHeaders,
  DeliveryListQuery, DeliveryPage, DeliveryParams, DeliverySchema, DraftPreviewRequest, DraftPreviewSchema, MessagePage, PreviewRequest, PreviewSchema, PushSubscriptionRequest, PushSubscriptionSchema,
  TemplateCreate, TemplateListQuery, TemplatePage, TemplateParams, TemplatePatch, TemplateSchema, TemplateVersionPage, TestSendRequest, MessageSchema,
  WebhookCreate, WebhookCreated, WebhookListQuery, WebhookPage, WebhookParams, WebhookPatch, WebhookSchema,
} from './messaging.schemas.ts';
import type { JourneyInput } from './journeys.ts';
import type { TemplateInput } from './template-store.ts';
import type { WebhookInput } from './webhooks.ts';

const tags = ['messaging'];

/** The customers' side messaging needs: resolving an id (a merged one's survivor), as GET /v1/customers/{id} does. */
export type CustomerIds = { resolveId: (id: string) => Promise<string> };

export function messagingRoutes(app: FastifyInstance, { messaging, customers }: { messaging: Messaging; customers: CustomerIds }): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.post('/v1/channels', {
    config: { permission: 'channels:manage' },
    schema: {
      tags,
      summary: 'Set up a channel: the SMTP relay, SMS gateway, VAPID keys or Telegram bot a kind of message goes out through',
      body: ChannelCreate,
      response: { 201: ChannelSchema, ...errorResponses(400, ...authErrors, 409, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.channels.create(request.body as ChannelInput, actorOf(request))),
  });
  r.get('/v1/channels', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'Channels, by id (secrets never shown)', querystring: ChannelListQuery, response: { 200: ChannelPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.channels.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/channels/:id', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'A channel (secrets never shown; secretsSet names those that hold a value)', params: ChannelParams, response: { 200: ChannelSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.channels.get(request.params.id),
  });
  r.patch('/v1/channels/:id', {
    config: { permission: 'channels:manage' },
    schema: {
      tags,
      summary: 'Change a channel (JSON merge patch): a secret left out keeps its value; active false switches it off',
      consumes: mergePatchMediaTypes,
      params: ChannelParams,
      body: ChannelPatch,
      response: { 200: ChannelSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, createdAt: _c, updatedAt: _u, secretsSet: _s, ...current } = await messaging.channels.get(request.params.id);
      const merged = checkMerged<ChannelInput>(ChannelCreate, applyMergePatch(current, request.body));
      return messaging.channels.replace(id, merged, actorOf(request));
    },
  });
  r.delete('/v1/channels/:id', {
    config: { permission: 'channels:manage' },
    schema: { tags, summary: 'Delete a channel; answers it as it was (queued messages of its kind wait for another)', params: ChannelParams, response: { 200: ChannelSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.channels.remove(request.params.id, actorOf(request)),
  });

  r.get('/v1/messaging/policy', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'The contact policy: frequency caps, quiet hours, the default zone and language', response: { 200: ContactPolicySchema, ...errorResponses(...authErrors) } },
    handler: async () => messaging.policy.get(),
  });
  r.put('/v1/messaging/policy', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Replace the contact policy (send back what GET answered, changed)',
      body: ContactPolicySchema,
      response: { 200: ContactPolicySchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request) => messaging.policy.put(request.body as ContactPolicy, actorOf(request)),
  });

  r.post('/v1/templates', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Save a message template (Liquid): refused when a part does not parse or names a variable or filter that does not exist',
      body: TemplateCreate,
      response: { 201: TemplateSchema, ...errorResponses(400, ...authErrors, 409, 413, 415, 422) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.templates.create(request.body as TemplateInput, actorOf(request))),
  });
  r.get('/v1/templates', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'Templates, by id', querystring: TemplateListQuery, response: { 200: TemplatePage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.templates.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/templates/:id', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'A template at its current version', params: TemplateParams, response: { 200: TemplateSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.templates.get(request.params.id),
  });
  r.patch('/v1/templates/:id', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Change a template (JSON merge patch): changed parts make a new version; messages already queued keep their text',
      consumes: mergePatchMediaTypes,
      params: TemplateParams,
      body: TemplatePatch,
      response: { 200: TemplateSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415, 422) },
    },
    handler: async (request) => {
      const { id, version: _v, createdAt: _c, updatedAt: _u, ...current } = await messaging.templates.get(request.params.id);
      const merged = checkMerged<TemplateInput>(TemplateCreate, applyMergePatch(current, request.body));
      return messaging.templates.replace(id, merged, actorOf(request));
    },
  });
  r.delete('/v1/templates/:id', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Delete a template and its versions; answers it as it was (sent messages keep their text)', params: TemplateParams, response: { 200: TemplateSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.templates.remove(request.params.id, actorOf(request)),
  });
  r.get('/v1/templates/:id/versions', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: "A template's saved versions, newest first", params: TemplateParams, querystring: TemplateListQuery, response: { 200: TemplateVersionPage, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.templates.versions(request.params.id, request.query.limit ?? 50, request.query.cursor),
  });
  r.post('/v1/templates/preview', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Render an unsaved template (the fields of creating one, plus a customer) as a saved one renders: checked as saving checks it, nothing written or sent',
      body: DraftPreviewRequest,
      response: { 200: DraftPreviewSchema, ...errorResponses(400, ...authErrors, 404, 413, 415, 422) },
    },
    handler: async (request) => messaging.previewDraft({ kind: request.body.kind, parts: request.body.parts, customerId: await customers.resolveId(request.body.customerId) }),
  });
  r.post('/v1/templates/:id/preview', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Render a template for a real customer (their balance, tier, expiring points) without sending anything',
      params: TemplateParams,
      body: PreviewRequest,
      response: { 200: PreviewSchema, ...errorResponses(400, ...authErrors, 404, 413, 415, 422) },
    },
    handler: async (request) => messaging.preview(request.params.id, { customerId: await customers.resolveId(request.body.customerId), ...(request.body.version ? { version: request.body.version } : {}) }),
  });
  r.post('/v1/templates/:id/test', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Send a template once, rendered for a customer, to them or to the address in `to` (a test send: no consent or cap applies)',
      params: TemplateParams,
      body: TestSendRequest,
      response: { 202: MessageSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415, 422) },
    },
    handler: async (request, reply) => {
      const customerId = await customers.resolveId(request.body.customerId);
      const sent = await messaging.testSend(request.params.id, { customerId, ...(request.body.to ? { to: request.body.to } : {}), ...(request.body.version ? { version: request.body.version } : {}) }, actorOf(request));
      return reply.status(202).send(sent);
    },
  });

  r.get('/v1/customers/:id/messages', {
    config: { permission: 'messages:read' },
    schema: {
      tags,
      summary: "A customer's messages, newest first, each with its status history",
      params: CustomerMessagesParams,
      querystring: CustomerMessagesQuery,
      response: { 200: MessagePage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => messaging.customerMessages(await customers.resolveId(request.params.id), { limit: request.query.limit ?? 50, ...(request.query.cursor ? { cursor: request.query.cursor } : {}) }),
  });

  r.post('/v1/messages/:id/resend', {
    config: { permission: 'messages:resend' },
    schema: {
      tags,
      summary: "Send a message again, with the same text, to the customer's address of now (a code that never arrived)",
      description:
        'The text is the first message\'s, so a promo code or voucher in it is the same code, not a new one. It keeps the first message\'s purpose: consent, caps and quiet hours apply as they did. Test sends and messages without text (skipped, or their customer erased) cannot be sent again. A retry with the same Idempotency-Key answers the same resend (200) and queues nothing more.',
      params: MessageParams,
      headers: ResendHeaders,
      response: { 201: MessageSchema, 200: MessageSchema, ...errorResponses(400, ...authErrors, 404, 409, 422) },
    },
    handler: async (request, reply) => {
      const { message, replayed } = await messaging.resend(request.params.id, actorOf(request), request.headers['idempotency-key']);
      return reply.status(replayed ? 200 : 201).send(message);
    },
  });

  r.post('/v1/push/subscriptions', {
    config: { permission: 'push:subscribe' },
    schema: {
      tags,
      summary: "Save a browser's web push subscription for a customer (the site or app backend sends what PushManager.subscribe() gave)",
      body: PushSubscriptionRequest,
      response: { 201: PushSubscriptionSchema, 200: PushSubscriptionSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request, reply) => {
      const customerId = await customers.resolveId(request.body.customerId);
      const { subscription, created } = await messaging.push.subscribe({ ...request.body, customerId });
      return reply.status(created ? 201 : 200).send(subscription);
    },
  });

  r.post('/v1/campaigns', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Create a campaign (a draft): audience, variants with channels in fallback order, schedule, throttle, holdout control group',
      body: CampaignCreate,
      response: { 201: CampaignSchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.campaigns.create(request.body as CampaignInput, actorOf(request))),
  });
  r.get('/v1/campaigns', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'Campaigns, newest first, with their progress', querystring: CampaignListQuery, response: { 200: CampaignPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.campaigns.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/campaigns/:id', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'A campaign with its progress', params: CampaignParams, response: { 200: CampaignSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.campaigns.get(request.params.id),
  });
  r.patch('/v1/campaigns/:id', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Change a draft campaign (JSON merge patch); a list audience sent again replaces the list',
      consumes: mergePatchMediaTypes,
      params: CampaignParams,
      body: CampaignPatch,
      response: { 200: CampaignSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const current = await messaging.campaigns.get(request.params.id);
      const base = {
        name: current.name,
        audience: current.audience.kind === 'segment' ? { kind: 'segment', segmentId: current.audience.segmentId } : { kind: 'list', customerIds: [] },
        variants: current.variants.map((v) => ({ key: v.key, weightBp: v.weightBp, steps: v.steps.map((s) => ({ templateId: s.templateId })) })),
        schedule: current.schedule,
        throttlePerMinute: current.throttlePerMinute,
        controlShareBp: current.controlShareBp,
        attributionDays: current.attributionDays,
      };
      const merged = checkMerged<CampaignInput>(CampaignCreate, applyMergePatch(base, request.body));
      return messaging.campaigns.replace(current.id, merged, actorOf(request));
    },
  });
  r.delete('/v1/campaigns/:id', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Delete a draft, completed or cancelled campaign with its messages\' links; answers it as it was', params: CampaignParams, response: { 200: CampaignSchema, ...errorResponses(400, ...authErrors, 404, 409) } },
    handler: async (request) => messaging.campaigns.remove(request.params.id, actorOf(request)),
  });
  for (const [action, summary] of [
    ['start', 'Start a draft: it takes its audience and sends when its schedule says (the templates\' versions are fixed now)'],
    ['pause', 'Pause: queued messages are held until it resumes'],
    ['resume', 'Resume a paused campaign'],
    ['cancel', 'Cancel: messages not yet sent are dropped; what was sent stays in the report'],
  ] as const) {
    r.post(`/v1/campaigns/:id/${action}`, {
      config: { permission: 'messaging:write' },
      schema: { tags, summary, params: CampaignParams, response: { 200: CampaignSchema, ...errorResponses(400, ...authErrors, 404, 409) } },
      handler: async (request) => messaging.campaigns[action](request.params.id, actorOf(request)),
    });
  }
  // The audience file streams in: its own scope takes text/csv as a stream, read a batch at a time.
  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload));
    scope.withTypeProvider<TypeBoxTypeProvider>().put('/v1/campaigns/:id/audience', {
      config: { permission: 'messaging:write' },
      schema: {
        tags,
        summary: "Replace a draft campaign's audience with the customers a CSV file names: a header naming customerId, phone, email or cardNumber, then one customer a row; answers rows matched, unknown, duplicate and invalid, with their lines",
        consumes: ['text/csv'],
        params: CampaignParams,
        response: { 200: AudienceUploadSchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
      },
      handler: async (request) => {
        if (!(request.body instanceof Readable)) throw platformError('request.unsupported_media_type', 'Send the audience as the body with Content-Type: text/csv');
        return messaging.uploadAudience(request.params.id, request.body, actorOf(request));
      },
    });
  });
  r.get('/v1/campaigns/:id/report', {
    config: { permission: 'messaging:read' },
    schema: {
      tags,
      summary: "A campaign's results: each arm's sends and purchases in the attribution window, each variant against the control (uplift, 95 % intervals, p-values, SRM check) and the verdict in words",
      params: CampaignParams,
      response: { 200: CampaignReportSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => messaging.campaignReport(request.params.id),
  });

  r.post('/v1/journeys', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Create a journey (a draft): a trigger, then steps — wait, condition, send, award points, personal code, tag, webhook, exit',
      body: JourneyCreate,
      response: { 201: JourneySchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.journeys.create(request.body as JourneyInput, actorOf(request))),
  });
  r.get('/v1/journeys', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'Journeys, by id', querystring: JourneyListQuery, response: { 200: JourneyPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.journeys.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/journey-recipes', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'Ready-made journeys: welcome series, birthday greeting, points-expiry reminder, win-back, post-purchase NPS, tier upgrade', querystring: RecipeListQuery, response: { 200: RecipeList, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.journeys.recipes(request.query.limit ?? 50, request.query.cursor),
  });
  r.post('/v1/journey-recipes/:name', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Make a ready-made journey: its e-mail templates and the journey as a draft, to read, change and switch on',
      params: RecipeParams,
      body: RecipeRequest,
      response: { 201: JourneySchema, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => {
      const options = { ...(request.body.language ? { language: request.body.language } : {}), ...(request.body.promotionId ? { promotionId: request.body.promotionId } : {}), ...(request.body.surveyId ? { surveyId: request.body.surveyId } : {}) };
      return reply.status(201).send(await messaging.journeys.fromRecipe(request.params.name, options, actorOf(request)));
    },
  });
  r.get('/v1/journeys/:id', {
    config: { permission: 'messaging:read' },
    schema: { tags, summary: 'A journey at its current version', params: JourneyParams, response: { 200: JourneySchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.journeys.get(request.params.id),
  });
  r.patch('/v1/journeys/:id', {
    config: { permission: 'messaging:write' },
    schema: {
      tags,
      summary: 'Change a journey (JSON merge patch; steps replace as a whole): a new version for those who enter from now on',
      consumes: mergePatchMediaTypes,
      params: JourneyParams,
      body: JourneyPatch,
      response: { 200: JourneySchema, ...errorResponses(400, ...authErrors, 404, 409, 413, 415) },
    },
    handler: async (request) => {
      const { id, status: _s, version: _v, createdAt: _c, updatedAt: _u, ...current } = await messaging.journeys.get(request.params.id);
      const merged = checkMerged<JourneyInput>(JourneyCreate, applyMergePatch(current, request.body));
      return messaging.journeys.replace(id, merged, actorOf(request));
    },
  });
  r.delete('/v1/journeys/:id', {
    config: { permission: 'messaging:write' },
    schema: { tags, summary: 'Delete a journey that is not active, with its entries; answers it as it was', params: JourneyParams, response: { 200: JourneySchema, ...errorResponses(400, ...authErrors, 404, 409) } },
    handler: async (request) => messaging.journeys.remove(request.params.id, actorOf(request)),
  });
  for (const [action, summary] of [
    ['activate', 'Switch a journey on: customers enter on its trigger from now'],
    ['pause', 'Pause: no one enters, and those inside wait where they are'],
    ['archive', 'Archive: no one enters, and those inside leave at their next step'],
  ] as const) {
    r.post(`/v1/journeys/:id/${action}`, {
      config: { permission: 'messaging:write' },
      schema: { tags, summary, params: JourneyParams, response: { 200: JourneySchema, ...errorResponses(400, ...authErrors, 404, 409) } },
      handler: async (request) => messaging.journeys[action](request.params.id, actorOf(request)),
    });
  }
  r.get('/v1/journeys/:id/entries', {
    config: { permission: 'messaging:read' },
    schema: {
      tags,
      summary: "A journey's entries, newest first: who is where, their arm, and each step they took",
      params: JourneyParams,
      querystring: JourneyEntryQuery,
      response: { 200: JourneyEntryPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) =>
      messaging.journeys.entries(request.params.id, { limit: request.query.limit ?? 50, ...(request.query.cursor ? { cursor: request.query.cursor } : {}), ...(request.query.status ? { status: request.query.status } : {}) }),
  });
  r.get('/v1/journeys/:id/report', {
    config: { permission: 'messaging:read' },
    schema: {
      tags,
      summary: "A journey's results: each arm's entrants, sends and purchases after entering, the journey against its control group (uplift, 95 % intervals, p-values, SRM check) and the verdict in words",
      params: JourneyParams,
      querystring: JourneyReportQuery,
      response: { 200: JourneyReportSchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => messaging.journeyReport(request.params.id, request.query),
  });

  r.post('/v1/webhooks', {
    config: { permission: 'webhooks:manage' },
    schema: {
      tags,
      summary: 'Subscribe a URL to events: each is POSTed as signed JSON (Patron-Signature), retried until the endpoint takes it',
      body: WebhookCreate,
      response: { 201: WebhookCreated, ...errorResponses(400, ...authErrors, 413, 415) },
    },
    handler: async (request, reply) => reply.status(201).send(await messaging.webhooks.create(request.body as WebhookInput, actorOf(request))),
  });
  r.get('/v1/webhooks', {
    config: { permission: 'webhooks:manage' },
    schema: { tags, summary: 'Webhooks, by id', querystring: WebhookListQuery, response: { 200: WebhookPage, ...errorResponses(400, ...authErrors) } },
    handler: async (request) => messaging.webhooks.list(request.query.limit ?? 50, request.query.cursor),
  });
  r.get('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: { tags, summary: 'A webhook', params: WebhookParams, response: { 200: WebhookSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.webhooks.get(request.params.id),
  });
  r.patch('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: {
      tags,
      summary: 'Change a webhook (JSON merge patch): its URL, its event types, switch it off',
      consumes: mergePatchMediaTypes,
      params: WebhookParams,
      body: WebhookPatch,
      response: { 200: WebhookSchema, ...errorResponses(400, ...authErrors, 404, 413, 415) },
    },
    handler: async (request) => {
      const { id, secretHint: _h, createdAt: _c, updatedAt: _u, ...current } = await messaging.webhooks.get(request.params.id);
      const merged = checkMerged<WebhookInput>(WebhookCreate, applyMergePatch(current, request.body));
      return messaging.webhooks.replace(id, merged, actorOf(request));
    },
  });
  r.delete('/v1/webhooks/:id', {
    config: { permission: 'webhooks:manage' },
    schema: { tags, summary: 'Delete a webhook and its delivery log; answers it as it was', params: WebhookParams, response: { 200: WebhookSchema, ...errorResponses(400, ...authErrors, 404) } },
    handler: async (request) => messaging.webhooks.remove(request.params.id, actorOf(request)),
  });
  r.get('/v1/webhooks/:id/deliveries', {
    config: { permission: 'webhooks:manage' },
    schema: {
      tags,
      summary: "A webhook's delivery log, newest first: each event's attempts and the endpoint's last answer",
      params: WebhookParams,
      querystring: DeliveryListQuery,
      response: { 200: DeliveryPage, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) =>
      messaging.webhooks.deliveries(request.params.id, { limit: request.query.limit ?? 50, ...(request.query.cursor ? { cursor: request.query.cursor } : {}), ...(request.query.status ? { status: request.query.status } : {}) }),
  });
  r.post('/v1/webhooks/:id/deliveries/:deliveryId/retry', {
    config: { permission: 'webhooks:manage' },
    schema: {
      tags,
      summary: 'Deliver a failed event again now (the endpoint fixed); a delivered one is answered as it is',
      params: DeliveryParams,
      response: { 200: DeliverySchema, ...errorResponses(400, ...authErrors, 404) },
    },
    handler: async (request) => messaging.webhooks.redeliver(request.params.id, request.params.deliveryId, actorOf(request)),
  });
}
