import type { FieldProblem } from '../../platform/errors.ts';

/**
 * What a journey is: a trigger, then steps by id, each naming the next (a condition names two).
 * The first step is where an entry starts. Checked when saved: every step names steps that
 * exist, the steps run forward (no step leads back to one before it: each step happens at most
 * once per entry, which is what keeps a redone step from sending twice; a repeat is a new entry,
 * as the re-entry rule allows), and each step's settings are in range; templates, segments, promotions and webhooks named must exist (journeys.ts asks).
 */
export const journeyTriggers = [
  'customer.created', 'receipt.confirmed', 'points.expiring', 'tier.changed', 'customer.birthday', 'segment.entered', 'customer.action', 'no_purchase',
] as const;
export type JourneyTriggerEvent = (typeof journeyTriggers)[number];

export type JourneyTrigger = {
  event: JourneyTriggerEvent;
  /** customer.action: the custom event's type ("cart.updated"); segment.entered: the segment. */
  actionType?: string;
  segmentId?: string;
  /** no_purchase: days since the last purchase. */
  days?: number;
};

export type Condition =
  | { kind: 'segment'; segmentId: string; member: boolean }
  | { kind: 'purchased_since_entry'; value: boolean }
  | { kind: 'has_contact'; channel: 'email' | 'sms' | 'push' | 'telegram'; value: boolean }
  | { kind: 'context'; path: string; op: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'present'; value?: string | number | boolean };

export type JourneyStep =
  | { id: string; kind: 'wait'; minutes?: number; untilLocalTime?: string; next: string | null }
  | { id: string; kind: 'condition'; if: Condition; then: string | null; else: string | null }
  | { id: string; kind: 'send'; templateId: string; next: string | null }
  | { id: string; kind: 'award_points'; points: number; reason: string; next: string | null }
  | { id: string; kind: 'promo_code'; promotionId: string; validDays: number; next: string | null }
  | { id: string; kind: 'tag'; tag: string; next: string | null }
  | { id: string; kind: 'webhook'; webhookId: string; next: string | null }
  | { id: string; kind: 'exit' };

export type JourneyDefinition = { trigger: JourneyTrigger; steps: JourneyStep[] };

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function nextSteps(step: JourneyStep): Array<string | null> {
  switch (step.kind) {
    case 'condition': return [step.then, step.else];
    case 'exit': return [];
    default: return [step.next];
  }
}

/** Problems of the shape alone (ids, links, ranges, cycles); [] when it may be saved. */
export function checkDefinition(definition: JourneyDefinition): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { trigger, steps } = definition;
  if (trigger.event === 'customer.action' && !trigger.actionType) problems.push({ field: 'trigger.actionType', reason: 'is required for customer.action: the custom event type to start on' });
  if (trigger.event === 'segment.entered' && !trigger.segmentId) problems.push({ field: 'trigger.segmentId', reason: 'is required for segment.entered' });
  if (trigger.event === 'no_purchase' && !(Number.isInteger(trigger.days) && trigger.days! >= 1 && trigger.days! <= 730)) problems.push({ field: 'trigger.days', reason: 'is required for no_purchase: whole days from 1 to 730' });
  if (steps.length === 0) problems.push({ field: 'steps', reason: 'must hold at least one step' });
  const byId = new Map<string, JourneyStep>();
  steps.forEach((step, i) => {
    if (byId.has(step.id)) problems.push({ field: `steps.${i}.id`, reason: `repeats step ${step.id}` });
    byId.set(step.id, step);
    if (step.kind === 'wait') {
      if (step.minutes === undefined && step.untilLocalTime === undefined) problems.push({ field: `steps.${i}`, reason: 'a wait needs minutes, untilLocalTime or both' });
      if (step.minutes !== undefined && !(Number.isInteger(step.minutes) && step.minutes >= 1 && step.minutes <= 366 * 24 * 60)) problems.push({ field: `steps.${i}.minutes`, reason: 'must be whole minutes from 1 to a year' });
      if (step.untilLocalTime !== undefined && !HHMM.test(step.untilLocalTime)) problems.push({ field: `steps.${i}.untilLocalTime`, reason: 'must be a local time HH:MM' });
    }
    if (step.kind === 'award_points' && !(Number.isSafeInteger(step.points) && step.points > 0)) problems.push({ field: `steps.${i}.points`, reason: 'must be a whole number of points above 0' });
    if (step.kind === 'promo_code' && !(Number.isInteger(step.validDays) && step.validDays >= 1 && step.validDays <= 366)) problems.push({ field: `steps.${i}.validDays`, reason: 'must be whole days from 1 to 366' });
  });
  let linked = steps.length > 0;
  steps.forEach((step, i) => {
    nextSteps(step).forEach((next) => {
      if (next !== null && !byId.has(next)) {
        problems.push({ field: `steps.${i}`, reason: `names step ${next}, which is not in the journey` });
        linked = false;
      }
    });
  });
  // Loops can be looked for only once every link leads somewhere.
  if (!linked) return problems;
  const state = new Map<string, 'open' | 'done'>();
  const visit = (id: string, path: string[]): void => {
    const step = byId.get(id)!;
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'open') {
      const loop = path.slice(path.indexOf(id));
      problems.push({ field: 'steps', reason: `steps ${loop.join(' → ')} → ${id} go round in a loop; a journey runs forward (re-entry repeats it)` });
      return;
    }
    state.set(id, 'open');
    for (const next of nextSteps(step)) if (next !== null) visit(next, [...path, id]);
    state.set(id, 'done');
  };
  visit(steps[0]!.id, []);
  return problems;
}

/** Where a customer's context holds a value (the trigger event's payload): a dotted path. */
export function contextValue(context: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined), context);
}

export function compare(op: Extract<Condition, { kind: 'context' }>['op'], actual: unknown, expected: unknown): boolean {
  if (op === 'present') return actual !== undefined && actual !== null && actual !== '';
  if (op === 'eq') return actual === expected;
  if (op === 'ne') return actual !== expected;
  if (typeof actual !== 'number' || typeof expected !== 'number') return false;
  switch (op) {
    case 'gt': return actual > expected;
    case 'gte': return actual >= expected;
    case 'lt': return actual < expected;
    case 'lte': return actual <= expected;
  }
}
