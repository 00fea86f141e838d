/** Messaging as the API answers it: templates, campaigns, journeys and their reports (docs/messaging.md). */
export type MessageKind = 'email' | 'sms' | 'push' | 'telegram';
export const messageKinds: MessageKind[] = ['email', 'sms', 'push', 'telegram'];
/** The parts each kind of template has, in the order an editor shows them; optional ones may stay empty. */
export const partsOf: Record<MessageKind, Array<{ name: string; optional?: boolean; long?: boolean }>> = {
  email: [{ name: 'subject' }, { name: 'text', long: true }, { name: 'html', optional: true, long: true }],
  sms: [{ name: 'text', long: true }],
  push: [{ name: 'title' }, { name: 'body', long: true }, { name: 'url', optional: true }],
  telegram: [{ name: 'text', long: true }],
};

export type Template = {
  id: string;
  name: string;
  kind: MessageKind;
  purpose: 'marketing' | 'service';
  topic: string | null;
  version: number;
  parts: Record<string, string>;
  createdAt: string;
  updatedAt: string;
};

export type Preview = { templateId: string; version: number; kind: MessageKind; customerId: string; parts: Record<string, string>; content: { subject?: string; html?: string; text: string; url?: string } };
export type DraftPreview = Omit<Preview, 'templateId' | 'version'>;
export type Message = { id: string; status: string; recipient: string | null; reason: string | null };

export type Schedule = { kind: 'now' } | { kind: 'at'; at: string } | { kind: 'local'; date: string; time: string };
export type CampaignStatus = 'draft' | 'scheduled' | 'running' | 'paused' | 'completed' | 'cancelled';
export type Campaign = {
  id: string;
  name: string;
  status: CampaignStatus;
  audience: { kind: 'segment' | 'list'; segmentId?: string; listSize?: number };
  variants: Array<{ key: string; weightBp: number; steps: Array<{ templateId: string; version?: number }> }>;
  schedule: Schedule;
  throttlePerMinute: number | null;
  controlShareBp: number;
  attributionDays: number;
  progress: { audience: number | null; control: number | null; toMessage: number | null; queued: number };
  startsAt: string | null;
  startedAt: string | null;
  completedAt: string | null;
  createdAt: string;
};

export type Segment = { id: string; name: string; memberCount: number };

export type Interval = { lower: number; upper: number };
export type Metric = { control: number | null; variant: number | null; estimate: number | null; ci: Interval | null; relative: number | null; pValue: number | null; significant: boolean; reason?: string | null; bootstrapCi?: Interval | null };
export type ArmSummary = { key: string; label: string; recipients: number; conversionRate: number | null; revenuePerRecipient: number | null };
export type Comparison = {
  control: ArmSummary;
  variant: ArmSummary;
  alpha: number;
  metrics: { conversion: Metric; revenuePerRecipient: Metric };
  incrementalRevenue: { estimate: number | null; ci: Interval | null };
  verdict: { outcome: string; winner: string | null; en: string; ru: string };
};
export type Experiment = { srm: { flagged: boolean; pValue: number | null }; alpha: number; comparisons: Comparison[] };

export type CampaignReport = {
  campaignId: string;
  status: string;
  window: { from: string; to: string; complete: boolean };
  currency: string;
  arms: Array<{ key: string; recipients: number; sent: number; delivered: number; opened: number; clicked: number; converted: number; revenueMinor: number }>;
  experiment: Experiment | null;
};

export type JourneyStep =
  | { id: string; kind: 'wait'; minutes?: number; untilLocalTime?: string; next: string | null }
  | { id: string; kind: 'condition'; if: { kind: string; [key: string]: unknown }; then: string | null; else: string | null }
  | { id: string; kind: 'send'; templateId: string; next: string | null }
  | { id: string; kind: 'award_points'; points: number; reason: string; next: string | null }
  | { id: string; kind: 'promo_code'; promotionId: string; validDays: number; next: string | null }
  | { id: string; kind: 'tag'; tag: string; next: string | null }
  | { id: string; kind: 'webhook'; webhookId: string; next: string | null }
  | { id: string; kind: 'exit' };
export type JourneyTrigger = { event: string; actionType?: string; segmentId?: string; days?: number };
export type Journey = {
  id: string;
  name: string;
  status: 'draft' | 'active' | 'paused' | 'archived';
  version: number;
  trigger: JourneyTrigger;
  steps: JourneyStep[];
  reentry: 'never' | 'always' | 'after_days';
  reentryDays: number | null;
  controlShareBp: number;
  createdAt: string;
  updatedAt: string;
};
export type Recipe = { recipe: string; name: string; description: string; trigger: JourneyTrigger };
export type JourneyEntry = { id: string; arm: 'control' | 'journey'; status: 'active' | 'completed' | 'exited'; stepId: string | null; steps: Array<{ stepId: string; outcome: string; at: string }> };
export type JourneyReport = {
  journeyId: string;
  window: { from: string; to: string; attributionDays: number; complete: boolean };
  currency: string;
  arms: Array<{ key: string; entries: number; entrants: number; messaged: number; delivered: number; opened: number; clicked: number; converted: number; revenueMinor: number; revenuePerEntrantMinor: number | null }>;
  uplift: { verdict: { outcome: string; en: string; ru: string } } | null;
  reason: string | null;
  experiment: Experiment | null;
};

/** A subscription topic (GET /v1/messaging/topics): what a template names and a customer may leave. */
export type Localized = { ru?: string; en?: string };
export type Topic = { key: string; name: Localized; description: Localized; defaultSubscribed: boolean; createdAt: string; updatedAt: string };
