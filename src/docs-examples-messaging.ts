import type { DocExample } from './docs-examples.ts';

/**
 * The messaging chapter of the worked examples (src/docs-examples.ts runs it after the others,
 * on the same coffee shop): the channels and the contact policy, a template with its versions,
 * a preview and a test send, a campaign from draft to report, a journey entered by a sign-up, a
 * webhook with its delivery log, the global control group, and the links customers follow.
 *
 * What a reader cannot repeat is left out, so every answer here is exact: nothing is sent (no
 * send job runs, so messages stay queued), the campaign has no holdout and one variant (an arm
 * is drawn by hashing with a random salt), the journey none either, and the global control group
 * is switched on last. Tracking links are signed with a key each database draws for itself, so
 * the examples of /t/… show what a forged or altered link gets: the pixel all the same (it gives
 * nothing away), and a page saying the link is not valid.
 */
export const messagingExampleIds = {
  emailChannel: 'chn_0195f3c3a1b27c3d4e5f60718293a401',
  smsChannel: 'chn_0195f3c3a1c37d4e5f60718293a4b502',
  pointsTemplate: 'tpl_0195f3c3a2d47e5f60718293a4b5c603',
  smsTemplate: 'tpl_0195f3c3a2e57f60718293a4b5c6d704',
  testMessage: 'msg_0195f3c3a3f67a8b9c0d1e2f3a4b5c05',
  pushSubscription: 'psb_0195f3c3a4a17b2c3d4e5f60718293a6',
  campaign: 'cmp_0195f3c3a5b27c3d4e5f60718293a4b7',
  annaCampaignMessage: 'msg_0195f3c3a5c37d4e5f60718293a4b508',
  annaResentMessage: 'msg_0195f3c3a5d47e5f60718293a4b5c609',
  welcomeJourney: 'jrn_0195f3c3a6f67a8b9c0d1e2f3a4b5c0b',
  welcomeTemplate: 'tpl_0195f3c3a6a17b2c3d4e5f60718293ac',
  nudgeTemplate: 'tpl_0195f3c3a6b27c3d4e5f60718293a4bd',
  journey: 'jrn_0195f3c3a7c37d4e5f60718293a4b5ce',
  nina: 'cus_0195f3c3a7d47e5f60718293a4b5c6df',
  journeyEntry: 'jen_0195f3c3a7e57f60718293a4b5c6d7e0',
  webhook: 'whk_0195f3c3a8f67a8b9c0d1e2f3a4b5c61',
  oleg: 'cus_0195f3c3a8a17b2c3d4e5f60718293a2',
  delivery: 'whd_0195f3c3a8b27c3d4e5f60718293a4b3',
  olegSignedUp: 'evt_0195f3c3a8c37d4e5f60718293a4b5c4',
  telegramChannel: 'chn_0195f3c3a9a17b2c3d4e5f60718293b1',
  gatewayChannel: 'chn_0195f3c3a9b27c3d4e5f60718293b4c2',
} as const;

/** A webhook's signing secret (answered once, on creation) and its hint: drawn at random, like the partner key's. */
export const messagingDrawnValues: Record<string, RegExp> = {
  whsec_Kq3xV8pWm2ZtR7nY4bL9cF1hJ6dS0aGe: /^whsec_[A-Za-z0-9_-]{32}$/,
  '…0aGe': /^…[A-Za-z0-9_-]{4}$/,
  // A Telegram deep link's one-time token (telegram.ts newLinkToken: 24 random bytes, base64url).
  tgLinkT0ken_Kq3xV8pWm2ZtR7nY4bL9: /^[A-Za-z0-9_-]{32}$/,
};

type Customers = { anna: string; olga: string; mila: string; marketerKey: string };

const at = '2026-03-01T09:00:00.000Z';
const SECRET = 'whsec_Kq3xV8pWm2ZtR7nY4bL9cF1hJ6dS0aGe';
const SECRET_HINT = '…0aGe';
const LINK_TOKEN = 'tgLinkT0ken_Kq3xV8pWm2ZtR7nY4bL9';
const HOOK_SECRET = 'tg_hook_7Rk2Wq9Lm4Xz8Pv3';
const CALLBACK_SECRET = 'cb_4f9a2c7e1b8d3f6a0e5c9b2d';
const ANNA_CHAT = 100234567;
/** The page a link that is not valid answers, whichever it is (its <main>; no Accept-Language, so in Russian). */
const LINK_NOT_VALID = '<main id="main"><h1>Ссылка недействительна</h1><p>Эта ссылка недействительна или устарела.</p></main>';
/** The 1×1 transparent GIF of the open pixel, in base64. */
const PIXEL = 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';

