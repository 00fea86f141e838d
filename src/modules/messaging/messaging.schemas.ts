import { Type, type TSchema } from 'typebox';
import { mergePatchSchema } from '../../platform/merge-patch.ts';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { messagingIds } from './messaging.ids.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Kind = StringEnum(['email', 'sms', 'push', 'telegram'] as const, { description: 'The kind of message' });
const Purpose = StringEnum(['marketing', 'service'] as const, {
  description: 'marketing: needs the channel\'s marketing consent and counts toward the caps and quiet hours; service: a code, a receipt, a change of terms',
});
const Timestamp = Type.String({ description: 'ISO 8601, UTC' });
const listQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
const idParams = (prefix: 'chn' | 'tpl' | 'whk', what: string) => Type.Object({ id: Type.String({ pattern: messagingIds.pattern(prefix), description: `${prefix}_… id of the ${what}` }) });

// Channels
export const ChannelCreate = named('ChannelCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  kind: Kind,
  config: Type.Object({}, {
    additionalProperties: true,
    description: 'The provider settings of the kind: EmailChannelConfig (SMTP), SmsChannelConfig (an HTTP gateway by preset), PushChannelConfig (VAPID), TelegramChannelConfig (a bot); see docs/messaging.md',
  }),
  active: Type.Optional(Type.Boolean({ description: 'The one active channel of a kind carries its messages; default true' })),
}, { additionalProperties: false }));
export const ChannelSchema = named('Channel', Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Kind,
  active: Type.Boolean(),
  config: Type.Object({}, { additionalProperties: true, description: 'The settings without their secrets' }),
  secretsSet: Type.Array(Type.String(), { description: 'The secret settings that hold a value (never answered); a change leaving one out keeps it' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}));
export const ChannelPatch = mergePatchSchema('ChannelPatch', ChannelCreate);
export const ChannelParams = idParams('chn', 'channel');
export const ChannelListQuery = listQuery;
export const ChannelPage = PageOf('ChannelPage', ChannelSchema);

// Contact policy
export const FrequencyCapSchema = Type.Object({
  kind: Nullable(Kind),
  max: Type.Integer({ minimum: 0, maximum: 1000, description: 'Marketing messages at most' }),
  days: Type.Integer({ minimum: 1, maximum: 90, description: 'In this many days, a sliding window' }),
}, { additionalProperties: false, description: 'At most `max` marketing messages in `days` days, of one kind or (kind null) of all kinds together' });
export const ContactPolicySchema = named('ContactPolicy', Type.Object({
  caps: Type.Array(FrequencyCapSchema, { maxItems: 20 }),
  quietHours: Nullable(Type.Object({
    from: Type.String({ description: 'Local time HH:MM the quiet starts' }),
    to: Type.String({ description: 'Local time HH:MM it ends (the next morning when earlier than from)' }),
  }, { additionalProperties: false })),
  defaultTimezone: Type.String({ maxLength: 64, description: 'The zone of customers who have none' }),
  defaultLocale: Type.String({ maxLength: 10, description: 'The language of customers who have none (ru, en)' }),
  programName: Type.String({ minLength: 1, maxLength: 100, description: 'program.name in templates' }),
  publicUrl: Type.String({ minLength: 8, maxLength: 300, description: 'This server as customers reach it: the base of tracking and unsubscribe links in messages' }),
}, { additionalProperties: false }));

// Templates
const Parts = Type.Record(Type.String({ maxLength: 20 }), Type.String({ maxLength: 200_000 }), {
  description: 'Liquid source of each part: email subject, text, html (optional); sms text; push title, body, url (optional); telegram text',
});
export const TemplateCreate = named('TemplateCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: Kind,
  purpose: Purpose,
  topic: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 60, description: 'The key of a subscription topic (GET /v1/messaging/topics) the preference centre lets customers leave; marketing messages of the template are skipped for customers who left it' }))),
  parts: Parts,
}, { additionalProperties: false }));
export const TemplateSchema = named('Template', Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Kind,
  purpose: Purpose,
  topic: Nullable(Type.String()),
  version: Type.Integer({ description: 'Goes up by one each time the parts change' }),
  parts: Parts,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}));
