import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { PUBLIC_ANSWERS_PER_HOUR } from './responses.ts';

let t: TestApp;
let anna: string;
let ivan: string;
let surveyId: string;
let otherId: string;

const body = {
  kind: 'nps',
  status: 'open',
  title: { ru: 'Оцените нас', en: 'Rate us' },
  questions: [
    { type: 'nps', text: { ru: 'Порекомендуете?', en: 'Recommend us?' } },
    { type: 'text', text: { en: 'Why?' }, required: false },
  ],
};

beforeAll(async () => {
  t = await createTestApp();
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.example/' } });
  const create = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  [anna, ivan] = [await create('+79120000301'), await create('+79120000302')];
  surveyId = (await t.call({ method: 'POST', url: '/v1/surveys', payload: body })).json().id;
  otherId = (await t.call({ method: 'POST', url: '/v1/surveys', payload: { ...body, publicLink: true } })).json().id;
});
afterAll(async () => t?.close());

const tokenOf = (url: string) => url.replace('https://club.example/s/', '');

describe('per-customer links', () => {
  it("signs a link under the messaging policy's public address, and opens it for that customer", async () => {
    const url = await t.services.surveys.linkFor(surveyId, anna);
    expect(url).toMatch(new RegExp(`^https://club\\.example/s/${surveyId}\\.${anna}\\.[A-Za-z0-9_-]{27}$`));
    const opened = await t.services.surveys.openByToken(tokenOf(url));
    expect(opened).toEqual({
      state: 'open',
      survey: { id: surveyId, kind: 'nps', status: 'open', title: body.title, questions: expect.any(Array), thankYou: null },
      customerId: anna,
      alreadyAnswered: false,
      previousAnswers: null,
    });
    const secret = (await t.database.db.selectFrom('surveySettings').select('linkSecret').executeTakeFirstOrThrow()).linkSecret;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(url).not.toContain(secret);
  });

  it('refuses a forged token, one altered to another customer or survey, and garbage', async () => {
    const token = tokenOf(await t.services.surveys.linkFor(surveyId, anna));
    const [, , mac] = token.split('.');
    for (const forged of [
      `${surveyId}.${ivan}.${mac}`,
      `${otherId}.${anna}.${mac}`,
      `${surveyId}.${anna}.${'A'.repeat(27)}`,
      `${surveyId}.${anna}`,
      'nonsense',
      tokenOf(await t.services.surveys.linkFor(otherId, anna)).replace(otherId, surveyId),
    ]) {
      expect(await t.services.surveys.openByToken(forged)).toEqual({ state: 'invalid' });
      await expect(t.services.surveys.answerByToken(forged, { q1: 9 })).rejects.toMatchObject({ code: 'survey.link_invalid' });
    }
    expect(await t.database.db.selectFrom('surveyResponses').selectAll().execute()).toEqual([]);
  });

  it('records the answer as the customer\'s, shows it when the link is opened again, and replaces it on a second answer', async () => {
    const token = tokenOf(await t.services.surveys.linkFor(surveyId, anna));
    const first = await t.services.surveys.answerByToken(token, { q1: 4, q2: 'Queues' }, { ip: '203.0.113.9', userAgent: 'Firefox' });
    expect(first).toMatchObject({ surveyId, customerId: anna, channel: 'link', score: 4, replaced: false });
    const row = await t.database.db.selectFrom('surveyResponses').selectAll().where('id', '=', first.id).executeTakeFirstOrThrow();
    expect(row.ipHash).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(JSON.stringify(row)).not.toContain('203.0.113.9');
    expect(await t.services.surveys.openByToken(token)).toMatchObject({ state: 'open', alreadyAnswered: true, previousAnswers: { q1: 4, q2: 'Queues' } });
    const second = await t.services.surveys.answerByToken(token, { q1: 9, q2: 'Better now' }, {});
    expect(second).toMatchObject({ id: first.id, answers: { q1: 9, q2: 'Better now' }, replaced: true });
    expect(await t.database.db.selectFrom('surveyResponses').select('id').where('surveyId', '=', surveyId).execute()).toHaveLength(1);
  });

  it('says closed for a closed survey and refuses its answers', async () => {
    const token = tokenOf(await t.services.surveys.linkFor(surveyId, ivan));
    await t.call({ method: 'PATCH', url: `/v1/surveys/${surveyId}`, payload: { status: 'closed' } });
    expect(await t.services.surveys.openByToken(token)).toMatchObject({ state: 'closed', survey: { id: surveyId, status: 'closed' } });
    await expect(t.services.surveys.answerByToken(token, { q1: 9 })).rejects.toMatchObject({ code: 'survey.not_open' });
    await t.call({ method: 'PATCH', url: `/v1/surveys/${surveyId}`, payload: { status: 'open' } });
    expect(await t.services.surveys.openByToken(token)).toMatchObject({ state: 'open' });
  });
});

