import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { verifyWebhookSignature } from '../messaging/index.ts';

/**
 * Scheduled reports and alerts delivered: a real SMTP server on loopback gets the report's CSV
 * attached, and the alert's rule and evidence, at the addresses on them; a real HTTP receiver
 * gets the signed `report.completed` and `alert.fired` events. Each once, however often the
 * jobs run; a run on request is not delivered.
 *
 * The fixture: store s1 sells one receipt of 100.00 a day from 1 to 14 March, and one of 10.00
 * on 15 March (the planted drop in revenue).
 */
let t: TestApp;
let smtp: SmtpSink;
let receiver: http.Server;
let secret = '';
const hooks: Array<{ type: string; valid: boolean; body: { type: string; data: Record<string, unknown> } }> = [];

const runJobs = async (...names: string[]) => {
  for (const name of names) {
    const run = await t.call({ method: 'POST', url: `/v1/jobs/${name}/run` });
    expect(run.statusCode, run.body).toBeLessThan(300);
  }
};
const deliverAll = () => runJobs('queue-staff-mail', 'send-messages', 'collect-webhook-events', 'deliver-webhooks');

/** The text as a reader sees it: quoted-printable lines joined and decoded, encoded header words decoded. */
function readable(raw: string): string {
  const hex = (_: string, code: string) => String.fromCharCode(parseInt(code, 16));
  return raw
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_, words: string) => words.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, hex))
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, hex);
}

/** A MIME message's parts by their headers: enough to read an attachment back (nodemailer sends it base64). */
function attachmentOf(raw: string, filename: string): { contentType: string; content: string } | null {
  const boundary = /boundary="?([^";\r\n]+)"?/.exec(raw)?.[1];
  if (!boundary) return null;
  for (const part of raw.split(`--${boundary}`)) {
    const [head = '', ...body] = part.split('\r\n\r\n');
    const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
    if (!unfolded.includes(`filename=${filename}`) && !unfolded.includes(`filename="${filename}"`)) continue;
    const encoding = /Content-Transfer-Encoding: *(\S+)/i.exec(unfolded)?.[1]?.toLowerCase();
    const text = body.join('\r\n\r\n').trim();
    const content = encoding === 'base64' ? Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8') : text;
    return { contentType: /Content-Type: *([^;\r\n]+)/i.exec(unfolded)?.[1] ?? '', content };
  }
  return null;
}

