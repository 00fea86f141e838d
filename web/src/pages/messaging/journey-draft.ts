import type { Journey, JourneyStep, JourneyTrigger } from './messaging-types.ts';

/**
 * The journey builder's model: what the marketer edits (text as typed, a step's way on as "the
 * step below", "end" or a step id) and its translation to the API's journey (steps by id, each
 * naming the next). Steps follow one another by default, so moving a step keeps the flow in order;
 * a way to a named step stays on that step wherever it moves.
 */
export const stepKinds = ['wait', 'condition', 'send', 'award_points', 'promo_code', 'tag', 'webhook', 'exit'] as const;
export type StepKind = (typeof stepKinds)[number];
export const triggerEvents = ['customer.created', 'receipt.confirmed', 'points.expiring', 'tier.changed', 'customer.birthday', 'segment.entered', 'customer.action', 'no_purchase'] as const;
export const conditionKinds = ['purchased_since_entry', 'segment', 'has_contact', 'context'] as const;
export const contextOps = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'present'] as const;
export type WaitUnit = 'minutes' | 'hours' | 'days';
const UNIT_MINUTES: Record<WaitUnit, number> = { minutes: 1, hours: 60, days: 1440 };

/** Where a step leads: the step below it, the end of the journey, or a step by id. */
export type Goto = string;
export const NEXT = ':next';
export const END = ':end';

export type StepDraft = {
  id: string;
  kind: StepKind;
  amount: string;
  unit: WaitUnit;
  untilLocalTime: string;
  templateId: string;
  points: string;
  reason: string;
  promotionId: string;
  validDays: string;
  tag: string;
  webhookId: string;
  condition: { kind: (typeof conditionKinds)[number]; segmentId: string; yes: boolean; channel: 'email' | 'sms' | 'push' | 'telegram'; path: string; op: (typeof contextOps)[number]; value: string };
  next: Goto;
  then: Goto;
  else: Goto;
};

export type JourneyDraft = {
  name: string;
  trigger: { event: JourneyTrigger['event']; actionType: string; segmentId: string; days: string };
  reentry: Journey['reentry'];
  reentryDays: string;
  controlPercent: string;
  steps: StepDraft[];
};

export const blankStep = (kind: StepKind, id: string): StepDraft => ({
  id,
  kind,
  amount: kind === 'wait' ? '1' : '',
  unit: 'days',
  untilLocalTime: '',
  templateId: '',
  points: '',
  reason: '',
  promotionId: '',
  validDays: '14',
  tag: '',
  webhookId: '',
  condition: { kind: 'purchased_since_entry', segmentId: '', yes: true, channel: 'email', path: '', op: 'eq', value: '' },
  next: NEXT,
  then: NEXT,
  else: END,
});

export const blankJourney = (): JourneyDraft => ({
  name: '',
  trigger: { event: 'customer.created', actionType: '', segmentId: '', days: '60' },
  reentry: 'never',
  reentryDays: '',
  controlPercent: '10',
  steps: [],
});

/** A new step id not yet in the journey: its kind and a number (wait-1, send-2). */
export function newStepId(kind: StepKind, steps: StepDraft[]): string {
  const taken = new Set(steps.map((s) => s.id));
  for (let n = steps.length + 1; ; n++) if (!taken.has(`${kind.replace('_', '-')}-${n}`)) return `${kind.replace('_', '-')}-${n}`;
}

/** Text as typed to what the API takes: empty is left out, a whole number is a number, anything else goes as typed (the server says what is wrong). */
const whole = (text: string): number | string | undefined => {
  const value = text.trim();
  if (value === '') return undefined;
  return /^\d+$/.test(value) ? Number(value) : value;
};
const scalar = (text: string): string | number | boolean => (text === 'true' ? true : text === 'false' ? false : /^-?\d+(\.\d+)?$/.test(text.trim()) ? Number(text) : text);

const target = (goto: Goto, following: string | null): string | null => (goto === NEXT ? following : goto === END ? null : goto);
const gotoOf = (next: string | null, following: string | null): Goto => (next === following ? NEXT : next === null ? END : next);

function toStep(s: StepDraft, following: string | null): JourneyStep {
  const next = target(s.next, following);
  const only = <T extends object>(fields: T) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) as T;
  switch (s.kind) {
    case 'wait': {
      const amount = whole(s.amount);
      const minutes = typeof amount === 'number' ? amount * UNIT_MINUTES[s.unit] : amount;
      return { id: s.id, kind: 'wait', ...only({ minutes, untilLocalTime: s.untilLocalTime }), next } as JourneyStep;
    }
    case 'condition': {
      const c = s.condition;
      const condition =
        c.kind === 'segment' ? { kind: c.kind, segmentId: c.segmentId, member: c.yes }
        : c.kind === 'purchased_since_entry' ? { kind: c.kind, value: c.yes }
        : c.kind === 'has_contact' ? { kind: c.kind, channel: c.channel, value: c.yes }
        : { kind: c.kind, path: c.path, op: c.op, ...(c.op === 'present' || c.value === '' ? {} : { value: scalar(c.value) }) };
      return { id: s.id, kind: 'condition', if: condition, then: target(s.then, following), else: target(s.else, following) };
    }
    case 'send':
      return { id: s.id, kind: 'send', templateId: s.templateId, next };
    case 'award_points':
      return { id: s.id, kind: 'award_points', ...only({ points: whole(s.points), reason: s.reason }), next } as JourneyStep;
    case 'promo_code':
      return { id: s.id, kind: 'promo_code', promotionId: s.promotionId, ...only({ validDays: whole(s.validDays) }), next } as JourneyStep;
    case 'tag':
      return { id: s.id, kind: 'tag', ...only({ tag: s.tag.trim() }), next } as JourneyStep;
    case 'webhook':
      return { id: s.id, kind: 'webhook', webhookId: s.webhookId, next };
    case 'exit':
      return { id: s.id, kind: 'exit' };
  }
}

