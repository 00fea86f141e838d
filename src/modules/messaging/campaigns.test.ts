import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';
import { armOf, armSql, campaignArms } from './campaign-arms.ts';
import { localInstant } from './campaigns.ts';

/**
 * Campaigns on a real SMTP server: the audience taken when it starts, a holdout that gets
 * nothing, channels in fallback order, a local-time schedule in two zones, pause, resume and
 * cancel, exactly one message per customer however often the run is repeated, and the report.
 */
describe('campaign arms', () => {
  it('SQL assigns every customer the arm the JS assignment gives', async () => {
    const t = await createTestApp();
    try {
      const arms = campaignArms(1000, [{ key: 'A', weightBp: 5000, steps: [] }, { key: 'B', weightBp: 5000, steps: [] }]);
      expect(arms).toEqual([{ key: 'control', weight: 1000 }, { key: 'A', weight: 4500 }, { key: 'B', weight: 4500 }]);
      const ids = Array.from({ length: 2000 }, (_, i) => `cus_${(i * 7919).toString(16).padStart(32, '0')}`);
      const rows = await sql<{ id: string; arm: string }>`select id, ${armSql(sql`id`, 'salt-1', arms)} as arm from unnest(${ids}::text[]) as id`.execute(t.database.db);
      for (const row of rows.rows) expect(row.arm, row.id).toBe(armOf(row.id, 'salt-1', arms));
      const control = rows.rows.filter((row) => row.arm === 'control').length;
      expect(control).toBeGreaterThan(140);
      expect(control).toBeLessThan(260);
    } finally {
      await t.close();
    }
  });

  it('a local time is found in each zone, across a change of offset', () => {
    expect(localInstant('2026-03-10', '10:00', 'Europe/Moscow').toISOString()).toBe('2026-03-10T07:00:00.000Z');
    expect(localInstant('2026-03-10', '10:00', 'Asia/Vladivostok').toISOString()).toBe('2026-03-10T00:00:00.000Z');
    expect(localInstant('2026-03-29', '10:00', 'Europe/Berlin').toISOString()).toBe('2026-03-29T08:00:00.000Z'); // the day clocks go forward
    expect(localInstant('2026-03-28', '10:00', 'Europe/Berlin').toISOString()).toBe('2026-03-28T09:00:00.000Z');
  });
});