export const TemplatePatch = mergePatchSchema('TemplatePatch', TemplateCreate);
export const TemplateParams = idParams('tpl', 'template');
export const TemplateListQuery = listQuery;
export const TemplatePage = PageOf('TemplatePage', TemplateSchema);
export const TemplateVersionSchema = named('TemplateVersion', Type.Object({ version: Type.Integer(), parts: Parts, createdAt: Timestamp, createdBy: Nullable(Type.String()) }));
export const TemplateVersionPage = PageOf('TemplateVersionPage', TemplateVersionSchema);
export const PreviewRequest = named('TemplatePreviewRequest', Type.Object({
  customerId: Type.String({ minLength: 1, maxLength: 80, description: 'The customer to render for (cus_… id)' }),
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'A saved version; the current one when left out' })),
}, { additionalProperties: false }));
const Content = Type.Object({
  subject: Type.Optional(Type.String({ description: 'E-mail subject; push title' })),
  html: Type.Optional(Type.String()),
  text: Type.String({ description: 'E-mail text part; SMS, push or Telegram text' }),
  url: Type.Optional(Type.String({ description: 'Push: the page a tap opens' })),
  attachments: Type.Optional(Type.Array(Type.Object({ filename: Type.String(), contentType: Type.String(), content: Type.String() }), { description: 'E-mail: files sent with it (a scheduled report\'s CSV)' })),
});
export const PreviewSchema = named('TemplatePreview', Type.Object({
  templateId: Type.String(),
  version: Type.Integer(),
  kind: Kind,
  customerId: Type.String(),
  parts: Type.Record(Type.String(), Type.String(), { description: 'Each part as rendered' }),
  content: Content,
}));
export const DraftPreviewRequest = named('TemplateDraftPreviewRequest', Type.Object({
  customerId: Type.String({ minLength: 1, maxLength: 80, description: 'The customer to render for (cus_… id)' }),
  kind: Kind,
  parts: Parts,
  name: Type.Optional(Type.String({ maxLength: 200, description: 'As when creating; not needed to render' })),
  purpose: Type.Optional(Purpose),
  topic: Type.Optional(Nullable(Type.String({ maxLength: 60 }))),
}, { additionalProperties: false }));
export const DraftPreviewSchema = named('TemplateDraftPreview', Type.Object({
  kind: Kind,
  customerId: Type.String(),
  parts: Type.Record(Type.String(), Type.String(), { description: 'Each part as rendered' }),
  content: Content,
}));
export const TestSendRequest = named('TemplateTestRequest', Type.Object({
  customerId: Type.String({ minLength: 1, maxLength: 80, description: 'The customer whose data fills the template' }),
  to: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'Send here instead of to the customer (your own inbox or phone)' })),
  version: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'A saved version; the current one when left out' })),
}, { additionalProperties: false }));

// Messages
export const MessageSchema = named('Message', Type.Object({
  id: Type.String(),
  customerId: Nullable(Type.String()),
  kind: Kind,
  purpose: Purpose,
  source: StringEnum(['test', 'api', 'campaign', 'journey', 'ticket', 'resend', 'report', 'alert'] as const, { description: 'report, alert: a scheduled report or an alert e-mailed to its recipients (no customer)' }),
  sourceId: Nullable(Type.String({ description: 'The campaign, journey or API key that made it; for a resend, the message sent again' })),
  templateId: Nullable(Type.String()),
  templateVersion: Nullable(Type.Integer()),
  status: StringEnum(['queued', 'held', 'sending', 'sent', 'delivered', 'failed', 'bounced', 'skipped'] as const, { description: 'held: its campaign is paused' }),
  reason: Nullable(Type.String({ description: 'Why it was skipped (no_consent, topic_unsubscribed, frequency_cap, suppressed, global_control, no_address, customer_gone) or why it failed or waits' })),
  recipient: Nullable(Type.String()),
  content: Nullable(Content),
  attempts: Type.Integer(),
  createdAt: Timestamp,
  sentAt: Nullable(Timestamp),
  history: Type.Array(Type.Object({ status: Type.String(), at: Timestamp, detail: Type.Object({}, { additionalProperties: true }) }), {
    description: 'Every change: queued, deferred (quiet hours), retrying, sent, delivered, failed, bounced, skipped',
  }),
}));
export const MessagePage = PageOf('MessagePage', MessageSchema);
export const CustomerMessagesParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80, description: 'cus_… id' }) });
export const CustomerMessagesQuery = listQuery;
export const MessageParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 80, description: 'msg_… id' }) });
export const ResendHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'A retry with the same key answers the same resend and queues nothing more' })),
});

