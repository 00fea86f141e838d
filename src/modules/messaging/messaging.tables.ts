import type { ColumnType, Generated } from 'kysely';
import type { Json, Timestamp } from '../../platform/platform.tables.ts';
import type { Attachment } from './channels/channel.ts';

/** The messaging module's tables (Kysely's view, camel-cased). Only this module names them. */
export type MessageKind = 'email' | 'sms' | 'push' | 'telegram';
export type MessagePurpose = 'marketing' | 'service';
export type MessageSource = 'test' | 'api' | 'campaign' | 'journey' | 'ticket' | 'resend' | 'report' | 'alert';
export type MessageStatus = 'queued' | 'held' | 'sending' | 'sent' | 'delivered' | 'failed' | 'bounced' | 'skipped';

export type MessagingChannelsTable = {
  id: string;
  kind: MessageKind;
  name: string;
  config: Json<Record<string, unknown>>;
  active: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

/** A template's parts by name (email: subject, html, text; sms: text; push: title, body, url; telegram: text). */
export type TemplateParts = Record<string, string>;

export type MessageTemplatesTable = {
  id: string;
  name: string;
  kind: MessageKind;
  purpose: MessagePurpose;
  topic: string | null;
  version: number;
  parts: Json<TemplateParts>;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type MessageTemplateVersionsTable = { templateId: string; version: number; parts: Json<TemplateParts>; createdAt: Timestamp; createdBy: string | null };

/** What a message says, rendered when it was queued. */
export type MessageContent = { subject?: string; html?: string; text: string; url?: string; attachments?: Attachment[] };

export type MessagesTable = {
  id: string;
  customerId: string | null;
  kind: MessageKind;
  purpose: MessagePurpose;
  templateId: string | null;
  templateVersion: number | null;
  source: MessageSource;
  sourceId: string | null;
  dedupeKey: string | null;
  recipient: string | null;
  content: Json<MessageContent> | null;
  status: MessageStatus;
  reason: string | null;
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lockedUntil: Timestamp | null;
  cleared: Generated<boolean>;
  /** The history's first entry (`queued`, at `createdAt`, no detail) is this row, not a row of message_events (a campaign's messages). */
  firstEventInRow: Generated<boolean>;
  providerId: string | null;
  parts: number | null;
  createdAt: Timestamp;
  sentAt: Timestamp | null;
  updatedAt: Timestamp;
};

export type MessageEventsTable = {
  id: Generated<number>;
  messageId: string;
  customerId: string | null;
  status: string;
  occurredAt: Timestamp;
  detail: ColumnType<Record<string, unknown>, string | undefined, string>;
};

export type MessagingSuppressionsTable = { kind: MessageKind; address: string; reason: string; createdAt: Timestamp };

/** A frequency cap: at most `max` marketing messages in `days` days, on one kind or (null) on all together. */
export type FrequencyCap = { kind: MessageKind | null; max: number; days: number };
/** Local times 'HH:MM' in the customer's zone: no marketing message from `from` until `to` (across midnight when from > to). */
export type QuietHours = { from: string; to: string };

export type MessagingPolicyTable = {
  id: number;
  caps: Json<FrequencyCap[]>;
  quietHours: Json<QuietHours | null>;
  defaultTimezone: string;
  defaultLocale: string;
  programName: string;
  publicUrl: string;
  linkSecret: string;
  globalControlBp: number;
  globalControlSalt: string;
  globalControlRedrawDays: number | null;
  globalControlDrawnAt: Timestamp;
  updatedAt: Timestamp;
};

export type PushSubscriptionsTable = {
  id: string;
  customerId: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  userAgent: string | null;
  createdAt: Timestamp;
  lastSentAt: Timestamp | null;
};

export type TelegramLinksTable = { customerId: string; chatId: string; linkedAt: Timestamp };
/** A one-time deep-link token, kept as its SHA-256 (base64url). */
export type TelegramLinkTokensTable = { tokenHash: string; customerId: string; expiresAt: Timestamp; usedAt: Timestamp | null; createdAt: Timestamp };

export type WebhooksTable = {
  id: string;
  url: string;
  description: string | null;
  secret: string;
  eventTypes: string[];
  active: boolean;
  allowPrivateNetwork: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type WebhookDeliveriesTable = {
  id: string;
  webhookId: string;
  eventId: string;
  eventType: string;
  payload: Json<Record<string, unknown>>;
  status: 'pending' | 'delivered' | 'failed';
  attempts: Generated<number>;
  nextAttemptAt: Timestamp;
  lockedUntil: Timestamp | null;
  responseStatus: number | null;
  lastError: string | null;
  createdAt: Timestamp;
  deliveredAt: Timestamp | null;
};

export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type CampaignAudience = { kind: 'segment'; segmentId: string } | { kind: 'list' };
/** One channel of a variant: its template (and version, fixed when the campaign starts). */
export type CampaignStep = { templateId: string; version?: number };
/** A variant: its share of the messaged customers (basis points) and its channels in fallback order. */
export type CampaignVariant = { key: string; weightBp: number; steps: CampaignStep[] };
/** Now, at an instant, or at a local time on a date in each customer's zone. */
export type CampaignSchedule = { kind: 'now' } | { kind: 'at'; at: string } | { kind: 'local'; date: string; time: string };

export type CampaignsTable = {
  id: string;
  name: string;
  status: CampaignStatus;
  audience: Json<CampaignAudience>;
  variants: Json<CampaignVariant[]>;
  schedule: Json<CampaignSchedule>;
  throttlePerMinute: number | null;
  controlShareBp: number;
  salt: string;
  attributionDays: number;
  audienceSize: number | null;
  controlSize: number | null;
  enqueued: Generated<number>;
  position: string | null;
  startsAt: Timestamp | null;
  startedAt: Timestamp | null;
  completedAt: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type CampaignRecipientsTable = { campaignId: string; customerId: string; arm: string };
export type CampaignListMembersTable = { campaignId: string; customerId: string };

export type JourneyStatus = 'draft' | 'active' | 'paused' | 'archived';
export type JourneysTable = {
  id: string;
  name: string;
  status: JourneyStatus;
  version: number;
  trigger: Json<Record<string, unknown>>;
  steps: Json<Array<Record<string, unknown>>>;
  reentry: 'never' | 'always' | 'after_days';
  reentryDays: number | null;
  controlShareBp: number;
  salt: string;
  activeSince: Timestamp | null;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};
export type JourneyVersionsTable = { journeyId: string; version: number; trigger: Json<Record<string, unknown>>; steps: Json<Array<Record<string, unknown>>>; createdAt: Timestamp };
export type JourneyEntriesTable = {
  id: string;
  journeyId: string;
  version: number;
  customerId: string;
  arm: 'control' | 'journey';
  triggerKey: string;
  status: 'active' | 'completed' | 'exited';
  stepId: string | null;
  wakeAt: Timestamp | null;
  lockedUntil: Timestamp | null;
  context: Json<Record<string, unknown>>;
  enteredAt: Timestamp;
  updatedAt: Timestamp;
  finishedAt: Timestamp | null;
};
export type JourneyEntryStepsTable = { entryId: string; stepId: string; customerId: string; outcome: string; detail: ColumnType<Record<string, unknown>, string | undefined, string>; at: Timestamp };

/** A subscription topic a template may name (topics.ts); names and descriptions per language. */
export type MessageTopicsTable = {
  key: string;
  name: Json<Partial<Record<'ru' | 'en', string>>>;
  description: Json<Partial<Record<'ru' | 'en', string>>>;
  defaultSubscribed: boolean;
  createdAt: Timestamp;
  updatedAt: Timestamp;
};

export type MessagingTables = {
  messageTopics: MessageTopicsTable;
  journeys: JourneysTable;
  journeyVersions: JourneyVersionsTable;
  journeyEntries: JourneyEntriesTable;
  journeyEntrySteps: JourneyEntryStepsTable;
  campaigns: CampaignsTable;
  campaignRecipients: CampaignRecipientsTable;
  campaignListMembers: CampaignListMembersTable;
  messagingChannels: MessagingChannelsTable;
  messageTemplates: MessageTemplatesTable;
  messageTemplateVersions: MessageTemplateVersionsTable;
  messages: MessagesTable;
  messageEvents: MessageEventsTable;
  messagingSuppressions: MessagingSuppressionsTable;
  messagingPolicy: MessagingPolicyTable;
  pushSubscriptions: PushSubscriptionsTable;
  telegramLinks: TelegramLinksTable;
  telegramLinkTokens: TelegramLinkTokensTable;
  webhooks: WebhooksTable;
  webhookDeliveries: WebhookDeliveriesTable;
};
