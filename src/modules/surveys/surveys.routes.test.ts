import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

let t: TestApp;
let anna: string;
let ivan: string;

export const npsBody = {
  kind: 'nps',
  title: { ru: 'Оцените нас', en: 'Rate us' },
  questions: [
    { type: 'nps', text: { ru: 'Порекомендуете ли вы нас друзьям?', en: 'Would you recommend us to a friend?' } },
    { type: 'text', text: { ru: 'Что улучшить?', en: 'What should we improve?' }, required: false, maxLength: 500 },
  ],
  targetRespondents: 250,
};

beforeAll(async () => {
  t = await createTestApp();
  const create = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  [anna, ivan] = [await create('+79120000101'), await create('+79120000102')];
});
afterAll(async () => t?.close());

async function createSurvey(body: object) {
  const response = await t.call({ method: 'POST', url: '/v1/surveys', payload: body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

describe('creating surveys', () => {
  it('stores a survey with ids and defaults filled in, as a draft', async () => {
    const survey = await createSurvey(npsBody);
    expect(survey).toMatchObject({
      kind: 'nps',
      status: 'draft',
      title: npsBody.title,
      questions: [
        { id: 'q1', type: 'nps', required: true, text: npsBody.questions[0]!.text },
        { id: 'q2', type: 'text', required: false, maxLength: 500 },
      ],
      targetRespondents: 250,
      publicLink: false,
      publicUrl: null,
      thankYou: null,
      respondents: 0,
      version: 1,
    });
    expect(survey.id).toMatch(/^srv_[0-9a-f]{32}$/);
    const row = await t.database.db.selectFrom('surveys').selectAll().where('id', '=', survey.id).executeTakeFirstOrThrow();
    expect(row.questions).toEqual(survey.questions);
    expect((await t.call({ method: 'GET', url: `/v1/surveys/${survey.id}`, role: 'analyst' })).json()).toEqual(survey);
  });

  it.each([
    ['a kind without its question', { ...npsBody, questions: [npsBody.questions[1]] }, 'questions: an nps survey has an nps question (0–10)'],
    ['a title in no language', { ...npsBody, title: {} }, 'title: needs a text in Russian (ru) or English (en), at least one of the two'],
    ['a choice with one option', { kind: 'custom', title: { en: 'x' }, questions: [{ type: 'single_choice', text: { en: 'Pick' }, options: [{ text: { en: 'A' } }] }] }, 'questions/0/options: a single_choice question needs 2 to 30 options; it has 1'],
    ['a rating upside down', { kind: 'csat', title: { en: 'x' }, questions: [{ type: 'rating', text: { en: 'Rate' }, min: 5, max: 1 }] }, 'questions/0/max: must be above min (5) by 1 to 20; it is 1'],
    ['a setting of another type', { kind: 'custom', title: { en: 'x' }, questions: [{ type: 'nps', text: { en: 'Rate' }, options: [] }] }, 'questions/0/options: is not a setting of a nps question'],
    ['two questions of one id', { kind: 'custom', title: { en: 'x' }, questions: [{ id: 'a', type: 'nps', text: { en: 'A' } }, { id: 'a', type: 'text', text: { en: 'B' } }] }, 'questions/1/id: a is the id of an earlier question; each question needs its own'],
  ])('refuses %s in plain words', async (_name, body, detail) => {
    const response = await t.call({ method: 'POST', url: '/v1/surveys', payload: body });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ code: 'survey.invalid', detail });
  });

  it('is refused to roles without surveys:write', async () => {
    expect((await t.call({ method: 'POST', url: '/v1/surveys', payload: npsBody, role: 'analyst' })).statusCode).toBe(403);
  });
});

describe('answering', () => {
  let surveyId: string;
  beforeAll(async () => {
    surveyId = (await createSurvey({ ...npsBody, status: 'open' })).id;
  });

  it('refuses answers to a draft, and answers that do not fit', async () => {
    const draft = (await createSurvey(npsBody)).id;
    const refused = await t.call({ method: 'POST', url: `/v1/surveys/${draft}/responses`, payload: { customerId: anna, answers: { q1: 9 } } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('survey.not_open');
    for (const [answers, detail] of [
      [{ q1: 11 }, 'answers/q1: must be a whole number from 0 to 10'],
      [{ q2: 'Nice' }, 'answers/q1: is required: answer this question'],
      [{ q1: 9, q9: 1 }, 'answers/q9: is no question of this survey; its questions are q1, q2'],
      [{ q1: 9, q2: '   ' }, 'answers/q2: must be a text of 1 to 500 characters'],
    ] as const) {
      const response = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: anna, answers } });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json()).toMatchObject({ code: 'survey.answer_invalid', detail });
    }
    expect(await t.database.db.selectFrom('surveyResponses').selectAll().where('surveyId', '=', surveyId).execute()).toEqual([]);
  });

  it('stores an answer on the customer and emits survey.answered in its transaction', async () => {
    const response = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: anna, answers: { q1: 3, q2: '  Slow till, call me +7 912 000-01-01  ' } }, role: 'pos' });
    expect(response.statusCode, response.body).toBe(201);
    const answer = response.json();
    expect(answer).toMatchObject({ surveyId, customerId: anna, channel: 'api', answers: { q1: 3, q2: 'Slow till, call me +7 912 000-01-01' }, score: 3, replaced: false });
    const events = await t.database.db.selectFrom('outboxEvents').selectAll().where('type', '=', 'survey.answered').execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.customerId).toBe(anna);
    expect(events[0]!.payload).toEqual({
      surveyId,
      responseId: answer.id,
      customerId: anna,
      kind: 'nps',
      score: 3,
      texts: [{ questionId: 'q2', question: 'Что улучшить?', text: 'Slow till, call me +7 912 000-01-01' }],
    });
  });

  it("replaces a customer's earlier answer: one response per customer, the latest kept", async () => {
    t.clock.advance(60_000);
    const again = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: anna, answers: { q1: 10 } } });
    expect(again.statusCode, again.body).toBe(201);
    expect(again.json()).toMatchObject({ customerId: anna, answers: { q1: 10 }, score: 10, replaced: true });
    const rows = await t.database.db.selectFrom('surveyResponses').selectAll().where('surveyId', '=', surveyId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.answers).toEqual({ q1: 10 });
    const events = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'survey.answered').orderBy('eventId').execute();
    expect(events.map((e) => (e.payload as { score: number }).score)).toEqual([3, 10]);
    expect((await t.call({ method: 'GET', url: `/v1/surveys/${surveyId}` })).json().respondents).toBe(1);
  });

  it('takes anonymous answers, lists answers masked for the analyst, and a customer\'s answers', async () => {
    await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { answers: { q1: 7, q2: 'Write to ivan@example.com' } } });
    const forOwner = (await t.call({ method: 'GET', url: `/v1/surveys/${surveyId}/responses` })).json();
    expect(forOwner.items.map((i: { customerId: string | null }) => i.customerId)).toEqual([null, anna]);
    expect(forOwner.items[0].answers.q2).toBe('Write to ivan@example.com');
    const forAnalyst = (await t.call({ method: 'GET', url: `/v1/surveys/${surveyId}/responses`, role: 'analyst' })).json();
    expect(forAnalyst.items[0].answers.q2).toBe('Write to [e-mail]');
    const mine = (await t.call({ method: 'GET', url: `/v1/customers/${anna}/survey-responses`, role: 'support' })).json();
    expect(mine.items).toHaveLength(1);
    expect(mine.items[0]).toMatchObject({ surveyId, surveyKind: 'nps', surveyTitle: npsBody.title, answers: { q1: 10 } });
    const unknown = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: 'cus_0190c0ffee00700080000000000000ab', answers: { q1: 7 } } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('survey.customer_not_found');
  });

  it('locks the questions once answered, in words, but lets the title and status change; deletes only unanswered surveys', async () => {
    const locked = await t.call({ method: 'PATCH', url: `/v1/surveys/${surveyId}`, payload: { questions: [npsBody.questions[0]] } });
    expect(locked.statusCode, locked.body).toBe(409);
    expect(locked.json()).toMatchObject({ code: 'survey.locked' });
    expect(locked.json().detail).toMatch(/^questions: the survey has 2 answers, so its kind and questions can no longer change/);
    const retitled = await t.call({ method: 'PATCH', url: `/v1/surveys/${surveyId}`, payload: { title: { en: 'Rate our shop' }, targetRespondents: null } });
    expect(retitled.statusCode, retitled.body).toBe(200);
    expect(retitled.json()).toMatchObject({ title: { ru: 'Оцените нас', en: 'Rate our shop' }, targetRespondents: null, version: 2 });
    const deleted = await t.call({ method: 'DELETE', url: `/v1/surveys/${surveyId}` });
    expect(deleted.statusCode).toBe(409);
    expect(deleted.json().detail).toContain('close it instead');
    const closed = await t.call({ method: 'PATCH', url: `/v1/surveys/${surveyId}`, payload: { status: 'closed' } });
    expect(closed.json().status).toBe('closed');
    const late = await t.call({ method: 'POST', url: `/v1/surveys/${surveyId}/responses`, payload: { customerId: ivan, answers: { q1: 9 } } });
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('survey.not_open');
    const fresh = (await createSurvey(npsBody)).id;
    expect((await t.call({ method: 'DELETE', url: `/v1/surveys/${fresh}` })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: `/v1/surveys/${fresh}` })).statusCode).toBe(404);
  });
});
