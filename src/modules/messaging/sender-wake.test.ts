import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startScheduler } from '../../platform/scheduler.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { startLoopbackSmtp, type LoopbackSmtp } from '../../../tests/helpers/loopback-smtp.ts';

/**
 * The sender's loop as the server runs it (server.ts: a loop of its own, woken through the
 * registry), with a tick of an hour: a message can only leave within the test because queueing
 * it, or switching its channel on, woke the sender.
 */
describe('the sender is woken by what it waits for', () => {
  let t: TestApp;
  let smtp: LoopbackSmtp;
  let loop: { stop(): Promise<void>; wake(): void } | null = null;
  const runs: Array<Record<string, number>> = [];
  let customerId: string;
  let channelId: string;
  let template: { id: string; parts: Record<string, string> };

  const within = async (what: string, check: () => boolean, ms = 10_000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const queue = (key: string) =>
    t.services.messaging.enqueue({
      template: { id: template.id, version: 1, kind: 'email', purpose: 'service', parts: template.parts },
      source: 'api',
      sourceId: 'wake-test',
      items: [{ customerId, dedupeKey: key }],
    });

  beforeAll(async () => {
    t = await createTestApp();
    smtp = await startLoopbackSmtp();
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    // Off to begin with: the first message waits for it.
    channelId = (await t.call({ method: 'POST', url: '/v1/channels', payload: { name: 'Relay', kind: 'email', active: false, config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } } })).json().id;
    customerId = (await t.call({ method: 'POST', url: '/v1/customers', payload: { email: 'wake@example.com' } })).json().id;
    template = (await t.call({ method: 'POST', url: '/v1/templates', payload: { name: 'Notice', kind: 'email', purpose: 'service', parts: { subject: 'Notice', text: 'Hello' } } })).json();
    const job = t.services.registry.jobs().find((candidate) => candidate.name === 'send-messages')!;
    loop = startScheduler(
      [{ name: job.name, run: async (signal, woken) => {
        const report = await job.run(signal, woken);
        runs.push(report);
        return report;
      } }],
      { intervalMs: 3_600_000, log: { error() {}, info() {} }, leases: t.services.leases },
    );
    t.services.registry.onWake(job.name, loop.wake);
    // The loop's first run, at its start, found nothing to send.
    await within('the first run', () => runs.length >= 1);
  });
  afterAll(async () => {
    await loop?.stop();
    await t?.close();
    await smtp?.close();
  });

  it('sends a message waiting for its channel as soon as the channel is switched on', async () => {
    await queue('wake:1');
    // Queued, but no e-mail channel is on: the run it woke sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.accepted).toHaveLength(0);
    const reply = await t.call({ method: 'PATCH', url: `/v1/channels/${channelId}`, payload: { active: true } });
    expect(reply.statusCode).toBe(200);
    await within('the message to reach the relay', () => smtp.accepted.length === 1);
    expect(smtp.accepted[0]!.to).toEqual(['wake@example.com']);
  });

  it('sends a message as soon as it is queued', async () => {
    // Every run the loop has made so far is over (the channel's message is recorded as sent).
    await within('the message recorded as sent', () => runs.some((report) => report.sent === 1));
    const before = runs.length;
    const queued = await queue('wake:2');
    expect(queued.queued).toHaveLength(1);
    await within('the second message to reach the relay', () => smtp.accepted.length === 2);
    await within('the second message recorded as sent', () => runs.some((report, i) => i >= before && report.sent === 1));
    const row = await t.database.db.selectFrom('messages').select('status').where('id', '=', queued.queued[0]!).executeTakeFirstOrThrow();
    expect(row.status).toBe('sent');
  });
});
