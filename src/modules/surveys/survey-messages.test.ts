import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * Survey links in messages: the survey_url filter of templates, refused on save for a survey that
 * is not there, and the post-purchase NPS journey sending each customer their own signed link,
 * which opens the survey for that customer only.
 */
let t: TestApp;
let smtp: SmtpSink;
let surveyId: string;
let masha: string;
let vova: string;
let sequence = 0;

const call = async (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
  const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  return { status: answer.statusCode, body: answer.json() };
};
const LINK = /https:\/\/club\.example\/s\/([A-Za-z0-9_.-]+)/;

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-04-01T08:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.example' } });
  // A real relay on loopback: a journey's message is rendered when the sender takes it.
  smtp = await startSmtpSink();
  await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
  const consents = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
  masha = (await call('POST', '/v1/customers', { email: 'masha@example.com', firstName: 'Masha', consents })).body.id;
  vova = (await call('POST', '/v1/customers', { email: 'vova@example.com', firstName: 'Vova', consents })).body.id;
  surveyId = (await call('POST', '/v1/surveys', { kind: 'nps', status: 'open', title: { en: 'NPS' }, questions: [{ type: 'nps', text: { en: 'Recommend us?' } }] })).body.id;
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

describe('survey_url in templates', () => {
  it('refuses on save a survey that is not there, and a literal that is no survey id', async () => {
    const missing = await call('POST', '/v1/templates', { name: 'Ask', kind: 'email', purpose: 'marketing', parts: { subject: 'Hi', text: 'Tell us: {{ "srv_0190c0ffee00700080000000000000ab" | survey_url }}' } });
    expect(missing.status, JSON.stringify(missing.body)).toBe(422);
    expect(missing.body).toMatchObject({ code: 'template.invalid', detail: 'survey_url: no survey srv_0190c0ffee00700080000000000000ab; GET /v1/surveys lists them' });
    const notAnId = await call('POST', '/v1/templates', { name: 'Ask', kind: 'email', purpose: 'marketing', parts: { subject: 'Hi', text: '{{ "nps" | survey_url }}' } });
    expect(notAnId.status).toBe(422);
    expect(notAnId.body.detail).toContain('survey_url: "nps" is not a survey id; write the id of a survey (srv_…, GET /v1/surveys lists them)');
    expect((await call('GET', '/v1/templates')).body.items).toEqual([]);
  });

  it("previews a template with the customer's own link", async () => {
    const template = await call('POST', '/v1/templates', { name: 'Ask', kind: 'email', purpose: 'marketing', parts: { subject: 'Hi', text: 'Tell us: {{ "' + surveyId + '" | survey_url }}' } });
    expect(template.status, JSON.stringify(template.body)).toBe(201);
    const preview = await call('POST', `/v1/templates/${template.body.id}/preview`, { customerId: masha });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const token = LINK.exec(preview.body.parts.text)![1]!;
    expect(token.startsWith(`${surveyId}.${masha}.`)).toBe(true);
    expect(await t.services.surveys.openByToken(token)).toMatchObject({ state: 'open', customerId: masha });
  });
});

describe('the post-purchase NPS journey', () => {
  it("sends each customer their own signed link, which opens the survey for that customer only", async () => {
    const refused = await call('POST', '/v1/journey-recipes/post_purchase_nps', { language: 'en', surveyId: 'srv_0190c0ffee00700080000000000000ab' });
    expect([refused.status, refused.body.code]).toEqual([422, 'template.invalid']);
    const journey = (await call('POST', '/v1/journey-recipes/post_purchase_nps', { language: 'en', surveyId })).body;
    expect(journey.steps.find((s: { kind: string }) => s.kind === 'send')).toBeTruthy();
    await call('PATCH', `/v1/journeys/${journey.id}`, { controlShareBp: 0 });
    expect((await call('POST', `/v1/journeys/${journey.id}/activate`)).body.status).toBe('active');
    for (const customerId of [masha, vova]) {
      sequence++;
      await t.database.db
        .insertInto('outboxEvents')
        .values({ eventId: `evt_survey_msg_${sequence}`, type: 'receipt.confirmed', customerId, payload: JSON.stringify({ customerId, receiptId: `rcp_${sequence}` }), occurredAt: t.clock.now() })
        .execute();
    }
    await t.services.messaging.enterJourneys();
    await t.services.messaging.advanceJourneys();
    t.clock.set('2026-04-03T10:00:00Z');
    await t.services.messaging.advanceJourneys();
    await t.services.messaging.sendDue();
    expect(smtp.received.filter((mail) => LINK.test(mail.raw)).length).toBe(2);
    const messages = await t.database.db.selectFrom('messages').select(['customerId', 'content']).where('source', '=', 'journey').execute();
    expect(messages.map((m) => m.customerId).sort()).toEqual([masha, vova].sort());
    const tokens = new Map(messages.map((m) => [m.customerId!, LINK.exec(m.content!.text)![1]!]));
    expect(messages[0]!.content!.text).toMatch(/^From 0 to 10, how likely are you to recommend Club to a friend\? https:\/\/club\.example\/s\//);
    for (const [customerId, token] of tokens) {
      expect(await t.services.surveys.openByToken(token)).toMatchObject({ state: 'open', customerId, survey: { id: surveyId } });
      // The signature holds for that customer only: put in the other's id, the link is not valid.
      const other = customerId === masha ? vova : masha;
      expect(await t.services.surveys.openByToken(token.replace(customerId, other))).toEqual({ state: 'invalid' });
    }
    const answered = await t.services.surveys.answerByToken(tokens.get(vova)!, { q1: 10 });
    expect(answered).toMatchObject({ customerId: vova, channel: 'link', score: 10 });
  });
});