beforeAll(async () => {
  t = await createTestApp();
  smtp = await startSmtpSink();
  receiver = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const check = verifyWebhookSignature(secret, request.headers, raw, Math.floor(Date.now() / 1000));
      hooks.push({ type: String(request.headers['patron-event-type']), valid: check.valid, body: JSON.parse(raw.toString('utf8')) });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  t.clock.set(new Date('2026-03-01T08:00:00Z'));
  await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Store 1', timezone: 'UTC' } });
  await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
  const channel = await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'reports@shop.example' } } });
  expect(channel.statusCode, channel.body).toBe(201);
  const hook = await t.call({
    method: 'POST', url: '/v1/webhooks',
    payload: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`, eventTypes: ['report.completed', 'report.failed', 'alert.fired'], allowPrivateNetwork: true },
  });
  expect(hook.statusCode, hook.body).toBe(201);
  secret = hook.json().secret;
  for (let day = 1; day <= 15; day++) {
    t.clock.set(new Date(Date.UTC(2026, 2, day, 10)));
    const sale = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: `r-${day}`, lines: [{ sku: 'SKU', qty: 1, price: day === 15 ? 1_000 : 10_000 }] } });
    expect(sale.statusCode, sale.body).toBe(201);
  }
  t.clock.set(new Date('2026-03-15T12:00:00Z'));
});

afterAll(async () => {
  await t?.close();
  await smtp?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('scheduled reports and alerts, delivered', () => {
  it('refuses an address that is no address, by its place in the list, and stores the others trimmed and lower-cased', async () => {
    const bad = await t.call({ method: 'POST', url: '/v1/reports', role: 'analyst', payload: { name: 'x', kind: 'kpis', schedule: 'daily', recipients: ['ok@shop.example', 'not an address'] } });
    expect([bad.statusCode, bad.json().code]).toEqual([400, 'analytics.invalid_recipients']);
    expect(bad.json().detail).toBe('recipients.1 is not a valid e-mail address');
    expect((await t.call({ method: 'GET', url: '/v1/reports' })).json().items).toEqual([]);
    const rule = await t.call({ method: 'POST', url: '/v1/alert-rules', role: 'analyst', payload: { name: 'x', kind: 'drop', kpi: 'revenueMinor', recipients: ['@nobody'] } });
    expect([rule.statusCode, rule.json().code]).toEqual([400, 'analytics.invalid_recipients']);
  });

  it('e-mails a scheduled run with its CSV attached and POSTs it to the webhook, once each; a run on request is not delivered', async () => {
    const created = await t.call({
      method: 'POST', url: '/v1/reports', role: 'analyst',
      payload: { name: 'Daily revenue by store', kind: 'kpis', query: { groupBy: 'store' }, schedule: 'daily', recipients: [' Analyst@Shop.example', 'boss@shop.example', 'analyst@shop.example'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const report = created.json();
    expect(report.recipients).toEqual(['analyst@shop.example', 'boss@shop.example']);

    t.clock.set(new Date('2026-03-16T00:05:00Z'));
    await runJobs('run-scheduled-reports');
    await deliverAll();
    await deliverAll();
    const runs = (await t.call({ method: 'GET', url: `/v1/reports/${report.id}/runs` })).json().items;
    expect(runs).toHaveLength(1);
    const csv = (await t.call({ method: 'GET', url: `/v1/reports/${report.id}/runs/${runs[0].id}`, headers: { accept: 'text/csv' } })).body;
    expect(csv).toContain('s1,1000,1');

    expect(smtp.received.map((mail) => mail.to)).toEqual([['analyst@shop.example'], ['boss@shop.example']]);
    for (const mail of smtp.received) {
      expect(readable(mail.raw)).toContain('Subject: Club: Daily revenue by store, 2026-03-15');
      expect(readable(mail.raw)).toContain(`GET /v1/reports/${report.id}/runs/${runs[0].id}`);
      const attached = attachmentOf(mail.raw, 'Daily-revenue-by-store_2026-03-15_2026-03-15.csv');
      expect(attached).toEqual({ contentType: 'text/csv', content: csv });
    }
    const events = hooks.filter((hook) => hook.type === 'report.completed');
    expect(events).toHaveLength(1);
    expect(events[0]!.valid).toBe(true);
    expect(events[0]!.body.data).toMatchObject({ reportId: report.id, runId: runs[0].id, from: '2026-03-15', to: '2026-03-15', kind: 'kpis', csv, csvOmitted: false, recipients: ['analyst@shop.example', 'boss@shop.example'] });

    // Someone looking, not the schedule: stored beside it, sent to nobody.
    const now = await t.call({ method: 'POST', url: `/v1/reports/${report.id}/runs` });
    expect(now.statusCode, now.body).toBe(201);
    await deliverAll();
    expect(smtp.received).toHaveLength(2);
    expect(hooks.filter((hook) => hook.type === 'report.completed')).toHaveLength(1);
  });

  it('e-mails a fired alert with its rule and evidence to the rule\'s addresses, and POSTs alert.fired; a calm day sends nothing', async () => {
    const created = await t.call({
      method: 'POST', url: '/v1/alert-rules', role: 'analyst',
      payload: { name: 'Revenue falls', kind: 'drop', kpi: 'revenueMinor', params: { days: 7 }, recipients: ['manager@shop.example'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const ruleId = created.json().id;
    expect(created.json().recipients).toEqual(['manager@shop.example']);
    const before = smtp.received.length;

    const calm = await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-14' } });
    expect(calm.json().fired).toEqual([]);
    await deliverAll();
    expect(smtp.received).toHaveLength(before);

    const check = await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-15' } });
    const fired = check.json().fired;
    expect(fired).toHaveLength(1);
    // Judged again: the alert is stored once, so it is sent once.
    await t.call({ method: 'POST', url: `/v1/alert-rules/${ruleId}/check`, payload: { day: '2026-03-15' } });
    await deliverAll();
    await deliverAll();
    const mails = smtp.received.slice(before);
    expect(mails.map((mail) => mail.to)).toEqual([['manager@shop.example']]);
    const raw = readable(mails[0]!.raw);
    expect(raw).toContain('Subject: Club: alert "Revenue falls" on 2026-03-15');
    expect(raw).toContain(`${fired[0].message}`);
    expect(raw).toContain('2026-03-08  10000');
    const events = hooks.filter((hook) => hook.type === 'alert.fired');
    expect(events).toHaveLength(1);
    expect(events[0]!.valid).toBe(true);
    expect(events[0]!.body.data).toMatchObject({ alertId: fired[0].id, ruleId, day: '2026-03-15', value: 1000, message: fired[0].message, recipients: ['manager@shop.example'] });
  });
});
