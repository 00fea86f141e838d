import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { header, startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';

/**
 * Messaging end to end on a real SMTP server on loopback: templates rendered for real
 * customers, the contact policy applied when a message is sent (consent, quiet hours in the
 * customer's zone, caps across sources), each message's status history, and a relay that
 * refuses every third message with a 451: each is delivered in the end, once, and none is
 * marked sent before the relay took it.
 */
describe('messaging', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let templateId: string;
  let consenting: string;
  let silent: string;
  let faraway: string;

  const customer = async (payload: Record<string, unknown>) => (await t.call({ method: 'POST', url: '/v1/customers', payload })).json().id as string;
  const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
  const send = () => t.services.messaging.sendDue();
  const enqueue = async (customerIds: string[], source: 'campaign' | 'journey', sourceId: string) => {
    const template = await t.services.messaging.templates.get(templateId);
    return t.services.messaging.enqueue({
      template: { id: template.id, version: template.version, kind: template.kind, purpose: template.purpose, parts: template.parts },
      source,
      sourceId,
      items: customerIds.map((customerId) => ({ customerId, dedupeKey: `${source}:${sourceId}:${customerId}` })),
    });
  };
  const messagesOf = async (customerId: string) => (await t.call({ method: 'GET', url: `/v1/customers/${customerId}/messages?limit=100` })).json().items as Array<Record<string, unknown>>;

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z'); // 12:00 in Moscow, 19:00 in Vladivostok
    smtp = await startSmtpSink();
    const channel = await t.call({
      method: 'POST',
      url: '/v1/channels',
      payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'Club <club@shop.example>', auth: { user: 'club', pass: 'relay-password-1' } } },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    consenting = await customer({ phone: '+79161110001', email: 'anna@example.com', firstName: 'Anna', timezone: 'Europe/Moscow', locale: 'en', consents: optIn });
    silent = await customer({ phone: '+79161110002', email: 'boris@example.com', firstName: 'Boris', timezone: 'Europe/Moscow' });
    faraway = await customer({ phone: '+79161110003', email: 'vera@example.com', firstName: 'Vera', timezone: 'Asia/Vladivostok', consents: optIn });
    const template = await t.call({
      method: 'POST',
      url: '/v1/templates',
      payload: {
        name: 'Spring news',
        kind: 'email',
        purpose: 'marketing',
        parts: { subject: 'Hello, {{ customer.firstName }}', text: 'You have {{ balance.available | points }} points, {{ customer.firstName }}.', html: '<p>Hi {{ customer.firstName }}</p>' },
      },
    });
    expect(template.statusCode, template.body).toBe(201);
    templateId = template.json().id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('a channel never shows its secrets; a change that leaves one out keeps it', async () => {
    const list = await t.call({ method: 'GET', url: '/v1/channels' });
    const [channel] = list.json().items;
    expect(channel.config.auth).toEqual({ user: 'club' });
    expect(channel.secretsSet).toEqual(['auth.pass']);
    expect(list.body).not.toContain('relay-password-1');
    const changed = await t.call({ method: 'PATCH', url: `/v1/channels/${channel.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { config: { from: 'Club <news@shop.example>' } } });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().secretsSet).toEqual(['auth.pass']);
    const stored = await t.database.db.selectFrom('messagingChannels').select('config').where('id', '=', channel.id).executeTakeFirstOrThrow();
    expect((stored.config as { auth: { pass: string } }).auth.pass).toBe('relay-password-1');
    await t.call({ method: 'PATCH', url: `/v1/channels/${channel.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { config: { from: 'Club <club@shop.example>' } } });
  });

  it('a template naming a variable that does not exist is refused when saved, with the place and the names there are', async () => {
    const refused = await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Typo', kind: 'sms', purpose: 'service', parts: { text: 'Hi {{ customer.nickname }}' } } });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().detail).toMatch(/customer\.nickname/);
    expect(refused.json().detail).toMatch(/firstName/);
    const missing = await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'No subject', kind: 'email', purpose: 'service', parts: { text: 'Hi' } } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().detail).toBe('parts.subject: is required for email templates');
  });

  it('a preview renders for a real customer; a change of the parts is a new version', async () => {
    const preview = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/preview`, payload: { customerId: consenting } });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().content).toEqual({ subject: 'Hello, Anna', text: 'You have 0 points, Anna.', html: '<p>Hi Anna</p>' });
    const changed = await t.call({ method: 'PATCH', url: `/v1/templates/${templateId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { parts: { subject: 'Hello again, {{ customer.firstName }}' } } });
    expect(changed.json()).toMatchObject({ version: 2, parts: { subject: 'Hello again, {{ customer.firstName }}', text: expect.any(String) } });
    const versions = await t.call({ method: 'GET', url: `/v1/templates/${templateId}/versions` });
    expect(versions.json().items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const first = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/preview`, payload: { customerId: consenting, version: 1 } });
    expect(first.json().content.subject).toBe('Hello, Anna');
  });

  it('marketing goes only where consent is given; the relay gets the message with its parts; the history says what happened', async () => {
    await enqueue([consenting, silent], 'campaign', 'cmp_a');
    expect(await send()).toMatchObject({ sent: 1, skipped: 1 });
    expect(smtp.received).toHaveLength(1);
    const [mail] = smtp.received;
    expect(mail!.to).toEqual(['anna@example.com']);
    expect(header(mail!.raw, 'subject')).toBe('Hello again, Anna');
    expect(mail!.raw).toContain('You have 0 points, Anna.');
    expect(mail!.raw).toContain('<p>Hi Anna</p>');
    const [sent] = await messagesOf(consenting);
    expect(sent).toMatchObject({ status: 'sent', recipient: 'anna@example.com', source: 'campaign', sourceId: 'cmp_a', templateVersion: 2 });
    expect((sent!.history as Array<{ status: string }>).map((h) => h.status)).toEqual(['queued', 'sent']);
    const [skipped] = await messagesOf(silent);
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'no_consent' });
    // The same campaign enqueued again (a restart) adds nothing.
    expect(await enqueue([consenting, silent], 'campaign', 'cmp_a')).toMatchObject({ queued: [], existing: 2 });
  });

  it('quiet hours hold a message until the morning in the customer\'s zone; it is not dropped', async () => {
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: { from: '21:00', to: '09:00' }, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    t.clock.set('2026-03-02T12:30:00Z'); // 15:30 in Moscow, 22:30 in Vladivostok
    await enqueue([consenting, faraway], 'campaign', 'cmp_b');
    expect(await send()).toMatchObject({ sent: 1, deferred: 1 });
    const [waiting] = await messagesOf(faraway);
    expect(waiting).toMatchObject({ status: 'queued' });
    expect((waiting!.history as Array<{ status: string; detail: { until?: string } }>).at(-1)).toMatchObject({ status: 'deferred', detail: { reason: 'quiet_hours', until: '2026-03-02T23:00:00.000Z' } });
    t.clock.set('2026-03-02T22:59:00Z');
    expect(await send()).toMatchObject({ sent: 0 });
    t.clock.set('2026-03-02T23:00:00Z'); // 09:00 in Vladivostok
    expect(await send()).toMatchObject({ sent: 1 });
    expect((await messagesOf(faraway))[0]).toMatchObject({ status: 'sent' });
  });

  it('a weekly cap holds across campaigns and journeys together', async () => {
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [{ kind: null, max: 3, days: 7 }], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    t.clock.set('2026-03-03T10:00:00Z');
    // Anna had two this week (cmp_a, cmp_b): one more may go, whichever source sends it.
    await enqueue([consenting], 'journey', 'jrn_welcome');
    await enqueue([consenting], 'campaign', 'cmp_c');
    expect(await send()).toMatchObject({ sent: 1, skipped: 1 });
    const [latest, earlier] = await messagesOf(consenting);
    expect([latest!.status, earlier!.status].sort()).toEqual(['sent', 'skipped']);
    expect([latest!.reason, earlier!.reason]).toContain('frequency_cap');
    // A week after the first ones, the window has room again.
    t.clock.set('2026-03-09T12:31:00Z');
    await enqueue([consenting], 'campaign', 'cmp_d');
    expect(await send()).toMatchObject({ sent: 1 });
  });

  it('withdrawn consent: nothing more is sent', async () => {
    await t.call({ method: 'PUT', url: `/v1/customers/${consenting}/consents`, payload: [{ channel: 'email', purpose: 'marketing', granted: false, source: 'web' }] });
    await enqueue([consenting], 'campaign', 'cmp_e');
    const before = smtp.received.length;
    expect(await send()).toMatchObject({ sent: 0, skipped: 1 });
    expect(smtp.received).toHaveLength(before);
  });

  it('tracking: the open pixel, a signed click redirect (no other URL), one-click unsubscribe withdrawing consent', async () => {
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'ru', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    const tracked = (await t.call({
      method: 'POST',
      url: '/v1/templates',
      payload: { name: 'Tracked', kind: 'email', purpose: 'marketing', parts: { subject: 'News', text: 'Hi', html: '<p><a href="https://shop.example/sale?a=1&amp;b=2">Sale</a> <a href="{{ links.unsubscribe }}">Unsubscribe</a></p>' } },
    })).json();
    const vera = faraway;
    t.clock.set('2026-03-20T06:00:00Z');
    await t.services.messaging.enqueue({ template: { id: tracked.id, version: 1, kind: 'email', purpose: 'marketing', parts: tracked.parts }, source: 'campaign', sourceId: 'cmp_t', items: [{ customerId: vera, dedupeKey: 'cmp_t:vera' }] });
    expect(await send()).toMatchObject({ sent: 1 });
    const mail = smtp.received.at(-1)!;
    const unsubscribe = header(mail.raw, 'list-unsubscribe')!.replace(/^<|>$/g, '');
    expect(unsubscribe).toMatch(/^https:\/\/club\.shop\.example\/t\/u\/msg_[0-9a-f]{32}\.[A-Za-z0-9_-]{27}$/);
    expect(header(mail.raw, 'list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    const [message] = await messagesOf(vera);
    const html = (message!.content as { html: string }).html;
    const pixel = /src="https:\/\/club\.shop\.example(\/t\/o\/[^"]+)"/.exec(html)![1]!;
    const click = /href="https:\/\/club\.shop\.example(\/t\/c\/[^"]+)"/.exec(html)![1]!.replace(/&amp;/g, '&');
    expect(html).toContain(`href="${unsubscribe}"`);
    const opened = await t.call({ method: 'GET', url: pixel, role: null });
    expect(opened.statusCode).toBe(200);
    expect(opened.headers['content-type']).toBe('image/gif');
    const clicked = await t.call({ method: 'GET', url: click, role: null });
    expect(clicked.statusCode).toBe(302);
    expect(clicked.headers.location).toBe('https://shop.example/sale?a=1&b=2');
    // The same token with another URL: no redirect anywhere.
    const forged = await t.call({ method: 'GET', url: click.replace(/\?u=.*/, `?u=${encodeURIComponent('https://evil.example/')}`), role: null });
    expect(forged.statusCode).toBe(404);
    const path = new URL(unsubscribe).pathname;
    expect((await t.call({ method: 'GET', url: path, role: null })).body).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    const oneClick = await t.call({ method: 'POST', url: path, role: null, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(oneClick.statusCode).toBe(200);
    const consents = (await t.call({ method: 'GET', url: `/v1/customers/${vera}/consents` })).json();
    expect(consents.current.find((c: { channel: string; purpose: string }) => c.channel === 'email' && c.purpose === 'marketing').granted).toBe(false);
    const [after] = await messagesOf(vera);
    expect((after!.history as Array<{ status: string }>).map((h) => h.status)).toEqual(['queued', 'sent', 'opened', 'clicked', 'unsubscribed']);
    await t.services.messaging.enqueue({ template: { id: tracked.id, version: 1, kind: 'email', purpose: 'marketing', parts: tracked.parts }, source: 'campaign', sourceId: 'cmp_t2', items: [{ customerId: vera, dedupeKey: 'cmp_t2:vera' }] });
    expect(await send()).toMatchObject({ sent: 0, skipped: 1 });
  });

  it('the global control group gets no marketing', async () => {
    const put = await t.call({ method: 'PUT', url: '/v1/experiments/global-control', payload: { shareBp: 5000, redrawEveryDays: 90, redraw: true } });
    expect(put.json()).toMatchObject({ shareBp: 5000, redrawEveryDays: 90 });
    const people: string[] = [];
    for (let i = 0; i < 30; i++) people.push(await customer({ email: `g${i}@example.com`, consents: optIn }));
    await enqueue(people, 'campaign', 'cmp_g');
    const report = await send();
    const skipped = await t.database.db.selectFrom('messages').select('customerId').where('sourceId', '=', 'cmp_g').where('reason', '=', 'global_control').execute();
    expect(skipped.length).toBeGreaterThan(5);
    expect(skipped.length).toBeLessThan(25);
    expect(report.sent).toBe(30 - skipped.length);
    await t.call({ method: 'PUT', url: '/v1/experiments/global-control', payload: { shareBp: 0 } });
  });

  it('a test send goes to the address given, whatever the consent', async () => {
    const test = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/test`, payload: { customerId: silent, to: 'marketer@shop.example' } });
    expect(test.statusCode, test.body).toBe(202);
    expect(test.json()).toMatchObject({ status: 'queued', purpose: 'service', source: 'test', recipient: 'marketer@shop.example' });
    await send();
    expect(smtp.received.at(-1)!.to).toEqual(['marketer@shop.example']);
    expect(header(smtp.received.at(-1)!.raw, 'subject')).toBe('Hello again, Boris');
  });

  it('a test send to a customer with no address and no "to" is refused, and leaves no message behind', async () => {
    const phoneOnly = await customer({ phone: '+79161110004', firstName: 'Gleb' });
    const refused = await t.call({ method: 'POST', url: `/v1/templates/${templateId}/test`, payload: { customerId: phoneOnly } });
    expect([refused.statusCode, refused.json().code]).toEqual([422, 'messaging.no_address']);
    expect(refused.json().detail).toBe(`Customer ${phoneOnly} has no email address; give "to" to send the test elsewhere`);
    expect(await messagesOf(phoneOnly)).toEqual([]);
  });
});