// Push subscriptions
export const PushSubscriptionRequest = named('PushSubscriptionRequest', Type.Object({
  customerId: Type.String({ minLength: 1, maxLength: 80 }),
  endpoint: Type.String({ minLength: 8, maxLength: 2000, description: 'PushSubscription.endpoint' }),
  keys: Type.Object({ p256dh: Type.String({ maxLength: 200 }), auth: Type.String({ maxLength: 100 }) }, { additionalProperties: false, description: 'PushSubscription.toJSON().keys' }),
  userAgent: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false }));
export const PushSubscriptionSchema = named('PushSubscription', Type.Object({ id: Type.String(), customerId: Type.String(), endpoint: Type.String(), createdAt: Timestamp }));

// Webhooks
export const WebhookCreate = named('WebhookCreate', Type.Object({
  url: Type.String({ minLength: 8, maxLength: 2000, description: 'Where to POST each event' }),
  eventTypes: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { minItems: 1, maxItems: 100, uniqueItems: true, description: 'Event types to send ("*" for all)' }),
  description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
  active: Type.Optional(Type.Boolean()),
  allowPrivateNetwork: Type.Optional(Type.Boolean({ description: 'Allow a URL on a private network (localhost, 10.x …); off by default' })),
}, { additionalProperties: false }));
const webhookFields = {
  id: Type.String(),
  url: Type.String(),
  description: Nullable(Type.String()),
  eventTypes: Type.Array(Type.String()),
  active: Type.Boolean(),
  allowPrivateNetwork: Type.Boolean(),
  secretHint: Type.String({ description: 'The signing secret\'s last four characters' }),
  createdAt: Timestamp,
  updatedAt: Timestamp,
};
export const WebhookSchema = named('Webhook', Type.Object(webhookFields));
export const WebhookCreated = named('WebhookCreated', Type.Object({ ...webhookFields, secret: Type.String({ description: 'The signing secret: shown this once; verify Patron-Signature with it' }) }));
export const WebhookPatch = mergePatchSchema('WebhookPatch', WebhookCreate);
export const WebhookParams = idParams('whk', 'webhook');
export const WebhookListQuery = listQuery;
export const WebhookPage = PageOf('WebhookPage', WebhookSchema);
export const DeliverySchema = named('WebhookDelivery', Type.Object({
  id: Type.String(),
  webhookId: Type.String(),
  eventId: Type.String({ description: 'The event\'s id, sent as Patron-Event-Id: deduplicate on it' }),
  eventType: Type.String(),
  status: StringEnum(['pending', 'delivered', 'failed'] as const),
  attempts: Type.Integer(),
  nextAttemptAt: Nullable(Timestamp),
  responseStatus: Nullable(Type.Integer({ description: 'The endpoint\'s last HTTP status' })),
  lastError: Nullable(Type.String()),
  createdAt: Timestamp,
  deliveredAt: Nullable(Timestamp),
}));
export const DeliveryPage = PageOf('WebhookDeliveryPage', DeliverySchema);
export const DeliveryListQuery = Type.Object({
  ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
  status: Type.Optional(StringEnum(['pending', 'delivered', 'failed'] as const, { description: 'Only deliveries in this state' })),
}, { additionalProperties: false });
export const DeliveryParams = Type.Object({
  id: Type.String({ pattern: messagingIds.pattern('whk'), description: 'whk_… id' }),
  deliveryId: Type.String({ pattern: messagingIds.pattern('whd'), description: 'whd_… id' }),
});

