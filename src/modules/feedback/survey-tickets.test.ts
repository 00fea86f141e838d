import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { ticketFixtures } from '../../../tests/helpers/tickets.ts';
import { feedbackModule } from './index.ts';

/**
 * `survey.answered` as the surveys module will publish it (its payload is agreed; the module is
 * built in parallel): written here straight into the outbox, as the module's emit writes it.
 */
let t: TestApp;
let anna: string;

const { customer } = ticketFixtures(() => t);

let eventNo = 0;
async function answered(payload: { surveyId: string; responseId: string; customerId: string | null; kind: string; score: number | null; texts: Array<{ questionId: string; question: string; text: string }> }) {
  await t.database.db
    .insertInto('outboxEvents')
    .values({ eventId: `evt_survey_${++eventNo}`, type: 'survey.answered', customerId: payload.customerId, payload: JSON.stringify(payload), occurredAt: t.clock.now() })
    .execute();
}

const run = () => t.services.feedback.openSurveyTickets();
const ticketsOf = (responseId: string) => t.database.db.selectFrom('tickets').selectAll().where('source', '=', 'survey').where('sourceRef', '=', responseId).execute();

beforeAll(async () => {
  t = await createTestApp();
  anna = await customer({ phone: '+79161250001', email: 'anna@example.com' });
});
afterAll(async () => t?.close());

describe('tickets from survey answers', () => {
  it('the consumer runs as a live job of the feedback module', () => {
    expect(feedbackModule.jobs?.(t.services.feedback).map((job) => [job.name, job.cadence])).toEqual([['open-survey-tickets', 'live']]);
  });

  it('a response with free text makes exactly one ticket, even delivered twice; a detractor is tagged', async () => {
    const event = {
      surveyId: 'srv_nps',
      responseId: 'srp_0001',
      customerId: anna,
      kind: 'nps',
      score: 3,
      texts: [
        { questionId: 'q2', question: 'What should we improve?', text: 'The queue at the till is too long' },
        { questionId: 'q3', question: 'Anything else?', text: '  ' },
      ],
    };
    await answered(event);
    await answered(event); // redelivered
    expect(await run()).toMatchObject({ events: 2, tickets: 1 });
    expect(await run()).toMatchObject({ events: 0, tickets: 0 });
    const [ticket, ...more] = await ticketsOf('srp_0001');
    expect(more).toEqual([]);
    expect(ticket).toMatchObject({ customerId: anna, source: 'survey', subject: 'Survey: What should we improve?', status: 'open', tags: ['detractor'], messages: 1 });
    const thread = await t.call({ method: 'GET', url: `/v1/tickets/${ticket!.id}`, role: 'support' });
    expect(thread.json().messages).toEqual([
      { id: expect.stringMatching(/^tkm_/), direction: 'in', body: 'The queue at the till is too long', question: 'What should we improve?', author: 'customer', delivery: null, createdAt: '2026-03-01T09:00:00.000Z' },
    ]);
    const created = await t.database.db.selectFrom('outboxEvents').select('payload').where('type', '=', 'ticket.created').execute();
    expect(created.map((row) => row.payload)).toEqual([{ ticketId: ticket!.id, source: 'survey', status: 'open', tags: ['detractor'], customerId: anna }]);
    const detractors = await t.call({ method: 'GET', url: '/v1/tickets?tag=detractor&status=open', role: 'support' });
    expect(detractors.json().items.map((item: { id: string }) => item.id)).toEqual([ticket!.id]);
  });

  it('a response without free text makes none; a passive or promoter, or a CSAT answer, is not a detractor', async () => {
    await answered({ surveyId: 'srv_nps', responseId: 'srp_0002', customerId: anna, kind: 'nps', score: 2, texts: [] });
    await answered({ surveyId: 'srv_nps', responseId: 'srp_0003', customerId: anna, kind: 'nps', score: 1, texts: [{ questionId: 'q2', question: 'Why?', text: ' \n ' }] });
    await answered({ surveyId: 'srv_nps', responseId: 'srp_0004', customerId: anna, kind: 'nps', score: 7, texts: [{ questionId: 'q2', question: 'Why?', text: 'Fine coffee' }] });
    await answered({ surveyId: 'srv_csat', responseId: 'srp_0005', customerId: null, kind: 'csat', score: 1, texts: [{ questionId: 'q1', question: 'How was the delivery?', text: 'Late' }] });
    expect(await run()).toMatchObject({ events: 4, tickets: 2 });
    expect(await ticketsOf('srp_0002')).toEqual([]);
    expect(await ticketsOf('srp_0003')).toEqual([]);
    expect((await ticketsOf('srp_0004'))[0]).toMatchObject({ tags: [], customerId: anna });
    expect((await ticketsOf('srp_0005'))[0]).toMatchObject({ tags: [], customerId: null, subject: 'Survey: How was the delivery?' });
  });

  it("an erased customer's answer leaves nothing behind; a merged one's goes to the survivor", async () => {
    const gone = await customer({ phone: '+79161250002' });
    expect((await t.call({ method: 'POST', url: `/v1/customers/${gone}/erase` })).statusCode).toBe(200);
    const duplicate = await customer({ phone: '+79161250003' });
    expect((await t.call({ method: 'POST', url: `/v1/customers/${anna}/merge`, payload: { from: duplicate } })).statusCode).toBe(200);
    await answered({ surveyId: 'srv_nps', responseId: 'srp_0006', customerId: gone, kind: 'nps', score: 0, texts: [{ questionId: 'q2', question: 'Why?', text: 'Call me at +79161250002' }] });
    await answered({ surveyId: 'srv_nps', responseId: 'srp_0007', customerId: duplicate, kind: 'nps', score: 9, texts: [{ questionId: 'q2', question: 'Why?', text: 'Great staff' }] });
    expect(await run()).toMatchObject({ events: 2, tickets: 1 });
    expect(await ticketsOf('srp_0006')).toEqual([]);
    expect((await ticketsOf('srp_0007'))[0]).toMatchObject({ customerId: anna });
  });
});
