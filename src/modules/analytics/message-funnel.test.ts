import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * The messaging funnel, message → open → click → purchase within an attribution window, on a
 * history made through the real parts: messages sent over SMTP to a server on loopback, opened
 * through the tracking pixel and clicked through the signed redirect, purchases at the till.
 *
 * Campaign X e-mails five customers on 2 March at 10:00 (UTC):
 * - Anna opens at 11:00, clicks at 11:05, buys on 3 March at 10:00;
 * - Boris opens at 12:00, clicks at 12:10, buys on 20 March (18 days later);
 * - Clara opens at 13:00, never clicks, buys on 4 March;
 * - Denis never opens (images off) but clicks at 14:00;
 * - Elena does nothing; she had opened a message of campaign Y on 25 February.
 * Campaign Y e-mails Anna and Elena on 5 March at 10:00; Anna opens it at 10:30, Elena at 11:00
 * (an open of another message: campaign X's funnel must not count it).
 */
let t: TestApp;
let smtp: SmtpSink;
const CAMPAIGN_X = 'cmp_0190c0ffee0070008000000000000001';
const CAMPAIGN_Y = 'cmp_0190c0ffee0070008000000000000002';
const people: Record<string, string> = {};
let template: { id: string; parts: Record<string, string> };

/** Sends campaign `sourceId`'s message to the customers at `at`; answers each one's open pixel and click path. */
async function send(sourceId: string, names: string[], at: string): Promise<Record<string, { pixel: string; click: string }>> {
  t.clock.set(at);
  await t.services.messaging.enqueue({
    template: { id: template.id, version: 1, kind: 'email', purpose: 'marketing', parts: template.parts },
    source: 'campaign',
    sourceId,
    items: names.map((name) => ({ customerId: people[name]!, dedupeKey: `${sourceId}:${name}:${at}` })),
  });
  await t.services.messaging.sendDue();
  const links: Record<string, { pixel: string; click: string }> = {};
  for (const name of names) {
    const messages = (await t.call({ method: 'GET', url: `/v1/customers/${people[name]}/messages` })).json().items as Array<{ sourceId: string; status: string; content: { html: string } }>;
    // The newest first: this send's message.
    const message = messages.find((m) => m.sourceId === sourceId)!;
    expect(message.status).toBe('sent');
    links[name] = {
      pixel: /src="https:\/\/club\.shop\.example(\/t\/o\/[^"]+)"/.exec(message.content.html)![1]!,
      click: /href="https:\/\/club\.shop\.example(\/t\/c\/[^"]+)"/.exec(message.content.html)![1]!.replace(/&amp;/g, '&'),
    };
  }
  return links;
}

async function visit(path: string, at: string) {
  t.clock.set(at);
  const response = await t.call({ method: 'GET', url: path, role: null });
  expect(response.statusCode).toBeLessThan(400);
}

async function buy(name: string, at: string) {
  t.clock.set(at);
  const response = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: `${name}-${at}`, customer: { customerId: people[name] }, lines: [{ sku: 'SKU', qty: 1, price: 10_000 }] } });
  expect(response.statusCode, response.body).toBe(201);
}