// Campaigns
const Schedule = Type.Union([
  Type.Object({ kind: Type.Literal('now') }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('at'), at: Type.String({ description: 'ISO 8601 instant' }) }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('local'), date: Type.String({ description: 'YYYY-MM-DD' }), time: Type.String({ description: 'HH:MM in each customer\'s zone' }) }, { additionalProperties: false }),
], { description: 'When to send: now, at an instant, or at a local time in each customer\'s zone (the policy\'s default zone for those with none)' });
const Variant = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 20, pattern: '^[A-Za-z0-9_-]+$', patternDescription: 'letters, digits, - and _' }),
  weightBp: Type.Integer({ minimum: 1, maximum: 10_000, description: 'Its share of the messaged customers, basis points; the variants add up to 10000' }),
  steps: Type.Array(Type.Object({ templateId: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false }), {
    minItems: 1,
    maxItems: 4,
    description: 'Templates in fallback order (e.g. push, then Telegram, then SMS, then e-mail): each customer gets the first whose channel reaches them',
  }),
}, { additionalProperties: false });
export const CampaignCreate = named('CampaignCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  audience: Type.Union([
    Type.Object({ kind: Type.Literal('segment'), segmentId: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false }),
    Type.Object({ kind: Type.Literal('list'), customerIds: Type.Array(Type.String({ minLength: 1, maxLength: 80 }), { maxItems: 100_000 }) }, { additionalProperties: false }),
  ], { description: 'A segment (its members when the campaign starts) or a list of customer ids' }),
  variants: Type.Array(Variant, { minItems: 1, maxItems: 10, description: 'One variant, or several for an A/B/n test' }),
  schedule: Type.Optional(Schedule),
  throttlePerMinute: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'Messages a minute at most' }))),
  controlShareBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 9000, description: 'The holdout that gets nothing, basis points; default 1000 (10 %)' })),
  attributionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Purchases this many days from the start count for the report; default 7' })),
}, { additionalProperties: false }));
const CampaignVariantOut = Type.Object({ key: Type.String(), weightBp: Type.Integer(), steps: Type.Array(Type.Object({ templateId: Type.String(), version: Type.Optional(Type.Integer({ description: 'Fixed when the campaign starts' })) })) });
export const CampaignSchema = named('Campaign', Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: StringEnum(['draft', 'scheduled', 'running', 'paused', 'completed', 'cancelled'] as const),
  audience: Type.Object({ kind: StringEnum(['segment', 'list'] as const), segmentId: Type.Optional(Type.String()), listSize: Type.Optional(Type.Integer()) }),
  variants: Type.Array(CampaignVariantOut),
  schedule: Schedule,
  throttlePerMinute: Nullable(Type.Integer()),
  controlShareBp: Type.Integer(),
  attributionDays: Type.Integer(),
  progress: Type.Object({
    audience: Nullable(Type.Integer({ description: 'Customers in the audience when it started' })),
    control: Nullable(Type.Integer({ description: 'Of them, held out' })),
    toMessage: Nullable(Type.Integer()),
    queued: Type.Integer({ description: 'Customers whose message is queued so far' }),
  }),
  startsAt: Nullable(Timestamp),
  startedAt: Nullable(Timestamp),
  completedAt: Nullable(Timestamp),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}));