export const toSteps = (steps: StepDraft[]): JourneyStep[] => steps.map((s, i) => toStep(s, steps[i + 1]?.id ?? null));

function fromStep(step: JourneyStep, following: string | null): StepDraft {
  const s = blankStep(step.kind, step.id);
  if ('next' in step) s.next = gotoOf(step.next, following);
  switch (step.kind) {
    case 'wait': {
      const m = step.minutes;
      const unit: WaitUnit = m === undefined || m % 1440 === 0 ? 'days' : m % 60 === 0 ? 'hours' : 'minutes';
      return { ...s, amount: m === undefined ? '' : String(m / UNIT_MINUTES[unit]), unit, untilLocalTime: step.untilLocalTime ?? '' };
    }
    case 'condition': {
      const c = step.if as Record<string, unknown>;
      const kind = c.kind as StepDraft['condition']['kind'];
      return {
        ...s,
        then: gotoOf(step.then, following),
        else: gotoOf(step.else, following),
        condition: {
          ...s.condition,
          kind,
          segmentId: String(c.segmentId ?? ''),
          yes: Boolean(kind === 'segment' ? c.member : (c.value ?? true)),
          channel: (c.channel as StepDraft['condition']['channel']) ?? 'email',
          path: String(c.path ?? ''),
          op: (c.op as StepDraft['condition']['op']) ?? 'eq',
          value: kind === 'context' && c.value !== undefined ? String(c.value) : '',
        },
      };
    }
    case 'send':
      return { ...s, templateId: step.templateId };
    case 'award_points':
      return { ...s, points: String(step.points), reason: step.reason };
    case 'promo_code':
      return { ...s, promotionId: step.promotionId, validDays: String(step.validDays) };
    case 'tag':
      return { ...s, tag: step.tag };
    case 'webhook':
      return { ...s, webhookId: step.webhookId };
    case 'exit':
      return s;
  }
}

export function fromJourney(journey: Journey): JourneyDraft {
  return {
    name: journey.name,
    trigger: { event: journey.trigger.event as JourneyTrigger['event'], actionType: journey.trigger.actionType ?? '', segmentId: journey.trigger.segmentId ?? '', days: journey.trigger.days === undefined ? '' : String(journey.trigger.days) },
    reentry: journey.reentry,
    reentryDays: journey.reentryDays === null ? '' : String(journey.reentryDays),
    controlPercent: String(journey.controlShareBp / 100),
    steps: journey.steps.map((step, i) => fromStep(step, journey.steps[i + 1]?.id ?? null)),
  };
}

/** The draft as the API's journey. `patch`: the trigger's unused keys sent as null, so a merge patch drops them. */
export function toInput(draft: JourneyDraft, patch: boolean) {
  const t = draft.trigger;
  const trigger: Record<string, unknown> = { event: t.event };
  const keep = (key: string, value: unknown, used: boolean) => {
    if (used && value !== undefined && value !== '') trigger[key] = value;
    else if (patch) trigger[key] = null;
  };
  keep('actionType', t.actionType.trim(), t.event === 'customer.action');
  keep('segmentId', t.segmentId, t.event === 'segment.entered');
  keep('days', whole(t.days), t.event === 'no_purchase');
  const percent = draft.controlPercent.trim();
  const share = /^\d+([.,]\d{1,2})?$/.test(percent) ? Math.round(Number(percent.replace(',', '.')) * 100) : percent === '' ? undefined : percent;
  const reentryDays = draft.reentry === 'after_days' ? whole(draft.reentryDays) : undefined;
  return {
    name: draft.name,
    trigger,
    steps: toSteps(draft.steps),
    reentry: draft.reentry,
    ...(reentryDays !== undefined ? { reentryDays } : patch ? { reentryDays: null } : {}),
    ...(share !== undefined ? { controlShareBp: share } : {}),
  };
}

/** The server's words about one step, by its place: `steps.2.templateId` → step 2's templateId; `steps.2` → the step as a whole (key ''). */
export function stepProblems(error: unknown): Map<number, Map<string, string>> {
  const found = new Map<number, Map<string, string>>();
  // Read as the ApiError holds them (the problem+json's errors), without importing the browser's api module.
  const fields = (error as { fields?: Array<{ field: string; reason: string }> } | null)?.fields ?? [];
  for (const { field, reason } of fields) {
    const m = /^(?:body\.)?steps\.(\d+)(?:\.(.+))?$/.exec(field);
    if (!m) continue;
    const at = Number(m[1]);
    const place = found.get(at) ?? new Map<string, string>();
    const key = m[2] ?? '';
    place.set(key, place.has(key) ? `${place.get(key)}; ${reason}` : reason);
    found.set(at, place);
  }
  return found;
}
