import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';
import { PUBLIC_ANSWERS_PER_HOUR } from './responses.ts';

/**
 * Answers under concurrency, on real PostgreSQL (PGlite serves one connection at a time): a
 * customer answering many times at once keeps one answer (and the report counts them once); many
 * public answers from one address at once are held to the hourly limit exactly; a change of the
 * questions racing the first answer either lands before it or is refused.
 */
describe.runIf(onPostgres)('survey answers under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  let customer: string;
  const create = async (body: object) => (await t.call({ method: 'POST', url: '/v1/surveys', payload: { kind: 'nps', status: 'open', title: { en: 'NPS' }, questions: [{ type: 'nps', text: { en: 'Recommend us?' } }], ...body } })).json().id as string;
  beforeAll(async () => {
    t = await createTestApp();
    customer = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79125550001' } })).json().id;
  });
  afterAll(async () => t?.close());

  it("keeps one answer of a customer's many at once", async () => {
    const id = await create({});
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => t.services.surveys.answer(id, { customerId: customer, answers: { q1: i % 11 } })));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const rows = await t.database.db.selectFrom('surveyResponses').selectAll().where('surveyId', '=', id).execute();
    expect(rows).toHaveLength(1);
    expect(results.filter((r) => r.status === 'fulfilled' && !r.value.replaced)).toHaveLength(1);
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'survey.answered').execute();
    expect(events.filter((e) => (e.payload as { surveyId: string }).surveyId === id)).toHaveLength(20);
    expect((await t.call({ method: 'GET', url: `/v1/surveys/${id}/report` })).json().respondents).toBe(1);
  });

  it(`takes exactly ${PUBLIC_ANSWERS_PER_HOUR} public answers an hour from one address, however many arrive at once`, async () => {
    const id = await create({ publicLink: true });
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => t.services.surveys.answerPublic(id, { q1: 9 }, { ip: '203.0.113.50' })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(PUBLIC_ANSWERS_PER_HOUR);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(Array(30 - PUBLIC_ANSWERS_PER_HOUR).fill('survey.rate_limited'));
    expect(await t.database.db.selectFrom('surveyResponses').select('id').where('surveyId', '=', id).execute()).toHaveLength(PUBLIC_ANSWERS_PER_HOUR);
  });

  it('lets a change of the questions and the first answer not cross', async () => {
    for (let round = 0; round < 5; round++) {
      const id = await create({});
      const [answer, patch] = await Promise.allSettled([
        t.services.surveys.answer(id, { answers: { q1: 5 } }),
        t.call({ method: 'PATCH', url: `/v1/surveys/${id}`, payload: { questions: [{ type: 'nps', text: { en: 'Would you recommend us?' } }] } }),
      ]);
      const patched = patch.status === 'fulfilled' && patch.value.statusCode === 200;
      const answered = answer.status === 'fulfilled';
      // Either the change came first (the answer fits the new questions too) or it was refused in words.
      expect(answered).toBe(true);
      if (!patched) expect(patch.status === 'fulfilled' && patch.value.json().code).toBe('survey.locked');
      const survey = (await t.call({ method: 'GET', url: `/v1/surveys/${id}` })).json();
      expect(survey.respondents).toBe(1);
      expect(survey.questions[0].text.en).toBe(patched ? 'Would you recommend us?' : 'Recommend us?');
    }
  });
});