export const CampaignPatch = mergePatchSchema('CampaignPatch', CampaignCreate);
export const CampaignParams = Type.Object({ id: Type.String({ pattern: messagingIds.pattern('cmp'), description: 'cmp_… id' }) });
export const CampaignListQuery = listQuery;
export const CampaignPage = PageOf('CampaignPage', CampaignSchema);
export const AudienceUploadSchema = named('CampaignAudienceUpload', Type.Object({
  campaignId: Type.String(),
  column: StringEnum(['customerId', 'phone', 'email', 'cardNumber'] as const, { description: 'The identifier column the header named' }),
  rows: Type.Integer({ description: 'Rows after the header' }),
  matched: Type.Integer({ description: 'Rows that named a customer not named before: the list\'s members' }),
  listSize: Type.Integer(),
  unknown: Type.Object({ count: Type.Integer(), lines: Type.Array(Type.Integer(), { description: 'The first 100 lines that named no customer' }) }),
  duplicates: Type.Object({ count: Type.Integer(), lines: Type.Array(Type.Integer(), { description: 'The first 100 lines naming a customer an earlier line named' }) }),
  invalid: Type.Object({ count: Type.Integer(), rows: Type.Array(Type.Object({ line: Type.Integer(), reason: Type.String() }), { description: 'The first 100 lines holding no valid identifier, and why' }) }),
}));
export const CampaignReportSchema = named('CampaignReport', Type.Object({
  campaignId: Type.String(),
  status: Type.String(),
  window: Type.Object({ from: Type.String(), to: Type.String(), complete: Type.Boolean({ description: 'Whether the attribution window has ended' }) }),
  currency: Type.String(),
  arms: Type.Array(Type.Object({
    key: Type.String(),
    recipients: Type.Integer(),
    sent: Type.Integer(),
    delivered: Type.Integer(),
    opened: Type.Integer(),
    clicked: Type.Integer(),
    converted: Type.Integer({ description: 'Recipients who bought in the window' }),
    revenueMinor: Type.Integer(),
  })),
  experiment: Nullable(Type.Object({}, {
    additionalProperties: true,
    description: 'srm (the sample-ratio check), alpha, and comparisons: each variant against the control with conversion (z-test), revenue per recipient (Welch, bootstrap, CUPED), incremental revenue with its 95 % interval, and the verdict in English and Russian',
  })),
}));

// Journeys
const StepId = Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$', patternDescription: 'letters, digits, - and _' });
const Next = Nullable(StepId);
const ConditionSchema = Type.Union([
  Type.Object({ kind: Type.Literal('segment'), segmentId: Type.String({ maxLength: 80 }), member: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('purchased_since_entry'), value: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('has_contact'), channel: StringEnum(['email', 'sms', 'push', 'telegram'] as const), value: Type.Boolean() }, { additionalProperties: false }),
  Type.Object({
    kind: Type.Literal('context'),
    path: Type.String({ minLength: 1, maxLength: 100, description: 'A value of the trigger event (points, direction, type …), dotted' }),
    op: StringEnum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'present'] as const),
    value: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()])),
  }, { additionalProperties: false }),
]);
export const JourneyStepSchema = Type.Union([
  Type.Object({
    id: StepId, kind: Type.Literal('wait'),
    minutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 527_040, description: 'Wait this long' })),
    untilLocalTime: Type.Optional(Type.String({ description: 'Then until this local time HH:MM in the customer\'s zone' })),
    next: Next,
  }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('condition'), if: ConditionSchema, then: Next, else: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('send'), templateId: Type.String({ maxLength: 80 }), next: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('award_points'), points: Type.Integer({ minimum: 1, maximum: 1_000_000 }), reason: Type.String({ minLength: 1, maxLength: 200 }), next: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('promo_code'), promotionId: Type.String({ maxLength: 80 }), validDays: Type.Integer({ minimum: 1, maximum: 366 }), next: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('tag'), tag: Type.String({ minLength: 1, maxLength: 60 }), next: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('webhook'), webhookId: Type.String({ maxLength: 80 }), next: Next }, { additionalProperties: false }),
  Type.Object({ id: StepId, kind: Type.Literal('exit') }, { additionalProperties: false }),
], { description: 'A step; the first in the list is where customers start; next (then/else) names the step after it, null ends the journey' });
export const JourneyTriggerSchema = Type.Object({
  event: StringEnum(['customer.created', 'receipt.confirmed', 'points.expiring', 'tier.changed', 'customer.birthday', 'segment.entered', 'customer.action', 'no_purchase'] as const),
  actionType: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'customer.action: the custom event type (cart.updated for an abandoned cart)' })),
  segmentId: Type.Optional(Type.String({ maxLength: 80, description: 'segment.entered: the segment' })),
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 730, description: 'no_purchase: days since the last purchase' })),
}, { additionalProperties: false });
export const JourneyCreate = named('JourneyCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  trigger: JourneyTriggerSchema,
  steps: Type.Array(JourneyStepSchema, { minItems: 1, maxItems: 100 }),
  reentry: Type.Optional(StringEnum(['never', 'always', 'after_days'] as const, { description: 'Whether a customer may enter again: never (default), always (once out), after_days' })),
  reentryDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3660 }))),
  controlShareBp: Type.Optional(Type.Integer({ minimum: 0, maximum: 9000, description: 'The holdout that walks the journey but is sent nothing, basis points; default 1000 (10 %)' })),
}, { additionalProperties: false }));
export const JourneySchema = named('Journey', Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: StringEnum(['draft', 'active', 'paused', 'archived'] as const),
  version: Type.Integer({ description: 'Goes up each time the trigger or steps change; customers inside keep theirs' }),
  trigger: JourneyTriggerSchema,
  steps: Type.Array(JourneyStepSchema),
  reentry: StringEnum(['never', 'always', 'after_days'] as const),
  reentryDays: Nullable(Type.Integer()),
  controlShareBp: Type.Integer(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}));
