import { describe, expect, it } from 'vitest';
import { END, blankJourney, blankStep, fromJourney, newStepId, stepProblems, toInput, toSteps, type StepDraft } from '../../web/src/pages/messaging/journey-draft.ts';
import type { Journey, JourneyStep } from '../../web/src/pages/messaging/messaging-types.ts';

/** The journey builder's model: what it sends for what was typed, and reading a saved journey back. */
const journeyOf = (steps: JourneyStep[], more: Partial<Journey> = {}): Journey => ({
  id: 'jrn_1', name: 'J', status: 'draft', version: 1, trigger: { event: 'customer.created' }, steps, reentry: 'never', reentryDays: null, controlShareBp: 1000, createdAt: '', updatedAt: '', ...more,
});

describe('journey draft', () => {
  it.each<[string, JourneyStep[]]>([
    ['a straight line', [{ id: 'a', kind: 'wait', minutes: 1440, next: 'b' }, { id: 'b', kind: 'send', templateId: 'tpl_1', next: null }]],
    ['a wait in hours and until a time', [{ id: 'a', kind: 'wait', minutes: 120, untilLocalTime: '10:00', next: null }]],
    ['a wait in minutes', [{ id: 'a', kind: 'wait', minutes: 90, next: null }]],
    ['a check jumping ahead', [
      { id: 'c', kind: 'condition', if: { kind: 'segment', segmentId: 'seg_1', member: false }, then: 'x', else: null },
      { id: 'p', kind: 'award_points', points: 5, reason: 'r', next: 'x' },
      { id: 'x', kind: 'exit' },
    ]],
    ['an early end and every other kind', [
      { id: 'q', kind: 'condition', if: { kind: 'context', path: 'points', op: 'gte', value: 100 }, then: 'g', else: 'h' },
      { id: 'g', kind: 'promo_code', promotionId: 'prm_1', validDays: 7, next: null },
      { id: 'h', kind: 'tag', tag: 'vip', next: 'w' },
      { id: 'w', kind: 'webhook', webhookId: 'whk_1', next: null },
      { id: 'k', kind: 'condition', if: { kind: 'has_contact', channel: 'sms', value: true }, then: null, else: null },
    ]],
  ])('reads %s back as it was saved', (_name, steps) => {
    expect(toSteps(fromJourney(journeyOf(steps)).steps)).toEqual(steps);
  });

  it('keeps the way to the step below when steps move, and a named jump on its step', () => {
    const steps = fromJourney(journeyOf([
      { id: 'a', kind: 'wait', minutes: 60, next: 'b' },
      { id: 'b', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'd' },
      { id: 'c', kind: 'tag', tag: 't', next: 'd' },
      { id: 'd', kind: 'send', templateId: 'tpl_1', next: null },
    ])).steps;
    const [a, b, c, d] = steps as [StepDraft, StepDraft, StepDraft, StepDraft];
    expect(toSteps([b, a, c, d])).toEqual([
      { id: 'b', kind: 'condition', if: { kind: 'purchased_since_entry', value: true }, then: null, else: 'd' },
      { id: 'a', kind: 'wait', minutes: 60, next: 'c' },
      { id: 'c', kind: 'tag', tag: 't', next: 'd' },
      { id: 'd', kind: 'send', templateId: 'tpl_1', next: null },
    ]);
  });

  it('sends what was typed: empty left out, whole numbers as numbers, anything else as typed for the server to name', () => {
    const wait = { ...blankStep('wait', 'w'), amount: '', untilLocalTime: '' };
    const points = { ...blankStep('award_points', 'p'), points: '12a', reason: '' };
    const check = { ...blankStep('condition', 'c'), else: END, condition: { ...blankStep('condition', 'c').condition, kind: 'context' as const, path: 'type', op: 'eq' as const, value: 'gold' } };
    expect(toSteps([wait, points, check])).toEqual([
      { id: 'w', kind: 'wait', next: 'p' },
      { id: 'p', kind: 'award_points', points: '12a', next: 'c' },
      { id: 'c', kind: 'condition', if: { kind: 'context', path: 'type', op: 'eq', value: 'gold' }, then: null, else: null },
    ]);
  });

  it('makes the journey body: control share in basis points, the trigger’s unused keys null in a patch', () => {
    const draft = { ...blankJourney(), name: 'N', controlPercent: '12,5', trigger: { event: 'no_purchase' as const, actionType: 'x', segmentId: '', days: '45' }, steps: [blankStep('exit', 'e')] };
    expect(toInput(draft, false)).toEqual({ name: 'N', trigger: { event: 'no_purchase', days: 45 }, steps: [{ id: 'e', kind: 'exit' }], reentry: 'never', controlShareBp: 1250 });
    expect(toInput({ ...draft, reentry: 'after_days', reentryDays: '30' }, true)).toMatchObject({ trigger: { event: 'no_purchase', actionType: null, segmentId: null, days: 45 }, reentryDays: 30 });
    expect(toInput(draft, true)).toMatchObject({ reentryDays: null });
  });

  it('names new steps by kind and place, never twice', () => {
    expect(newStepId('award_points', [])).toBe('award-points-1');
    expect(newStepId('wait', [blankStep('wait', 'wait-2')])).toBe('wait-3');
  });

  it('places the server’s words at the step and field they name', () => {
    const error = { status: 400, code: 'messaging.invalid_journey', fields: [
      { field: 'steps.0', reason: 'a wait needs minutes' },
      { field: 'steps.1.templateId', reason: 'is required: choose the template' },
      { field: 'steps.2.if.segmentId', reason: 'no segment seg_x' },
      { field: 'name', reason: 'is required' },
    ] };
    const found = stepProblems(error);
    expect([...found.keys()]).toEqual([0, 1, 2]);
    expect(found.get(0)?.get('')).toBe('a wait needs minutes');
    expect(found.get(1)?.get('templateId')).toBe('is required: choose the template');
    expect(found.get(2)?.get('if.segmentId')).toBe('no segment seg_x');
    expect(stepProblems(null).size).toBe(0);
  });
});