describe('messaging through a relay that refuses every third message with 451', () => {
  it('every message is delivered in the end, none twice, none marked sent before the relay took it', async () => {
    const t = await createTestApp();
    const smtp = await startSmtpSink({ refuse: (n) => n % 3 === 0 });
    try {
      t.clock.set('2026-03-02T09:00:00Z');
      await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
      await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example', maxConnections: 2 } } });
      const template = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Receipt', kind: 'email', purpose: 'service', parts: { subject: 'Receipt {{ message.id }}', text: 'Thanks' } } })).json();
      const customers: string[] = [];
      for (let i = 0; i < 30; i++) customers.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { email: `c${i}@example.com` } })).json().id);
      await t.services.messaging.enqueue({
        template: { id: template.id, version: 1, kind: 'email', purpose: 'service', parts: template.parts },
        source: 'api',
        sourceId: null,
        items: customers.map((customerId) => ({ customerId, dedupeKey: `receipt:${customerId}` })),
      });
      for (let round = 0; round < 20; round++) {
        const report = await t.services.messaging.sendDue();
        // After each round: what is marked sent is exactly what the relay accepted.
        const sent = await t.database.db.selectFrom('messages').select('id').where('status', '=', 'sent').execute();
        expect(sent.length).toBe(smtp.received.length);
        if (report.retried === 0 && report.sent === 0) break;
        t.clock.advance(10 * 60_000); // past every retry delay
      }
      expect(smtp.refused).toBeGreaterThanOrEqual(10);
      const subjects = smtp.received.map((mail) => header(mail.raw, 'subject'));
      expect(new Set(subjects).size).toBe(30);
      expect(subjects).toHaveLength(30);
      const statuses = await t.database.db.selectFrom('messages').select(['status']).execute();
      expect(statuses.every((row) => row.status === 'sent')).toBe(true);
      const retried = await t.database.db.selectFrom('messageEvents').select('messageId').where('status', '=', 'retrying').execute();
      expect(retried.length).toBe(smtp.refused);
    } finally {
      await t.close();
      await smtp.close();
    }
  });
});