describe('campaigns', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let emailTemplate: string;
  const customers: string[] = [];
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: answer.statusCode, body: answer.json() };
  };
  const run = async () => {
    await t.services.messaging.runCampaigns();
    return t.services.messaging.sendDue();
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
    smtp = await startSmtpSink();
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
    emailTemplate = (await call('POST', '/v1/templates', { name: 'Offer', kind: 'email', purpose: 'marketing', parts: { subject: 'An offer for {{ customer.firstName }}', text: 'Hello' } })).body.id;
    for (let i = 0; i < 200; i++) {
      customers.push(
        (await call('POST', '/v1/customers', {
          email: `c${i}@example.com`,
          firstName: `C${i}`,
          timezone: i % 2 === 0 ? 'Europe/Moscow' : 'Asia/Vladivostok',
          consents: i % 10 === 9 ? [] : [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }],
        })).body.id,
      );
    }
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('a list campaign: the holdout gets nothing, the rest one message each, however often the run repeats', async () => {
    const created = await call('POST', '/v1/campaigns', {
      name: 'Spring',
      audience: { kind: 'list', customerIds: customers },
      variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: emailTemplate }] }],
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ status: 'draft', controlShareBp: 1000, audience: { kind: 'list', listSize: 200 }, progress: { audience: null, queued: 0 } });
    const id = created.body.id;
    expect((await call('POST', `/v1/campaigns/${id}/start`)).body).toMatchObject({ status: 'scheduled', variants: [{ steps: [{ templateId: emailTemplate, version: 1 }] }] });
    expect((await call('POST', `/v1/campaigns/${id}/start`)).status).toBe(409);
    await t.services.messaging.runCampaigns();
    await t.services.messaging.runCampaigns(); // a second run (a restart) queues nobody again
    const started = (await call('GET', `/v1/campaigns/${id}`)).body;
    expect(started.status).toBe('running');
    expect(started.progress.audience).toBe(200);
    const control = started.progress.control as number;
    expect(control).toBeGreaterThan(5);
    expect(control).toBeLessThan(40);
    expect(started.progress.queued).toBe(200 - control);
    const messages = await t.database.db.selectFrom('messages').select(['customerId', 'status']).where('sourceId', '=', id).execute();
    expect(messages).toHaveLength(200 - control);
    const controlIds = (await t.database.db.selectFrom('campaignRecipients').select('customerId').where('campaignId', '=', id).where('arm', '=', 'control').execute()).map((r) => r.customerId);
    expect(messages.filter((m) => controlIds.includes(m.customerId!))).toEqual([]);
    await t.services.messaging.sendDue();
    const optedOut = messages.filter((m) => customers.indexOf(m.customerId!) % 10 === 9).length;
    expect(smtp.received).toHaveLength(200 - control - optedOut);
    // Each message's history, as the API answers it, starts queued at its creation (that entry
    // kept in the message's own row), then says what the send did.
    for (const customerId of [customers.find((c, i) => i % 10 === 9 && messages.some((m) => m.customerId === c))!, messages.find((m) => customers.indexOf(m.customerId!) % 10 !== 9)!.customerId!]) {
      const listed = (await call('GET', `/v1/customers/${customerId}/messages`)).body.items.find((m: { sourceId: string }) => m.sourceId === id);
      const optedOutOne = customers.indexOf(customerId) % 10 === 9;
      expect(listed.history).toEqual([
        { status: 'queued', at: listed.createdAt, detail: {} },
        optedOutOne ? { status: 'skipped', at: expect.any(String), detail: { reason: 'no_consent' } } : { status: 'sent', at: expect.any(String), detail: expect.any(Object) },
      ]);
    }
    await t.services.messaging.runCampaigns();
    expect((await call('GET', `/v1/campaigns/${id}`)).body).toMatchObject({ status: 'completed' });
    const report = (await call('GET', `/v1/campaigns/${id}/report`)).body;
    expect(report.arms.map((a: { key: string; recipients: number }) => [a.key, a.recipients])).toEqual([['control', control], ['A', 200 - control]]);
    expect(report.arms[1].sent).toBe(200 - control - optedOut);
    expect(report.experiment.srm.flagged).toBe(false);
    expect(report.experiment.comparisons[0].verdict.outcome).toBe('not-enough-data');
  });

  it('at a local time in each zone; paused messages are held, resumed ones go; a cancel drops what is left', async () => {
    const sentBefore = smtp.received.length;
    const created = await call('POST', '/v1/campaigns', {
      name: 'Morning',
      audience: { kind: 'list', customerIds: customers.slice(0, 20) },
      variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: emailTemplate }] }],
      schedule: { kind: 'local', date: '2026-03-03', time: '10:00' },
      controlShareBp: 0,
    });
    const id = created.body.id;
    await call('POST', `/v1/campaigns/${id}/start`);
    t.clock.set('2026-03-03T00:30:00Z'); // 10:30 in Vladivostok, 03:30 in Moscow
    await run();
    const vladivostok = customers.slice(0, 20).filter((_, i) => i % 2 === 1 && i % 10 !== 9).length;
    expect(smtp.received.length - sentBefore).toBe(vladivostok);
    expect((await call('POST', `/v1/campaigns/${id}/pause`)).body.status).toBe('paused');
    t.clock.set('2026-03-03T07:05:00Z'); // 10:05 in Moscow
    await run();
    expect(smtp.received.length - sentBefore).toBe(vladivostok);
    expect(await t.database.db.selectFrom('messages').select('id').where('sourceId', '=', id).where('status', '=', 'held').execute()).toHaveLength(10);
    await call('POST', `/v1/campaigns/${id}/resume`);
    await run();
    const moscow = customers.slice(0, 20).filter((_, i) => i % 2 === 0 && i % 10 !== 9).length;
    expect(smtp.received.length - sentBefore).toBe(vladivostok + moscow);
    const cancelled = await call('POST', `/v1/campaigns/${id}/cancel`);
    expect(cancelled.body.status).toBe('cancelled');
    expect((await call('POST', `/v1/campaigns/${id}/resume`)).status).toBe(409);
  });

  it('a campaign due now wakes the campaign job when started (no wait for its next tick); one due later does not', async () => {
    let woken = 0;
    t.services.registry.onWake('run-campaigns', () => woken++);
    try {
      const make = async (schedule?: unknown) =>
        (await call('POST', '/v1/campaigns', {
          name: 'Wake',
          audience: { kind: 'list', customerIds: customers.slice(0, 3) },
          variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: emailTemplate }] }],
          ...(schedule ? { schedule } : {}),
        })).body.id as string;
      const later = await make({ kind: 'local', date: '2026-04-01', time: '10:00' });
      expect((await call('POST', `/v1/campaigns/${later}/start`)).status).toBe(200);
      expect(woken).toBe(0);
      const now = await make();
      expect((await call('POST', `/v1/campaigns/${now}/start`)).status).toBe(200);
      expect(woken).toBe(1);
      expect((await call('POST', `/v1/campaigns/${now}/start`)).status).toBe(409);
      expect(woken).toBe(1);
      for (const id of [later, now]) await call('POST', `/v1/campaigns/${id}/cancel`);
    } finally {
      t.services.registry.onWake('run-campaigns', () => undefined);
    }
  });

  it('a cancel drops any number of queued messages, each with its history row', async () => {
    const created = await call('POST', '/v1/campaigns', { name: 'Big', audience: { kind: 'list', customerIds: customers }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: emailTemplate }] }] });
    const id = created.body.id as string;
    // More than a statement's 65,535 parameters would take as a row of five values a message.
    const template = await t.services.messaging.templates.get(emailTemplate);
    const queued = 14_000;
    await t.services.messaging.enqueue({
      template: { id: template.id, version: template.version, kind: template.kind, purpose: template.purpose, parts: template.parts },
      source: 'campaign',
      sourceId: id,
      items: Array.from({ length: queued }, (_, i) => ({ customerId: customers[i % customers.length]!, dedupeKey: `${id}:${i}` })),
    });
    const cancelled = await call('POST', `/v1/campaigns/${id}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    const counted = await sql<{ status: string; n: number }>`select status, count(*)::int as n from messages where source_id = ${id} group by status`.execute(t.database.db);
    expect(counted.rows).toEqual([{ status: 'skipped', n: queued }]);
    const history = await sql<{ n: number }>`select count(*)::int as n from message_events e join messages m on m.id = e.message_id
      where m.source_id = ${id} and e.status = 'skipped' and e.detail->>'reason' = 'cancelled'`.execute(t.database.db);
    expect(history.rows[0]!.n).toBe(queued);
  });

  it('refuses in words what cannot run', async () => {
    const bad = await call('POST', '/v1/campaigns', {
      name: 'Bad',
      audience: { kind: 'segment', segmentId: 'seg_00000000000000000000000000000000' },
      variants: [{ key: 'A', weightBp: 6000, steps: [{ templateId: emailTemplate }, { templateId: emailTemplate }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe(
      'variants: weights must add up to 10000 basis points, not 6000; variants.0.steps.1.templateId: a second email template in one variant; each channel once, in fallback order; audience.segmentId: no segment seg_00000000000000000000000000000000',
    );
  });
});