export const JourneyPatch = mergePatchSchema('JourneyPatch', JourneyCreate);
export const JourneyParams = Type.Object({ id: Type.String({ pattern: messagingIds.pattern('jrn'), description: 'jrn_… id' }) });
export const JourneyListQuery = listQuery;
export const JourneyPage = PageOf('JourneyPage', JourneySchema);
export const JourneyEntrySchema = named('JourneyEntry', Type.Object({
  id: Type.String(),
  customerId: Type.String(),
  version: Type.Integer(),
  arm: StringEnum(['control', 'journey'] as const, { description: 'control: walks the journey but is sent nothing' }),
  status: StringEnum(['active', 'completed', 'exited'] as const),
  stepId: Nullable(Type.String({ description: 'Where the customer is (a wait) or left' })),
  wakeAt: Nullable(Timestamp),
  enteredAt: Timestamp,
  finishedAt: Nullable(Timestamp),
  steps: Type.Array(Type.Object({ stepId: Type.String(), outcome: Type.String(), at: Timestamp })),
}));
export const JourneyEntryPage = PageOf('JourneyEntryPage', JourneyEntrySchema);
export const JourneyEntryQuery = Type.Object({
  ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
  status: Type.Optional(StringEnum(['active', 'completed', 'exited'] as const)),
}, { additionalProperties: false });
const Interval = Nullable(Type.Object({ lower: Type.Number(), upper: Type.Number() }));
const UpliftMetric = {
  control: Nullable(Type.Number()),
  journey: Nullable(Type.Number()),
  difference: Nullable(Type.Number({ description: 'journey − control' })),
  ci: Interval,
  relative: Nullable(Type.Number({ description: 'journey ÷ control − 1' })),
  pValue: Nullable(Type.Number()),
  significant: Type.Boolean({ description: 'pValue < 0.05' }),
};
export const JourneyReportQuery = Type.Object({
  from: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', patternDescription: 'a date YYYY-MM-DD', description: 'Entries from this UTC day on; the journey\'s creation when left out' })),
  to: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', patternDescription: 'a date YYYY-MM-DD', description: 'Entries up to this UTC day, included; now when left out' })),
  attributionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, description: 'Purchases this many days after each entry count; default 7' })),
}, { additionalProperties: false });
export const JourneyReportSchema = named('JourneyReport', Type.Object({
  journeyId: Type.String(),
  status: Type.String(),
  window: Type.Object({
    from: Timestamp,
    to: Timestamp,
    attributionDays: Type.Integer(),
    complete: Type.Boolean({ description: 'Whether the last entry\'s attribution window has ended' }),
  }),
  currency: Type.String(),
  arms: Type.Array(Type.Object({
    key: Type.String({ description: 'control or journey' }),
    entries: Type.Integer(),
    entrants: Type.Integer({ description: 'Customers who entered (one who entered twice counts once)' }),
    messaged: Type.Integer({ description: 'Entrants sent a message (the control: none, by design)' }),
    delivered: Type.Integer(),
    opened: Type.Integer(),
    clicked: Type.Integer(),
    converted: Type.Integer({ description: 'Entrants who bought within the attribution window after an entry' }),
    revenueMinor: Type.Integer(),
    revenuePerEntrantMinor: Nullable(Type.Integer()),
  })),
  uplift: Nullable(Type.Object({
    conversion: Type.Object(UpliftMetric, { description: 'Share of entrants who bought; the difference in fractions (0.05 = 5 points), two-proportion z-test' }),
    revenuePerEntrant: Type.Object({ ...UpliftMetric, method: StringEnum(['welch', 'cuped'] as const) }, { description: 'Minor units; CUPED (adjusted with each entrant\'s spend before entering) when it ran' }),
    incrementalRevenue: Type.Object({ estimateMinor: Nullable(Type.Integer({ description: 'revenue per entrant difference × journey entrants' })), ci: Interval }),
    srm: Type.Object({}, { additionalProperties: true, description: 'The sample-ratio check: flagged when the split is off the control share (p < 0.001)' }),
    verdict: Type.Object({ outcome: Type.String(), en: Type.String(), ru: Type.String() }),
  }, { description: 'The journey against its control group, 95 % intervals; null with a reason when there is none' })),
  reason: Nullable(Type.String()),
  experiment: Nullable(Type.Object({}, { additionalProperties: true, description: 'The full comparison (as a campaign report\'s): bootstrap interval, delivery, open and click rates' })),
}));
export const RecipeParams = Type.Object({ name: StringEnum(['welcome', 'birthday', 'points_expiry', 'win_back', 'post_purchase_nps', 'tier_upgrade', 'abandoned_cart'] as const) });
export const RecipeRequest = named('JourneyRecipeRequest', Type.Object({
  language: Type.Optional(StringEnum(['ru', 'en'] as const, { description: 'The templates\' language; default ru' })),
  promotionId: Type.Optional(Type.String({ maxLength: 80, description: 'win_back: the promotion whose personal code the message carries' })),
  surveyId: Type.Optional(Type.String({ pattern: '^srv_[0-9a-f]{32}$', description: 'post_purchase_nps: the NPS survey whose signed link each customer gets (POST /v1/surveys); left out, the message links the account page' })),
}, { additionalProperties: false }));
export const RecipeList = named('JourneyRecipes', Type.Object({
  items: Type.Array(Type.Object({ recipe: Type.String(), name: Type.String(), description: Type.String(), trigger: JourneyTriggerSchema })),
  nextCursor: Nullable(Type.String()),
}));
export const RecipeListQuery = listQuery;

// The global control group
export const GlobalControlSchema = named('GlobalControl', Type.Object({
  shareBp: Type.Integer({ description: 'Customers held out of all marketing, basis points (500 = 5 %)' }),
  redrawEveryDays: Nullable(Type.Integer({ description: 'A new draw this often; null: kept until redrawn by hand' })),
  drawnAt: Timestamp,
}));
export const GlobalControlUpdate = named('GlobalControlUpdate', Type.Object({
  shareBp: Type.Integer({ minimum: 0, maximum: 5000 }),
  redrawEveryDays: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 3660 }))),
  redraw: Type.Optional(Type.Boolean({ description: 'Draw new members now' })),
  drawnAt: Type.Optional(Type.String({ description: 'Read-only; ignored (PUT takes what GET answered)' })),
}, { additionalProperties: false }));