beforeAll(async () => {
  t = await createTestApp();
  smtp = await startSmtpSink();
  t.clock.set('2026-02-20T08:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Store 1', timezone: 'UTC' } });
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
  await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } } });
  template = (await t.call({
    method: 'POST', url: '/v1/templates',
    payload: { name: 'Sale', kind: 'email', purpose: 'marketing', parts: { subject: 'Sale', text: 'Sale', html: '<p><a href="https://shop.example/sale">Sale</a></p>' } },
  })).json();
  for (const [i, name] of ['anna', 'boris', 'clara', 'denis', 'elena'].entries()) {
    const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { email: `${name}@example.com`, timezone: 'UTC', consents: [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }], phone: `+7916111000${i}` } });
    expect(created.statusCode, created.body).toBe(201);
    people[name] = created.json().id;
  }
  const before = await send(CAMPAIGN_Y, ['elena'], '2026-02-25T10:00:00Z');
  await visit(before.elena!.pixel, '2026-02-25T11:00:00Z');

  const x = await send(CAMPAIGN_X, ['anna', 'boris', 'clara', 'denis', 'elena'], '2026-03-02T10:00:00Z');
  await visit(x.anna!.pixel, '2026-03-02T11:00:00Z');
  await visit(x.anna!.click, '2026-03-02T11:05:00Z');
  await visit(x.boris!.pixel, '2026-03-02T12:00:00Z');
  await visit(x.boris!.click, '2026-03-02T12:10:00Z');
  await visit(x.clara!.pixel, '2026-03-02T13:00:00Z');
  await visit(x.denis!.click, '2026-03-02T14:00:00Z');
  await buy('anna', '2026-03-03T10:00:00Z');
  await buy('clara', '2026-03-04T10:00:00Z');
  const y = await send(CAMPAIGN_Y, ['anna', 'elena'], '2026-03-05T10:00:00Z');
  await visit(y.anna!.pixel, '2026-03-05T10:30:00Z');
  await visit(y.elena!.pixel, '2026-03-05T11:00:00Z');
  await buy('boris', '2026-03-20T10:00:00Z');
  t.clock.set('2026-04-02T00:00:00Z');
}, 120_000);

afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const funnel = async (query: string) => {
  const response = await t.call({ method: 'GET', url: `/v1/analytics/funnels?from=2026-03-01&to=2026-03-31&${query}`, role: 'analyst' });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().overall.steps.map((s: { step: string; customers: number; medianHoursFromPrevious: number | null }) => [s.step, s.customers, s.medianHoursFromPrevious]);
};

describe('the messaging funnel', () => {
  it('message → open → click → purchase within 7 days: opens and clicks of the same message, the purchase inside the window', async () => {
    expect(await funnel('steps=message,open,click,purchase&withinDays=7')).toEqual([
      ['message', 5, null],
      // Anna 1 h, Boris 2 h, Clara 3 h; Elena's opens were of campaign Y's messages, not of this one.
      ['open', 3, 2],
      // Anna 5 min, Boris 10 min: Denis clicked without opening, Clara opened without clicking.
      ['click', 2, 0.13],
      // Anna, 22 h 55 min after her click; Boris bought 18 days after the message.
      ['purchase', 1, 22.92],
    ]);
  });

  it('without a window the late purchase counts; one campaign by its id; a purchase need not follow a click', async () => {
    // Anna 22.917 h and Boris 429.833 h after their clicks: the median 226.375 h, rounded down in binary to 226.37.
    expect(await funnel('steps=message,open,click,purchase')).toEqual([['message', 5, null], ['open', 3, 2], ['click', 2, 0.13], ['purchase', 2, 226.37]]);
    // Campaign Y in March: Anna's and Elena's messages, opened after half an hour and an hour.
    expect(await funnel(`steps=message:${CAMPAIGN_Y},open`)).toEqual([[`message:${CAMPAIGN_Y}`, 2, null], ['open', 2, 0.75]]);
    // Anna (1 day), Clara (2 days) within a week of the message, whether they clicked or not.
    expect(await funnel('steps=message,purchase&withinDays=7')).toEqual([['message', 5, null], ['purchase', 2, 36]]);
  });

  it('refuses an open or a click with no message before it, and a source that is no campaign or journey, in words', async () => {
    const orphan = await t.call({ method: 'GET', url: '/v1/analytics/funnels?steps=signup,click,purchase' });
    expect([orphan.statusCode, orphan.json().detail]).toEqual([400, 'steps: click (step 2) follows a message; put a message step before it, e.g. message,open,click,purchase']);
    const source = await t.call({ method: 'GET', url: '/v1/analytics/funnels?steps=message:seg_1,open' });
    expect(source.statusCode).toBe(400);
    expect(source.json().detail).toContain('"message:seg_1" is not a step');
  });
});