describe('public links', () => {
  it('opens only a survey with publicLink on, and answers anonymously', async () => {
    expect(await t.services.surveys.openPublic(surveyId)).toEqual({ state: 'invalid' });
    await expect(t.services.surveys.answerPublic(surveyId, { q1: 9 })).rejects.toMatchObject({ code: 'survey.link_invalid' });
    expect(await t.services.surveys.openPublic(otherId)).toMatchObject({ state: 'open', customerId: null, alreadyAnswered: false });
    expect((await t.call({ method: 'GET', url: `/v1/surveys/${otherId}` })).json().publicUrl).toBe(`https://club.example/s/p/${otherId}`);
    const answer = await t.services.surveys.answerPublic(otherId, { q1: 10 }, { ip: '198.51.100.1' });
    expect(answer).toMatchObject({ customerId: null, channel: 'public', score: 10 });
  });

  it(`takes at most ${PUBLIC_ANSWERS_PER_HOUR} answers an hour from one address, counted in the database`, async () => {
    t.clock.set('2026-03-02T10:05:00Z');
    for (let i = 0; i < PUBLIC_ANSWERS_PER_HOUR; i++) await t.services.surveys.answerPublic(otherId, { q1: 8 }, { ip: '198.51.100.2' });
    await expect(t.services.surveys.answerPublic(otherId, { q1: 8 }, { ip: '198.51.100.2' })).rejects.toMatchObject({
      code: 'survey.rate_limited',
      message: `This address has answered survey ${otherId} ${PUBLIC_ANSWERS_PER_HOUR} times this hour, the most the public link takes; try again in 55 minutes`,
    });
    // Another address, and the same one an hour on, may answer.
    await t.services.surveys.answerPublic(otherId, { q1: 8 }, { ip: '198.51.100.3' });
    t.clock.set('2026-03-02T11:00:00Z');
    await t.services.surveys.answerPublic(otherId, { q1: 8 }, { ip: '198.51.100.2' });
    const hits = await t.database.db.selectFrom('surveyPublicHits').selectAll().where('surveyId', '=', otherId).execute();
    // The first test's window (a day before) was dropped; this hour's of both addresses and the next hour's are left.
    expect(hits.map((h) => h.hits).sort((a, b) => a - b)).toEqual([1, 1, PUBLIC_ANSWERS_PER_HOUR]);
  });
});

describe('the customer lifecycle', () => {
  it('moves a duplicate\'s answers to the survivor on merge, one per survey, the later kept', async () => {
    const dup = (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: '+79120000303' } })).json().id;
    t.clock.set('2026-03-03T10:00:00Z');
    await t.services.surveys.answer(otherId, { customerId: ivan, answers: { q1: 3 } });
    t.clock.set('2026-03-03T11:00:00Z');
    await t.services.surveys.answer(otherId, { customerId: dup, answers: { q1: 10 } });
    await t.services.surveys.answer(surveyId, { customerId: dup, answers: { q1: 6 } });
    const merged = await t.call({ method: 'POST', url: `/v1/customers/${ivan}/merge`, payload: { from: dup } });
    expect(merged.statusCode, merged.body).toBe(200);
    const rows = await t.database.db.selectFrom('surveyResponses').select(['surveyId', 'customerId', 'answers']).where('customerId', 'in', [ivan, dup]).orderBy('surveyId').execute();
    expect(rows.map((r) => [r.surveyId, r.customerId, r.answers])).toEqual(
      [[otherId, ivan, { q1: 10 }], [surveyId, ivan, { q1: 6 }]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    // The duplicate's link now answers for the survivor.
    expect(await t.services.surveys.openByToken(tokenOf(await t.services.surveys.linkFor(surveyId, dup)))).toMatchObject({ state: 'open', customerId: ivan });
  });

  it('erases free texts and evidence, keeping the scores', async () => {
    const erase = await t.call({ method: 'POST', url: `/v1/customers/${anna}/erase` });
    expect(erase.statusCode, erase.body).toBe(200);
    const row = await t.database.db.selectFrom('surveyResponses').selectAll().where('customerId', '=', anna).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ answers: { q1: 9 }, score: 9, ipHash: null, userAgent: null });
    expect(await t.services.surveys.openByToken(tokenOf(await t.services.surveys.linkFor(surveyId, anna)))).toEqual({ state: 'invalid' });
  });
});
