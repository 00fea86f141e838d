import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * "An entry per survey answered" counts the answers given to Patron's own surveys, not only
 * customer events of that type posted to /v1/events: once per survey a customer answered in the
 * entry period, however often they replaced their answers.
 */
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const survey = async (title: string) => {
  const created = await t.call({
    method: 'POST',
    url: '/v1/surveys',
    payload: { kind: 'nps', status: 'open', title: { ru: title, en: title }, questions: [{ type: 'nps', text: { ru: 'Порекомендуете?', en: 'Would you recommend us?' } }] },
  });
  expect(created.statusCode, created.body).toBe(201);
  return created.json().id as string;
};
const answer = async (surveyId: string, customerId: string, at: string, score: number) => {
  t.clock.set(at);
  const answered = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId, answers: { q1: score } } });
  expect(answered.statusCode, answered.body).toBe(201);
};

describe('lottery entries for surveys answered', () => {
  it('count each survey a customer answered in the period once, and no answer outside it', async () => {
    t.clock.set('2026-02-20T09:00:00Z');
    const anna = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000011' } })).json().id as string;
    const ivan = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000012' } })).json().id as string;
    const lottery = await t.call({
      method: 'POST',
      url: '/v1/lotteries',
      payload: { name: 'Answer and win', entryPeriod: { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' }, rules: [{ kind: 'action', eventType: 'survey.answered', entries: 2 }], prizes: [{ name: 'Mug', count: 1 }] },
    });
    expect(lottery.statusCode, lottery.body).toBe(201);
    const [nps, service] = [await survey('NPS'), await survey('Service')];
    await answer(nps, anna, '2026-03-02T10:00:00Z', 6);
    await answer(nps, anna, '2026-03-03T10:00:00Z', 9); // replaces her answer: still one survey answered
    await answer(service, anna, '2026-03-04T10:00:00Z', 10);
    await answer(nps, ivan, '2026-02-28T10:00:00Z', 8); // before the period
    await answer(service, ivan, '2026-03-08T00:00:00Z', 8); // at its end: out
    // Before the draw, each customer's own count is live (the draw freezes them).
    const own = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/lottery-entries` })).json().items as Array<{ entries: number }>;
    expect((await own(anna)).map((item) => item.entries)).toEqual([4]);
    expect(await own(ivan)).toEqual([]);
  });
});
