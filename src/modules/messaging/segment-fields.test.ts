import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';

/**
 * Segment rules on messages and topics, on a real database and a loopback SMTP relay: messages
 * really sent, opened through the tracking pixel and clicked through a tracked link; topics
 * chosen through the API. Each rule is checked by the segment preview's members, and a saved
 * segment on a topic follows a customer's choice live (customer.updated).
 */
describe('segment fields: messages and topics', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  const people: Record<'anna' | 'boris' | 'vera' | 'gleb', string> = { anna: '', boris: '', vera: '', gleb: '' };
  const nameOf = (id: string) => Object.entries(people).find(([, value]) => value === id)?.[0];

  const put = (url: string, payload: unknown) => t.call({ method: 'PUT', url, payload: payload as object });
  const preview = async (rules: object) => {
    const answer = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules } });
    expect(answer.statusCode, answer.body).toBe(200);
    return (answer.json().sample as Array<{ customerId: string }>).map((member) => nameOf(member.customerId)).sort();
  };
  const opened = (extra: object = {}) => ({ field: 'messages.count', interaction: 'opened', op: 'gte', value: 1, ...extra });

  /** Sends the tracked template to the customers from a campaign id, at the clock's time; answers each one's message html. */
  async function send(templateId: string, sourceId: string, names: Array<keyof typeof people>): Promise<Map<string, string>> {
    const template = (await t.call({ method: 'GET', url: `/v1/templates/${templateId}` })).json();
    await t.services.messaging.enqueue({
      template: { id: template.id, version: template.version, kind: 'email', purpose: 'marketing', parts: template.parts },
      source: 'campaign',
      sourceId,
      items: names.map((name) => ({ customerId: people[name], dedupeKey: `${sourceId}:${name}` })),
    });
    expect(await t.services.messaging.sendDue()).toMatchObject({ sent: names.length });
    const html = new Map<string, string>();
    for (const name of names) {
      const [message] = (await t.call({ method: 'GET', url: `/v1/customers/${people[name]}/messages?limit=1` })).json().items;
      html.set(name, message.content.html);
    }
    return html;
  }
  const pixelOf = (html: string) => /src="https:\/\/club\.shop\.example(\/t\/o\/[^"]+)"/.exec(html)![1]!;
  const linkOf = (html: string) => /href="https:\/\/club\.shop\.example(\/t\/c\/[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    smtp = await startSmtpSink();
    await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } } });
    await put('/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
    const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
    for (const [index, name] of (['anna', 'boris', 'vera', 'gleb'] as const).entries()) {
      const created = await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7916111000${index + 1}`, email: `${name}@example.com`, firstName: name, consents: optIn } });
      people[name] = created.json().id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('counts messages by what happened to them, in a window, by channel and by campaign', async () => {
    const template = await t.call({
      method: 'POST',
      url: '/v1/templates',
      payload: { name: 'Spring', kind: 'email', purpose: 'marketing', parts: { subject: 'Spring', text: 'Hi', html: '<p><a href="https://shop.example/spring">Sale</a></p>' } },
    });
    expect(template.statusCode, template.body).toBe(201);
    const spring = 'cmp_0000000000000000000000000000000a';
    const autumn = 'cmp_0000000000000000000000000000000b';

    // 2 March: anna, boris and vera get the spring letter; anna opens it and clicks, boris opens it twice.
    const first = await send(template.json().id, spring, ['anna', 'boris', 'vera']);
    for (const path of [pixelOf(first.get('anna')!), pixelOf(first.get('boris')!), pixelOf(first.get('boris')!)]) expect((await t.call({ method: 'GET', url: path, role: null })).statusCode).toBe(200);
    expect((await t.call({ method: 'GET', url: linkOf(first.get('anna')!), role: null })).statusCode).toBe(302);

    // 20 March: the autumn letter to vera and gleb; vera opens it.
    t.clock.set('2026-03-20T09:00:00Z');
    const second = await send(template.json().id, autumn, ['vera', 'gleb']);
    expect((await t.call({ method: 'GET', url: pixelOf(second.get('vera')!), role: null })).statusCode).toBe(200);

    expect(await preview(opened())).toEqual(['anna', 'boris', 'vera']);
    expect(await preview(opened({ window: { days: 7 } }))).toEqual(['vera']);
    expect(await preview(opened({ source: spring }))).toEqual(['anna', 'boris']);
    expect(await preview(opened({ channel: 'sms' }))).toEqual([]);
    // Opened twice is one message opened.
    expect(await preview(opened({ op: 'gte', value: 2 }))).toEqual([]);
    expect(await preview({ field: 'messages.count', interaction: 'sent', op: 'gte', value: 2 })).toEqual(['vera']);
    expect(await preview({ field: 'messages.count', interaction: 'clicked', channel: 'email', op: 'eq', value: 1 })).toEqual(['anna']);
    // Sent something and opened nothing.
    expect(await preview({ all: [{ field: 'messages.count', interaction: 'sent', op: 'gte', value: 1 }, opened({ op: 'eq', value: 0 })] })).toEqual(['gleb']);
  });

  it('refuses a setting it does not take, naming the allowed values', async () => {
    const answer = await t.call({ method: 'POST', url: '/v1/segments/preview', payload: { rules: { field: 'messages.count', interaction: 'read', source: 'spring', op: 'gte', value: 1 } } });
    expect([answer.statusCode, answer.json().code]).toEqual([400, 'segment.invalid']);
    expect(answer.json().detail).toContain('one of sent, delivered, opened, clicked, unsubscribed, bounced, complained, failed');
    expect(answer.json().detail).toContain('must be a campaign id (cmp_…) or a journey id (jrn_…)');
    const fields = (await t.call({ method: 'GET', url: '/v1/segment-fields' })).json().fields as Array<{ key: string; params: Record<string, { values?: string[] }> }>;
    expect(fields.find((field) => field.key === 'messages.count')!.params.channel!.values).toEqual(['email', 'sms', 'push', 'telegram']);
  });

  it('a topic: the latest choice, else the topic\'s default; a saved segment follows a choice live', async () => {
    expect((await put('/v1/messaging/topics/offers', { name: { en: 'Offers' }, defaultSubscribed: true })).statusCode).toBe(200);
    expect((await put('/v1/messaging/topics/surveys', { name: { en: 'Surveys' }, defaultSubscribed: false })).statusCode).toBe(200);
    expect((await put(`/v1/customers/${people.anna}/topics`, [{ topic: 'offers', subscribed: false }])).statusCode).toBe(200);
    expect((await put(`/v1/customers/${people.boris}/topics`, [{ topic: 'surveys', subscribed: true }])).statusCode).toBe(200);

    expect(await preview({ field: 'topic', key: 'offers', op: 'eq', value: true })).toEqual(['boris', 'gleb', 'vera']);
    expect(await preview({ field: 'topic', key: 'offers', op: 'eq', value: false })).toEqual(['anna']);
    expect(await preview({ field: 'topic', key: 'surveys', op: 'eq', value: true })).toEqual(['boris']);
    expect(await preview({ field: 'topic', key: 'nothing-here', op: 'eq', value: true })).toEqual([]);

    const saved = await t.call({ method: 'POST', url: '/v1/segments', payload: { name: 'Left offers', rules: { field: 'topic', key: 'offers', op: 'eq', value: false } } });
    expect(saved.statusCode, saved.body).toBe(201);
    await expect.poll(async () => (await t.call({ method: 'GET', url: `/v1/segments/${saved.json().id}` })).json().memberCount).toBe(1);
    // Vera leaves the topic: the live job (customer.updated) puts her in without a recompute.
    expect((await put(`/v1/customers/${people.vera}/topics`, [{ topic: 'offers', subscribed: false }])).statusCode).toBe(200);
    await t.services.segments.updateLive();
    const changes = (await t.call({ method: 'GET', url: `/v1/segments/${saved.json().id}/changes` })).json().items as Array<{ customerId: string; change: string; cause: string }>;
    expect(changes.filter((c) => c.cause === 'event').map((c) => [nameOf(c.customerId), c.change])).toEqual([['vera', 'entered']]);
  });
});