export function messagingExamples(customers: Customers): DocExample[] {
  const ids = { ...customers, ...messagingExampleIds };
  const EMAIL_CHANNEL = {
    id: ids.emailChannel, name: 'Mail relay', kind: 'email', active: true, config: { auth: { user: 'club' }, from: 'Coffee Club <club@shop.example>', host: '127.0.0.1', port: 2525 },
    secretsSet: ['auth.pass'], createdAt: at, updatedAt: at,
  };
  const EMAIL_CHANNEL_NEWS = { ...EMAIL_CHANNEL, config: { ...EMAIL_CHANNEL.config, from: 'Coffee Club <news@shop.example>' } };
  const SMS_CHANNEL = { id: ids.smsChannel, name: 'SMS.ru', kind: 'sms', active: true, config: { preset: 'sms.ru', sender: 'CoffeeClub' }, secretsSet: ['apiId'], createdAt: at, updatedAt: at };
  const POLICY = {
    caps: [{ kind: null, max: 3, days: 7 }, { kind: 'sms', max: 1, days: 1 }], quietHours: { from: '21:00', to: '09:00' },
    defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: 'https://club.shop.example',
  };
  const pointsText = 'You have {{ balance.available }} points at {{ program.name }}.{% if tier %} Your tier: {{ tier.name }}.{% endif %}';
  const PARTS_V1 = { subject: '{{ customer.firstName | default: "Hello" }}, your points are waiting', text: pointsText };
  const PARTS_V2 = { subject: '{{ customer.firstName | default: "Hello" }}, {{ balance.available }} points are waiting', text: pointsText };
  const TEMPLATE = { id: ids.pointsTemplate, name: 'Points reminder', kind: 'email', purpose: 'marketing', topic: 'offers', version: 1, parts: PARTS_V1, createdAt: at, updatedAt: at };
  const TEMPLATE_V2 = { ...TEMPLATE, version: 2, parts: PARTS_V2 };
  const SMS_TEMPLATE = { id: ids.smsTemplate, name: 'Points reminder, SMS', kind: 'sms', purpose: 'marketing', topic: null, version: 1, parts: { text: '{{ program.name }}: {{ balance.available }} points on your card' }, createdAt: at, updatedAt: at };
  // Anna's e-mail as version 2 renders it: her balance and tier after the earlier examples.
  const ANNA_CONTENT = { subject: 'Anna, 677 points are waiting', text: 'You have 677 points at Coffee Club. Your tier: Silver.' };
  const queued = { status: 'queued', reason: null, content: ANNA_CONTENT, attempts: 0, createdAt: at, sentAt: null, history: [{ status: 'queued', at, detail: {} }] };
  const TEST_MESSAGE = {
    id: ids.testMessage, customerId: ids.anna, kind: 'email', purpose: 'service', source: 'test', sourceId: ids.marketerKey, templateId: ids.pointsTemplate, templateVersion: 2,
    ...queued, recipient: 'marketing@shop.example',
  };
  // A campaign's message is rendered when the sender takes it: queued, it has no text yet.
  const CAMPAIGN_MESSAGE = {
    id: ids.annaCampaignMessage, customerId: ids.anna, kind: 'email', purpose: 'marketing', source: 'campaign', sourceId: ids.campaign, templateId: ids.pointsTemplate, templateVersion: 2,
    ...queued, content: null, recipient: 'anna.smirnova@example.com',
  };
  // Sent again: the campaign message's text (rendered now, as the sender would) and purpose, source 'resend' naming the message it repeats.
  const RESENT_MESSAGE = {
    ...CAMPAIGN_MESSAGE, content: ANNA_CONTENT, id: ids.annaResentMessage, source: 'resend', sourceId: ids.annaCampaignMessage,
    history: [{ status: 'queued', at, detail: { resendOf: ids.annaCampaignMessage } }],
  };
  const CAMPAIGN_DRAFT = {
    id: ids.campaign, name: 'Spring tasting', status: 'draft', audience: { kind: 'list', listSize: 3 },
    variants: [{ key: 'A', weightBp: 10000, steps: [{ templateId: ids.pointsTemplate }, { templateId: ids.smsTemplate }] }],
    schedule: { kind: 'now' }, throttlePerMinute: null, controlShareBp: 0, attributionDays: 7,
    progress: { audience: null, control: null, toMessage: null, queued: 0 }, startsAt: null, startedAt: null, completedAt: null, createdAt: at, updatedAt: at,
  };
  const CAMPAIGN_CHANGED = { ...CAMPAIGN_DRAFT, throttlePerMinute: 100, attributionDays: 14 };
  const CAMPAIGN_SCHEDULED = {
    ...CAMPAIGN_CHANGED, status: 'scheduled', startsAt: at,
    variants: [{ key: 'A', weightBp: 10000, steps: [{ templateId: ids.pointsTemplate, version: 2 }, { templateId: ids.smsTemplate, version: 1 }] }],
  };
  // Started: the audience taken (the list is no longer kept), all three queued.
  const CAMPAIGN_RUNNING = { ...CAMPAIGN_SCHEDULED, status: 'running', audience: { kind: 'list' }, progress: { audience: 3, control: 0, toMessage: 3, queued: 3 }, startedAt: at };
  const CAMPAIGN_CANCELLED = { ...CAMPAIGN_RUNNING, status: 'cancelled', completedAt: at };
  const bonusSteps = (points: number) => [
    { id: 'greet', kind: 'send', templateId: ids.pointsTemplate, next: 'bonus' },
    { id: 'bonus', kind: 'award_points', points, reason: 'Welcome bonus', next: 'tag' },
    { id: 'tag', kind: 'tag', tag: 'welcomed', next: null },
  ];
  const JOURNEY = {
    id: ids.journey, name: 'Sign-up bonus', status: 'draft', version: 1, trigger: { event: 'customer.created' }, steps: bonusSteps(100),
    reentry: 'never', reentryDays: null, controlShareBp: 0, createdAt: at, updatedAt: at,
  };
  const JOURNEY_V2 = { ...JOURNEY, version: 2, steps: bonusSteps(200) };
  const WELCOME_SERIES = {
    id: ids.welcomeJourney, name: 'Welcome series', status: 'draft', version: 1, trigger: { event: 'customer.created' },
    steps: [
      { id: 'welcome', kind: 'send', templateId: ids.welcomeTemplate, next: 'wait' },
      { id: 'wait', kind: 'wait', minutes: 4320, untilLocalTime: '11:00', next: 'bought' },
      { id: 'bought', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'nudge' },
      { id: 'nudge', kind: 'send', templateId: ids.nudgeTemplate, next: null },
    ],
    reentry: 'never', reentryDays: null, controlShareBp: 1000, createdAt: at, updatedAt: at,
  };
  const WEBHOOK = {
    id: ids.webhook, url: 'https://crm.shop.example/hooks/patron', description: 'CRM sync', eventTypes: ['customer.created'], active: true, allowPrivateNetwork: false,
    secretHint: SECRET_HINT, createdAt: at, updatedAt: at,
  };
  const WEBHOOK_RECEIPTS = { ...WEBHOOK, eventTypes: ['customer.created', 'receipt.confirmed'] };
  const DELIVERY = {
    id: ids.delivery, webhookId: ids.webhook, eventId: ids.olegSignedUp, eventType: 'customer.created', status: 'pending', attempts: 0, nextAttemptAt: at,
    responseStatus: null, lastError: null, createdAt: at, deliveredAt: null,
  };
  const customer = (id: string, fields: Record<string, unknown>) => ({
    id, status: 'active', phone: null, email: null, cardNumber: null, externalIds: {}, identifiers: [], firstName: null, lastName: null, birthDate: null, gender: null,
    city: null, timezone: null, locale: null, tags: [], attributes: {}, createdAt: at, updatedAt: at, ...fields,
  });
  const TELEGRAM_CHANNEL = { id: ids.telegramChannel, name: 'Coffee Club bot', kind: 'telegram', active: true, config: { botUsername: 'coffee_club_bot' }, secretsSet: ['token', 'webhookSecret'], createdAt: at, updatedAt: at };
  const GATEWAY_CHANNEL = {
    id: ids.gatewayChannel, name: 'SMS gateway', kind: 'sms', active: true, config: { preset: 'generic', url: 'https://sms-gateway.shop.example/send' },
    secretsSet: ['apiKey', 'callbackSecret'], createdAt: at, updatedAt: at,
  };
  // The test e-mail comes back from the recipient's server: no such mailbox (a DSN as Postfix writes one).
  const BOUNCE = [
    'From: MAILER-DAEMON@mx.shop.example (Mail Delivery System)', 'To: bounces@shop.example', 'Subject: Undelivered Mail Returned to Sender', 'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B1"', '', '--B1', 'Content-Type: text/plain', '', 'Your message could not be delivered.', '',
    '--B1', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.shop.example', '', 'Final-Recipient: rfc822; marketing@shop.example', 'Action: failed',
    'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 <marketing@shop.example>: Recipient address rejected: User unknown', '',
    '--B1', 'Content-Type: text/rfc822-headers', '', 'From: Coffee Club <news@shop.example>', 'To: marketing@shop.example', `Message-ID: <${ids.testMessage}@shop.example>`, '', '--B1--', '',
  ].join('\r\n');
  // A signature that does not hold for the message: what a forged or altered link carries.
  const forged = `${ids.testMessage}.Zm9yZ2VkLXNpZ25hdHVyZS1oZXJl`;
  return [
    {
      route: 'POST /v1/channels',
      summary: 'E-mail goes out through the shop\'s SMTP relay (its password is written, never answered)',
      role: 'owner',
      body: { name: 'Mail relay', kind: 'email', config: { host: '127.0.0.1', port: 2525, auth: { user: 'club', pass: 'relay-password' }, from: 'Coffee Club <club@shop.example>' } },
      status: 201,
      response: EMAIL_CHANNEL,
    },
    {
      route: 'POST /v1/channels',
      summary: 'An SMS gateway (removed below)',
      role: 'owner',
      step: true,
      body: { name: 'SMS.ru', kind: 'sms', config: { preset: 'sms.ru', apiId: 'sms-ru-api-id', sender: 'CoffeeClub' } },
      status: 201,
      response: SMS_CHANNEL,
    },
    {
      route: 'GET /v1/channels/{id}',
      summary: 'The e-mail channel: secretsSet names the secret that holds a value',
      role: 'analyst',
      params: { id: ids.emailChannel },
      status: 200,
      response: EMAIL_CHANNEL,
    },
    {
      route: 'PATCH /v1/channels/{id}',
      summary: 'A new From address (a merge patch of the settings: the password left out is kept)',
      role: 'owner',
      params: { id: ids.emailChannel },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { config: { from: 'Coffee Club <news@shop.example>' } },
      status: 200,
      response: EMAIL_CHANNEL_NEWS,
    },
    {
      route: 'GET /v1/channels',
      summary: 'The channels, by id',
      role: 'analyst',
      status: 200,
      response: { items: [EMAIL_CHANNEL_NEWS, SMS_CHANNEL], nextCursor: null },
    },
    {
      route: 'DELETE /v1/channels/{id}',
      summary: 'Remove the SMS gateway; answers it as it was',
      role: 'owner',
      params: { id: ids.smsChannel },
      status: 200,
      response: SMS_CHANNEL,
    },
    {
      route: 'GET /v1/messaging/policy',
      summary: 'The contact policy as a new database has it: no caps, quiet from 21:00 to 09:00',
      role: 'analyst',
      status: 200,
      response: { caps: [], quietHours: { from: '21:00', to: '09:00' }, defaultTimezone: 'UTC', defaultLocale: 'ru', programName: 'Patron', publicUrl: 'http://localhost:8080' },
    },
    {
      route: 'PUT /v1/messaging/policy',
      summary: 'At most 3 marketing messages a week, 1 SMS a day; the program\'s name and address',
      role: 'marketer',
      body: { caps: [{ kind: null, max: 3, days: 7 }, { kind: 'sms', max: 1, days: 1 }], quietHours: { from: '21:00', to: '09:00' }, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Coffee Club', publicUrl: 'https://club.shop.example' },
      status: 200,
      response: POLICY,
    },
    {
      route: 'POST /v1/templates',
      summary: 'An e-mail of the points a customer has (Liquid: only the catalogue\'s variables and filters)',
      role: 'marketer',
      body: {
        name: 'Points reminder', kind: 'email', purpose: 'marketing', topic: 'offers',
        parts: { subject: '{{ customer.firstName | default: "Hello" }}, your points are waiting', text: 'You have {{ balance.available }} points at {{ program.name }}.{% if tier %} Your tier: {{ tier.name }}.{% endif %}' },
      },
      status: 201,
      response: TEMPLATE,
    },
    {
      route: 'POST /v1/templates',
      summary: 'The same by SMS (the campaign\'s second channel)',
      role: 'marketer',
      step: true,
      body: { name: 'Points reminder, SMS', kind: 'sms', purpose: 'marketing', parts: { text: '{{ program.name }}: {{ balance.available }} points on your card' } },
      status: 201,
      response: SMS_TEMPLATE,
    },
    {
      route: 'GET /v1/templates/{id}',
      summary: 'The template at its current version',
      role: 'analyst',
      params: { id: ids.pointsTemplate },
      status: 200,
      response: TEMPLATE,
    },
    {
      route: 'PATCH /v1/templates/{id}',
      summary: 'A new subject: version 2 (messages already queued keep their text)',
      role: 'marketer',
      params: { id: ids.pointsTemplate },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { parts: { subject: '{{ customer.firstName | default: "Hello" }}, {{ balance.available }} points are waiting' } },
      status: 200,
      response: TEMPLATE_V2,
    },
    {
      route: 'GET /v1/templates/{id}/versions',
      summary: 'Both versions, newest first',
      role: 'analyst',
      params: { id: ids.pointsTemplate },
      status: 200,
      response: { items: [{ version: 2, parts: PARTS_V2, createdAt: at, createdBy: 'test marketer' }, { version: 1, parts: PARTS_V1, createdAt: at, createdBy: 'test marketer' }], nextCursor: null },
    },
    {
      route: 'GET /v1/templates',
      summary: 'The templates, by id',
      role: 'analyst',
      status: 200,
      response: { items: [TEMPLATE_V2, SMS_TEMPLATE], nextCursor: null },
    },
    {
      route: 'POST /v1/templates/{id}/preview',
      summary: 'Rendered for Anna, with her balance and tier, without sending anything',
      role: 'marketer',
      params: { id: ids.pointsTemplate },
      body: { customerId: ids.anna },
      status: 200,
      response: { templateId: ids.pointsTemplate, version: 2, kind: 'email', customerId: ids.anna, parts: ANNA_CONTENT, content: ANNA_CONTENT },
    },
    {
      route: 'POST /v1/templates/preview',
      summary: 'An SMS not yet saved, rendered for Anna as the editor types it (nothing is stored)',
      role: 'marketer',
      body: { customerId: ids.anna, kind: 'sms', parts: { text: '{{ customer.firstName }}, {{ balance.available }} points at {{ program.name }} are yours' } },
      status: 200,
      response: { kind: 'sms', customerId: ids.anna, parts: { text: 'Anna, 677 points at Coffee Club are yours' }, content: { text: 'Anna, 677 points at Coffee Club are yours' } },
    },
    {
      route: 'POST /v1/templates/{id}/test',
      summary: 'A test send of Anna\'s e-mail to the marketer\'s own inbox (queued for the send job)',
      role: 'marketer',
      params: { id: ids.pointsTemplate },
      body: { customerId: ids.anna, to: 'marketing@shop.example' },
      status: 202,
      response: TEST_MESSAGE,
    },
    {
      route: 'POST /v1/push/subscriptions',
      summary: 'The shop\'s site saves the web push subscription Mila\'s browser gave',
      role: 'pos',
      body: {
        customerId: ids.mila,
        endpoint: 'https://fcm.googleapis.com/fcm/send/dX9Yk2mQ3rE:APA91bH-example',
        keys: { p256dh: 'BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM', auth: 'tBHItJI5svbpez7KI4CCXg' },
        userAgent: 'Mozilla/5.0 (Android 14) Chrome/124',
      },
      status: 201,
      response: { id: ids.pushSubscription, customerId: ids.mila, endpoint: 'https://fcm.googleapis.com/fcm/send/dX9Yk2mQ3rE:APA91bH-example', createdAt: at },
    },
    {
      route: 'POST /v1/campaigns',
      summary: 'A campaign to three customers: e-mail, else SMS; no holdout, so every one is messaged',
      role: 'marketer',
      body: {
        name: 'Spring tasting', audience: { kind: 'list', customerIds: [ids.anna, ids.olga, ids.mila] },
        variants: [{ key: 'A', weightBp: 10000, steps: [{ templateId: ids.pointsTemplate }, { templateId: ids.smsTemplate }] }],
        schedule: { kind: 'now' }, controlShareBp: 0,
      },
      status: 201,
      response: CAMPAIGN_DRAFT,
    },
    {
      route: 'PATCH /v1/campaigns/{id}',
      summary: 'A draft changed: at most 100 messages a minute, purchases counted for 14 days',
      role: 'marketer',
      params: { id: ids.campaign },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { throttlePerMinute: 100, attributionDays: 14 },
      status: 200,
      response: CAMPAIGN_CHANGED,
    },
    {
      route: 'PUT /v1/campaigns/{id}/audience',
      summary: 'The list sent again as a CSV file (one customer a row, by customerId, phone, email or cardNumber): Anna twice and an id no one has are reported by line',
      role: 'marketer',
      params: { id: ids.campaign },
      headers: { 'content-type': 'text/csv' },
      requestType: 'text/csv',
      body: `customerId\n${ids.anna}\n${ids.olga}\n${ids.mila}\n${ids.anna}\ncus_0195f3c3ffff7fff8fff000000000000\n`,
      status: 200,
      response: {
        campaignId: ids.campaign, column: 'customerId', rows: 5, matched: 3, listSize: 3,
        unknown: { count: 1, lines: [6] }, duplicates: { count: 1, lines: [5] }, invalid: { count: 0, rows: [] },
      },
    },
    {
      route: 'GET /v1/campaigns/{id}',
      summary: 'The draft and its list',
      role: 'analyst',
      params: { id: ids.campaign },
      status: 200,
      response: CAMPAIGN_CHANGED,
    },
    {
      route: 'POST /v1/campaigns/{id}/start',
      summary: 'Start it: scheduled for now, the templates\' versions fixed',
      role: 'marketer',
      params: { id: ids.campaign },
      status: 200,
      response: CAMPAIGN_SCHEDULED,
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The campaign job (it runs on its own every few seconds): the audience taken, the messages queued',
      role: 'owner',
      step: true,
      params: { name: 'run-campaigns' },
      status: 200,
      response: { started: 1, queued: 3, completed: 0 },
    },
    {
      route: 'GET /v1/campaigns',
      summary: 'The campaigns, newest first, with their progress',
      role: 'analyst',
      status: 200,
      response: { items: [CAMPAIGN_RUNNING], nextCursor: null },
    },
    {
      route: 'POST /v1/campaigns/{id}/pause',
      summary: 'Pause: the queued messages are held',
      role: 'marketer',
      params: { id: ids.campaign },
      status: 200,
      response: { ...CAMPAIGN_RUNNING, status: 'paused' },
    },
    {
      route: 'POST /v1/campaigns/{id}/resume',
      summary: 'Resume: the held messages are queued again',
      role: 'marketer',
      params: { id: ids.campaign },
      status: 200,
      response: CAMPAIGN_RUNNING,
    },
    {
      route: 'GET /v1/campaigns/{id}/report',
      summary: 'The report so far: nothing sent yet; the three bought at 09:00, the start, so all three count as converted',
      role: 'analyst',
      params: { id: ids.campaign },
      status: 200,
      response: {
        campaignId: ids.campaign, status: 'running', window: { from: at, to: '2026-03-15T09:00:00.000Z', complete: false }, currency: 'RUB',
        arms: [
          { key: 'control', recipients: 0, sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenueMinor: 0 },
          { key: 'A', recipients: 3, sent: 0, delivered: 0, opened: 0, clicked: 0, converted: 3, revenueMinor: 718349 },
        ],
        experiment: null,
      },
    },
    {
      route: 'GET /v1/customers/{id}/messages',
      summary: 'Anna\'s messages, newest first: the campaign\'s, then the test send',
      role: 'support',
      params: { id: ids.anna },
      status: 200,
      response: { items: [CAMPAIGN_MESSAGE, TEST_MESSAGE], nextCursor: null },
    },
    {
      route: 'POST /v1/messages/{id}/resend',
      summary: 'Anna calls: the e-mail never came. Support sends it again, the same text to her address of now',
      role: 'support',
      params: { id: ids.annaCampaignMessage },
      headers: { 'Idempotency-Key': 'call-2026-03-01-anna' },
      status: 201,
      response: RESENT_MESSAGE,
    },
    {
      route: 'POST /v1/messages/{id}/resend',
      summary: 'The same request again (the operator pressed twice): the same resend, nothing more queued',
      role: 'support',
      params: { id: ids.annaCampaignMessage },
      headers: { 'Idempotency-Key': 'call-2026-03-01-anna' },
      status: 200,
      response: RESENT_MESSAGE,
    },
    {
      route: 'POST /v1/campaigns/{id}/cancel',
      summary: 'Cancel: what was not sent is dropped',
      role: 'marketer',
      params: { id: ids.campaign },
      status: 200,
      response: CAMPAIGN_CANCELLED,
    },
    {
      route: 'DELETE /v1/campaigns/{id}',
      summary: 'Delete the cancelled campaign; answers it as it was',
      role: 'marketer',
      params: { id: ids.campaign },
      status: 200,
      response: CAMPAIGN_CANCELLED,
    },
    {
      route: 'DELETE /v1/templates/{id}',
      summary: 'Delete the SMS template and its versions; answers it as it was',
      role: 'marketer',
      params: { id: ids.smsTemplate },
      status: 200,
      response: SMS_TEMPLATE,
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The journeys\' consumer reads the events so far (no journey is active yet)',
      role: 'owner',
      step: true,
      params: { name: 'enter-journeys' },
      status: 200,
      response: { events: 18, entered: 0 },
    },
    {
      route: 'GET /v1/journey-recipes',
      summary: 'The ready-made journeys',
      role: 'analyst',
      status: 200,
      response: {
        items: [
          { recipe: 'welcome', name: 'Welcome series', description: 'A welcome at sign-up; three days later, a nudge to whoever has not bought yet', trigger: { event: 'customer.created' } },
          { recipe: 'birthday', name: 'Birthday greeting', description: "On the birthday offer (engagement's customer.birthday, with its code), a greeting at 10:00 in the customer's zone", trigger: { event: 'customer.birthday' } },
          { recipe: 'points_expiry', name: 'Points-expiry reminder', description: "When points are about to expire (points.expiring), a reminder at 11:00 in the customer's zone", trigger: { event: 'points.expiring' } },
          { recipe: 'win_back', name: 'Win-back after 60 days', description: 'Sixty days without a purchase: a message (with a personal code when a promotion is given), a reminder a week later to whoever has not come back', trigger: { event: 'no_purchase', days: 60 } },
          { recipe: 'post_purchase_nps', name: 'Post-purchase NPS', description: 'A day after a purchase, at noon in the customer\'s zone, the question "how likely are you to recommend us" with the customer\'s own link to the NPS survey named by surveyId (at most once a month)', trigger: { event: 'receipt.confirmed' } },
          { recipe: 'tier_upgrade', name: 'Tier-upgrade congratulations', description: 'When a customer moves up a tier, congratulations naming the new tier and the next', trigger: { event: 'tier.changed' } },
          { recipe: 'abandoned_cart', name: 'Abandoned cart', description: 'The site or app reports a cart (customer.action cart.updated); two hours later, a reminder to whoever has not bought since (at most once a day)', trigger: { event: 'customer.action', actionType: 'cart.updated' } },
        ],
        nextCursor: null,
      },
    },
    {
      route: 'POST /v1/journey-recipes/{name}',
      summary: 'The welcome series in English: its two e-mails and the journey, as a draft',
      role: 'marketer',
      params: { name: 'welcome' },
      body: { language: 'en' },
      status: 201,
      response: WELCOME_SERIES,
    },
    {
      route: 'POST /v1/journeys',
      summary: 'A journey of its own: at sign-up, the points e-mail, 100 welcome points and a tag',
      role: 'marketer',
      body: {
        name: 'Sign-up bonus', trigger: { event: 'customer.created' },
        steps: [
          { id: 'greet', kind: 'send', templateId: ids.pointsTemplate, next: 'bonus' },
          { id: 'bonus', kind: 'award_points', points: 100, reason: 'Welcome bonus', next: 'tag' },
          { id: 'tag', kind: 'tag', tag: 'welcomed', next: null },
        ],
        controlShareBp: 0,
      },
      status: 201,
      response: JOURNEY,
    },
    {
      route: 'PATCH /v1/journeys/{id}',
      summary: 'The bonus doubled (steps replace as a whole): version 2',
      role: 'marketer',
      params: { id: ids.journey },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: {
        steps: [
          { id: 'greet', kind: 'send', templateId: ids.pointsTemplate, next: 'bonus' },
          { id: 'bonus', kind: 'award_points', points: 200, reason: 'Welcome bonus', next: 'tag' },
          { id: 'tag', kind: 'tag', tag: 'welcomed', next: null },
        ],
      },
      status: 200,
      response: JOURNEY_V2,
    },
    {
      route: 'POST /v1/journeys/{id}/activate',
      summary: 'Switch it on: customers who sign up from now enter',
      role: 'marketer',
      params: { id: ids.journey },
      status: 200,
      response: { ...JOURNEY_V2, status: 'active' },
    },
    {
      route: 'GET /v1/journeys/{id}',
      summary: 'The journey, active at version 2',
      role: 'analyst',
      params: { id: ids.journey },
      status: 200,
      response: { ...JOURNEY_V2, status: 'active' },
    },
    {
      route: 'POST /v1/customers',
      summary: 'Nina signs up on the website, e-mail marketing allowed',
      role: 'owner',
      step: true,
      body: { email: 'nina@example.com', firstName: 'Nina', consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }] },
      status: 201,
      response: customer(ids.nina, { email: 'nina@example.com', identifiers: [{ kind: 'email', value: 'nina@example.com', primary: true }], firstName: 'Nina' }),
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The journeys\' consumer: Nina enters, and what it entered is walked at once: her e-mail queued, her points and her tag given',
      role: 'owner',
      step: true,
      params: { name: 'enter-journeys' },
      status: 200,
      response: { events: 1, entered: 1, advanced: 1, failed: 0 },
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The journeys\' walk: nothing left for it (it takes entries whose wait is over, and any a stopped walk left)',
      role: 'owner',
      step: true,
      params: { name: 'advance-journeys' },
      status: 200,
      response: { advanced: 0, failed: 0 },
    },
    {
      route: 'GET /v1/journeys/{id}/entries',
      summary: 'Who entered, and each step they took',
      role: 'analyst',
      params: { id: ids.journey },
      status: 200,
      response: {
        items: [{
          id: ids.journeyEntry, customerId: ids.nina, version: 2, arm: 'journey', status: 'completed', stepId: null, wakeAt: null, enteredAt: at, finishedAt: at,
          steps: [{ stepId: 'greet', outcome: 'sent', at }, { stepId: 'bonus', outcome: 'awarded', at }, { stepId: 'tag', outcome: 'tagged', at }],
        }],
        nextCursor: null,
      },
    },
    {
      route: 'GET /v1/journeys/{id}/report',
      summary: "The journey's report for the day: Nina entered (her e-mail still queued); with no control group there is no uplift to measure, and it says so",
      role: 'analyst',
      params: { id: ids.journey },
      query: { from: '2026-03-01', to: '2026-03-01', attributionDays: '14' },
      status: 200,
      response: {
        journeyId: ids.journey, status: 'active', window: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', attributionDays: 14, complete: false }, currency: 'RUB',
        arms: [
          { key: 'control', entries: 0, entrants: 0, messaged: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenueMinor: 0, revenuePerEntrantMinor: null },
          { key: 'journey', entries: 1, entrants: 1, messaged: 0, delivered: 0, opened: 0, clicked: 0, converted: 0, revenueMinor: 0, revenuePerEntrantMinor: 0 },
        ],
        uplift: null,
        reason: 'The journey has no control group (controlShareBp 0): there is nothing to measure its uplift against',
        experiment: null,
      },
    },
    {
      route: 'POST /v1/journeys/{id}/pause',
      summary: 'Pause: no one enters, those inside wait',
      role: 'marketer',
      params: { id: ids.journey },
      status: 200,
      response: { ...JOURNEY_V2, status: 'paused' },
    },
    {
      route: 'POST /v1/journeys/{id}/archive',
      summary: 'Archive: no one enters, those inside leave at their next step',
      role: 'marketer',
      params: { id: ids.journey },
      status: 200,
      response: { ...JOURNEY_V2, status: 'archived' },
    },
    {
      route: 'GET /v1/journeys',
      summary: 'The journeys, by id',
      role: 'analyst',
      status: 200,
      response: { items: [WELCOME_SERIES, { ...JOURNEY_V2, status: 'archived' }], nextCursor: null },
    },
    {
      route: 'DELETE /v1/journeys/{id}',
      summary: 'Delete the welcome series (a draft); its templates stay',
      role: 'marketer',
      params: { id: ids.welcomeJourney },
      status: 200,
      response: WELCOME_SERIES,
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The webhooks\' consumer reads the events so far (no webhook yet)',
      role: 'owner',
      step: true,
      params: { name: 'collect-webhook-events' },
      status: 200,
      response: { events: 39, deliveries: 0 },
    },
    {
      route: 'POST /v1/webhooks',
      summary: 'The CRM gets every sign-up: the signing secret is shown this once',
      role: 'owner',
      body: { url: 'https://crm.shop.example/hooks/patron', eventTypes: ['customer.created'], description: 'CRM sync' },
      status: 201,
      response: { ...WEBHOOK, secret: SECRET },
    },
    {
      route: 'PATCH /v1/webhooks/{id}',
      summary: 'Receipts too',
      role: 'owner',
      params: { id: ids.webhook },
      headers: { 'content-type': 'application/merge-patch+json' },
      body: { eventTypes: ['customer.created', 'receipt.confirmed'] },
      status: 200,
      response: WEBHOOK_RECEIPTS,
    },
    {
      route: 'GET /v1/webhooks/{id}',
      summary: 'The webhook (the secret\'s last four characters only)',
      role: 'owner',
      params: { id: ids.webhook },
      status: 200,
      response: WEBHOOK_RECEIPTS,
    },
    {
      route: 'GET /v1/webhooks',
      summary: 'The webhooks, by id',
      role: 'owner',
      status: 200,
      response: { items: [WEBHOOK_RECEIPTS], nextCursor: null },
    },
    {
      route: 'POST /v1/customers',
      summary: 'Oleg signs up at the till',
      role: 'owner',
      step: true,
      body: { phone: '+79035550404', firstName: 'Oleg' },
      status: 201,
      response: customer(ids.oleg, { phone: '+79035550404', identifiers: [{ kind: 'phone', value: '+79035550404', primary: true }], firstName: 'Oleg' }),
    },
    {
      route: 'POST /v1/jobs/{name}/run',
      summary: 'The webhooks\' consumer: a delivery of Oleg\'s sign-up',
      role: 'owner',
      step: true,
      params: { name: 'collect-webhook-events' },
      status: 200,
      response: { events: 1, deliveries: 1 },
    },
    {
      route: 'GET /v1/webhooks/{id}/deliveries',
      summary: 'The delivery log, newest first: one event waiting for the delivery job',
      role: 'owner',
      params: { id: ids.webhook },
      status: 200,
      response: { items: [DELIVERY], nextCursor: null },
    },
    {
      route: 'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
      summary: 'Deliver it now (a failed one is tried again; one delivered is answered as it is)',
      role: 'owner',
      params: { id: ids.webhook, deliveryId: ids.delivery },
      status: 200,
      response: DELIVERY,
    },
    {
      route: 'DELETE /v1/webhooks/{id}',
      summary: 'Delete the webhook and its delivery log; answers it as it was',
      role: 'owner',
      params: { id: ids.webhook },
      status: 200,
      response: WEBHOOK_RECEIPTS,
    },
    {
      route: 'GET /t/o/{token}',
      summary: 'The open pixel of an e-mail, with a forged signature: the GIF all the same (base64), nothing recorded',
      role: null,
      params: { token: `${forged}.gif` },
      status: 200,
      responseType: 'image/gif',
      response: PIXEL,
    },
    {
      route: 'GET /t/c/{token}',
      summary: 'A link of an e-mail whose signature does not hold: no redirect, a page saying so',
      role: null,
      params: { token: forged },
      query: { u: 'https://shop.example/spring' },
      status: 404,
      responseType: 'text/html',
      responsePart: 'main',
      response: LINK_NOT_VALID,
    },
    {
      route: 'GET /t/u/{token}',
      summary: 'An unsubscribe link whose signature does not hold: a page saying so',
      role: null,
      params: { token: forged },
      status: 404,
      responseType: 'text/html',
      responsePart: 'main',
      response: LINK_NOT_VALID,
    },
    {
      route: 'POST /t/u/{token}',
      summary: 'The unsubscribe button (or a mail client\'s one-click POST, RFC 8058) with a forged link: nothing withdrawn',
      role: null,
      params: { token: forged },
      status: 404,
      responseType: 'text/html',
      responsePart: 'main',
      response: LINK_NOT_VALID,
    },
    {
      route: 'POST /v1/channels',
      summary: 'A Telegram bot: its token, its @username for the deep links, and the secret token its webhook is set with (both secrets written, never answered)',
      role: 'owner',
      step: true,
      body: { name: 'Coffee Club bot', kind: 'telegram', config: { token: '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw', botUsername: 'coffee_club_bot', webhookSecret: HOOK_SECRET } },
      status: 201,
      response: TELEGRAM_CHANNEL,
    },
    {
      route: 'POST /v1/customers/{id}/telegram-link',
      summary: 'The app asks for Anna\'s link: she opens it in Telegram and presses Start (it works once, for 24 hours)',
      role: 'pos',
      params: { id: ids.anna },
      status: 201,
      response: { token: LINK_TOKEN, url: `https://t.me/coffee_club_bot?start=${LINK_TOKEN}`, expiresAt: '2026-03-02T09:00:00.000Z' },
    },
    {
      route: 'POST /t/telegram/{channelId}',
      summary: 'Telegram delivers her "/start <token>" to the bot\'s webhook, with the secret token: her chat is linked (and a confirmation queued)',
      role: null,
      params: { channelId: ids.telegramChannel },
      headers: { 'x-telegram-bot-api-secret-token': HOOK_SECRET },
      body: { update_id: 912345678, message: { message_id: 17, date: 1772355600, chat: { id: ANNA_CHAT, type: 'private' }, from: { id: ANNA_CHAT, is_bot: false, first_name: 'Anna' }, text: `/start ${LINK_TOKEN}` } },
      status: 200,
      response: { ok: true },
    },
    {
      route: 'GET /v1/customers/{id}/telegram-link',
      summary: 'Linked: the app sees since when, and the chat id masked',
      role: 'pos',
      params: { id: ids.anna },
      status: 200,
      response: { linked: true, linkedAt: at, chatId: '*****4567' },
    },
    {
      route: 'DELETE /v1/customers/{id}/telegram-link',
      summary: 'Support unlinks it at her request; answers the link as it was',
      role: 'support',
      params: { id: ids.anna },
      status: 200,
      response: { linked: true, linkedAt: at, chatId: String(ANNA_CHAT) },
    },
    {
      route: 'POST /v1/channels',
      summary: 'An SMS gateway whose delivery reports come with a callback secret',
      role: 'owner',
      step: true,
      body: { name: 'SMS gateway', kind: 'sms', config: { preset: 'generic', url: 'https://sms-gateway.shop.example/send', apiKey: 'gateway-api-key', callbackSecret: CALLBACK_SECRET } },
      status: 201,
      response: GATEWAY_CHANNEL,
    },
    {
      route: 'POST /t/sms/{channelId}/status',
      summary: 'The gateway reports a message delivered (one Patron did not send: taken, nothing recorded); its answer is empty',
      role: null,
      params: { channelId: ids.gatewayChannel },
      query: { secret: CALLBACK_SECRET },
      body: { id: 'gw-5551', status: 'delivered', at: '2026-03-01T09:00:04Z' },
      status: 200,
      responseType: 'text/plain',
      response: '',
    },
    {
      route: 'GET /t/sms/{channelId}/status',
      summary: 'A gateway that reports by GET, the report in the query string',
      role: null,
      params: { channelId: ids.gatewayChannel },
      query: { secret: CALLBACK_SECRET, id: 'gw-5552', status: 'failed', error: 'absent subscriber' },
      status: 200,
      responseType: 'text/plain',
      response: '',
    },
    {
      route: 'POST /v1/channels/{id}/bounces',
      summary: 'The bounce mailbox hands over a DSN for the test e-mail: a dead address, suppressed',
      role: 'owner',
      params: { id: ids.emailChannel },
      headers: { 'content-type': 'message/rfc822' },
      requestType: 'message/rfc822',
      body: BOUNCE,
      status: 200,
      response: { kind: 'hard', status: '5.1.1', messageId: ids.testMessage, recorded: true, suppressed: true, consentWithdrawn: false },
    },
    {
      route: 'PUT /v1/experiments/global-control',
      summary: 'Hold 5 % of customers out of all marketing, drawn now and again every 90 days',
      role: 'marketer',
      body: { shareBp: 500, redrawEveryDays: 90, redraw: true },
      status: 200,
      response: { shareBp: 500, redrawEveryDays: 90, drawnAt: at },
    },
    {
      route: 'GET /v1/experiments/global-control',
      summary: 'The global control group',
      role: 'analyst',
      status: 200,
      response: { shareBp: 500, redrawEveryDays: 90, drawnAt: at },
    },
  ];
}
