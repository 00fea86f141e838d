import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { CONCURRENCY as SENDER_IN_FLIGHT } from '../../src/modules/messaging/sender.ts';
import { startSmtpSink } from '../../tests/helpers/smtp-sink.ts';
import { fmt, type ResultRow } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const ENQUEUE_GOAL_MS = 60_000;
const EMAIL_GOAL_PER_SECOND = 1_000;
const EMAILS = 20_000;
const JOURNEY_EVENTS = 20_000;
const JOURNEY_GOAL_PER_SECOND = 2_000;

type Campaign = { id: string; status: string; progress: { audience: number | null; toMessage: number | null; queued: number } };

const PARTS = ['campaign', 'email', 'journey'] as const;
type Part = (typeof PARTS)[number];

/** BENCH_MESSAGING=email,journey (any of campaign, email, journey, comma-separated): the parts to run; all when unset. */
function partsToRun(value: string | undefined): Set<Part> {
  if (!value) return new Set(PARTS);
  const named = value.split(',').map((part) => part.trim()).filter(Boolean);
  const unknown = named.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0 || named.length === 0) throw new Error(`BENCH_MESSAGING: ${unknown.join(', ') || '(empty)'} is not a part; name any of ${PARTS.join(', ')}, comma-separated`);
  return new Set(named as Part[]);
}

/**
 * Messaging on the loyalty database, through the running server's own jobs:
 * - a campaign to every customer with a phone (SMS, through an HTTP gateway on loopback that
 *   accepts everything): from start to every message rendered and queued, beside inserting the
 *   same number of rows hand-written in SQL on the same database in the same run;
 * - e-mail to 20,000 of them through a real SMTP server on loopback (pooled connections):
 *   messages a second from queued to accepted, beside nodemailer alone sending to the same relay;
 * - a journey of three steps (a condition, a send, the end) entered by 20,000 custom events
 *   written to the outbox: events a second from written to every entry walked.
 */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`messaging bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export const messaging: Scenario = {
  name: 'messaging',
  title: 'messaging: render and queue a campaign to every customer; e-mail dispatch to a loopback SMTP relay; journey throughput',
  goal: `campaign to 1 M rendered and queued < ${ENQUEUE_GOAL_MS / 1000} s; e-mail ≥ ${fmt(EMAIL_GOAL_PER_SECOND)}/s; journey ≥ ${fmt(JOURNEY_GOAL_PER_SECOND)} events/s`,
  reference: 'the same number of rows inserted hand-written in SQL; nodemailer alone sending to the same relay; the same events inserted in SQL',
  sharedServer: true,
  async run(ctx) {
    const parts = partsToRun(process.env.BENCH_MESSAGING);
    const { server, client, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    const smtp = await startSmtpSink();
    let smsAccepted = 0;
    const gateway = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        smsAccepted++;
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `g${smsAccepted}` }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    let key = server.adminKey;
    const call = async (method: 'post' | 'put' | 'patch' | 'get', path: string, body?: unknown) => {
      const reply = method === 'get' ? await client.get(path, key) : await client[method](path, JSON.stringify(body ?? {}), key);
      if (reply.status >= 400) throw new Error(`${method} ${path}: ${reply.status} ${reply.body}`);
      return JSON.parse(reply.body);
    };
    // What a run leaves (an interrupted one, or the journey's messages still queued when it
    // ends) would be sent by the next run's server to a relay that is gone: set aside first and last.
    const setAside = async () => {
      await direct.query("update messaging_channels set active = false");
      await direct.query("update messages set status = 'skipped', reason = 'bench run ended', locked_until = null where status in ('queued', 'held', 'sending')");
      await direct.query("update journeys set status = 'archived' where status = 'active'");
      await direct.query("update campaigns set status = 'cancelled' where status in ('scheduled', 'running', 'paused')");
    };
    await setAside();
    // A key of the run's own: the environment's admin key is replaced (so refused) when another
    // server starts on the same database with its own, which a shared bench database sees.
    key = (await call('post', '/v1/api-keys', { name: `bench messaging ${Date.now().toString(36)}`, role: 'owner' })).secret as string;
    // What this run made, removed at its end: a run at full size queues a million messages, and
    // runs one after another would otherwise grow the shared database by millions of rows each.
    const made = { campaigns: [] as string[], journeys: [] as string[] };
    const removeMade = async () => {
      await direct.query('delete from message_events e using messages m where m.id = e.message_id and m.source_id = any($1::text[])', [[...made.campaigns, ...made.journeys]]);
      await direct.query('delete from messages where source_id = any($1::text[])', [[...made.campaigns, ...made.journeys]]);
      await direct.query('delete from campaign_recipients where campaign_id = any($1::text[])', [made.campaigns]);
      await direct.query('delete from campaigns where id = any($1::text[])', [made.campaigns]);
    };
    try {
      await call('put', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Bench', publicUrl: 'https://bench.example' });
      const suffix = Date.now().toString(36);
      await direct.query('update messaging_channels set active = false');
      await call('post', '/v1/channels', { name: `sms ${suffix}`, kind: 'sms', config: { preset: 'generic', url: `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/send`, apiKey: 'bench-key-0000', allowPrivateNetwork: true } });
      const mailChannel = await call('post', '/v1/channels', { name: `mail ${suffix}`, kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'bench@shop.example', maxConnections: 8 } });
      const sms = await call('post', '/v1/templates', { name: `bench sms ${suffix}`, kind: 'sms', purpose: 'service', parts: { text: '{{ customer.firstName | default: "Hello" }}, your code is {{ message.id | slice: -6, 6 }}' } });
      const mail = await call('post', '/v1/templates', { name: `bench mail ${suffix}`, kind: 'email', purpose: 'service', parts: { subject: 'Hello {{ customer.firstName | default: "there" }}', text: 'A notice.', html: '<p>A <a href="https://shop.example/n">notice</a>.</p>' } });

      const rows: ResultRow[] = [];
      const details: Record<string, unknown> = {};

      // 1. A campaign to everyone with a phone: start to all queued.
      if (parts.has('campaign')) {
        // The segment of an earlier run when there is one: a new one puts a million segment.entered
        // events in the outbox for the consumers to read (minutes of work that would run beside this).
        const rules = { all: [{ field: 'identifier', kind: 'phone', op: 'eq', value: true }] };
        const earlier = (await direct.query<{ id: string }>("select id from segments where name like 'bench everyone %' and rules = $1::jsonb and computed_at is not null order by created_at desc limit 1", [JSON.stringify(rules)])).rows[0];
        const segment = earlier ?? (await call('post', '/v1/segments', { name: `bench everyone ${suffix}`, rules }));
        await until(async () => (await call('get', `/v1/segments/${segment.id}`)).computedAt !== null, 30 * 60_000, 'the segment');
        const audience = Number((await direct.query<{ n: string }>('select count(*) as n from segment_members where segment_id = $1', [segment.id])).rows[0]!.n);
        const campaign = await call('post', '/v1/campaigns', { name: `bench ${suffix}`, audience: { kind: 'segment', segmentId: segment.id }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: sms.id }] }] });
        made.campaigns.push(campaign.id);
        // Held until measured: the sender would otherwise compete with the queueing it is measured beside.
        await direct.query("update messaging_channels set active = false where kind = 'sms'");
        const started = performance.now();
        await call('post', `/v1/campaigns/${campaign.id}/start`);
        let view: Campaign = campaign;
        await until(async () => {
          view = await call('get', `/v1/campaigns/${campaign.id}`);
          return view.progress.toMessage !== null && view.progress.queued >= view.progress.toMessage;
        }, 60 * 60_000, 'the campaign to be queued');
        const enqueueMs = performance.now() - started;
        const queued = view.progress.queued;
        await direct.query('create temp table bench_rows (id text, customer_id text, content jsonb, status text, created_at timestamptz)');
        const sqlStarted = performance.now();
        await direct.query(`insert into bench_rows select 'msg_' || md5(g::text), 'cus_' || md5(g::text), jsonb_build_object('text', 'Hello, your code is ' || g), 'queued', now() from generate_series(1, $1) g`, [queued]);
        const sqlMs = performance.now() - sqlStarted;
        await direct.query('drop table bench_rows');
        await call('post', `/v1/campaigns/${campaign.id}/cancel`).catch(() => undefined);
        // Gone at once rather than at the end: a million rows the e-mail's claims would step over.
        await direct.query('delete from message_events e using messages m where m.id = e.message_id and m.source_id = $1', [campaign.id]);
        await direct.query('delete from messages where source_id = $1', [campaign.id]);
        ctx.say(`  campaign: ${fmt(queued)} of ${fmt(audience)} queued (each rendered when sent) in ${fmt(enqueueMs, 0)} ms (${fmt(queued / (enqueueMs / 1000), 0)}/s); the same rows in SQL alone: ${fmt(sqlMs, 0)} ms`);
        const atScale = audience >= 900_000;
        const campaignRow: ResultRow = {
          scenario: 'messaging',
          figure: `a campaign to ${fmt(queued)} customers, start to every message queued (rendered when sent)`,
          value: enqueueMs,
          unit: 'ms',
          ...(atScale ? { goal: { text: `< ${ENQUEUE_GOAL_MS / 1000} s at 1 M`, met: enqueueMs < ENQUEUE_GOAL_MS } } : {}),
          reference: { what: 'the same number of rows inserted in SQL', value: sqlMs },
        };
        rows.push(campaignRow);
        Object.assign(details, { audience, queued, enqueueMs, sqlMs });
      }

      // 2. E-mail to 20,000 through the pooled relay.
      if (parts.has('email')) {
        await direct.query(
          `insert into customer_identifiers (kind, source, value, customer_id, is_primary, created_at)
           select 'email', '', 'bench-' || id || '@example.com', id, true, now() from (select id from customers where status = 'active' order by id limit $1) c
           on conflict do nothing`,
          [EMAILS],
        );
        const ids = (await direct.query<{ id: string }>(`select id from customers where status = 'active' order by id limit $1`, [EMAILS])).rows.map((r) => r.id);
        const emailCampaign = await call('post', '/v1/campaigns', { name: `bench mail ${suffix}`, audience: { kind: 'list', customerIds: ids }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: mail.id }] }], controlShareBp: 0 });
        made.campaigns.push(emailCampaign.id);
        await direct.query("update messaging_channels set active = false where kind = 'email'");
        await call('post', `/v1/campaigns/${emailCampaign.id}/start`);
        await until(async () => (await call('get', `/v1/campaigns/${emailCampaign.id}`)).progress.queued >= EMAILS, 30 * 60_000, 'the e-mails to be queued');
        const before = smtp.received.length;
        const sendStarted = performance.now();
        // Switched on as a marketer does, through the API (the sender is woken by it, not left to its next tick).
        await call('patch', `/v1/channels/${mailChannel.id}`, { active: true });
        await until(async () => smtp.received.length - before >= EMAILS, 30 * 60_000, 'the e-mails to reach the relay');
        const sendMs = performance.now() - sendStarted;
        const emailRate = EMAILS / (sendMs / 1000);
        // The relay's own ceiling here: nodemailer alone, no database, pooled as the channel is (8
        // connections, a connection renewed after 100 messages), as many sends in flight as the
        // sender keeps, and each message as the channel makes it (both parts, our Message-ID, DSN).
        const nodemailer = await import('nodemailer');
        const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, secure: false, pool: true, maxConnections: 8, maxMessages: 100, ignoreTLS: true });
        const rawStarted = performance.now();
        const RAW = 5_000;
        let next = 0;
        await Promise.all(Array.from({ length: SENDER_IN_FLIGHT }, async () => {
          while (next < RAW) {
            const n = ++next;
            const to = `raw${n}@example.com`;
            await transport.sendMail({
              from: 'bench@shop.example', to, subject: 'Hello there', text: 'A notice.', html: '<p>A <a href="https://bench.example/t/c/raw">notice</a>.</p>',
              messageId: `<msg_raw${n}@shop.example>`, dsn: { id: `msg_raw${n}`, return: 'headers', notify: ['FAILURE', 'DELAY'], recipient: to },
            });
          }
        }));
        const rawRate = RAW / ((performance.now() - rawStarted) / 1000);
        transport.close();
        ctx.say(`  e-mail: ${fmt(EMAILS)} queued → accepted by the relay in ${fmt(sendMs, 0)} ms (${fmt(emailRate, 0)}/s); nodemailer alone: ${fmt(rawRate, 0)}/s`);
        Object.assign(details, { emails: EMAILS, sendMs, emailRate, rawRate });
        rows.push({
          scenario: 'messaging',
          figure: `e-mail, queued to accepted by a loopback SMTP relay (${fmt(EMAILS)})`,
          value: emailRate,
          unit: 'messages/s',
          goal: { text: `≥ ${fmt(EMAIL_GOAL_PER_SECOND)}/s`, met: emailRate >= EMAIL_GOAL_PER_SECOND },
          reference: { what: 'nodemailer alone to the same relay', value: rawRate },
        });
      }

      // 3. A journey: condition → send → end, entered by custom events.
      if (parts.has('journey')) {
        const journey = await call('post', '/v1/journeys', {
          name: `bench journey ${suffix}`,
          trigger: { event: 'customer.action', actionType: 'bench.visit' },
          steps: [
            { id: 'has-mail', kind: 'condition', if: { kind: 'has_contact', channel: 'email', value: true }, then: 'send', else: null },
            { id: 'send', kind: 'send', templateId: mail.id, next: 'end' },
            { id: 'end', kind: 'exit' },
          ],
          reentry: 'always',
          controlShareBp: 0,
        });
        made.journeys.push(journey.id);
        await call('post', `/v1/journeys/${journey.id}/activate`);
        const eventIds = (await direct.query<{ id: string }>(`select id from customers where status = 'active' order by id desc limit $1`, [JOURNEY_EVENTS])).rows.map((r) => r.id);
        const insertStarted = performance.now();
        await direct.query(
          `insert into outbox_events (event_id, type, customer_id, payload, occurred_at)
           select 'evt_bench_' || md5(c || $2), 'customer.action', c, jsonb_build_object('type', 'bench.visit', 'customerId', c), now() from unnest($1::text[]) c`,
          [eventIds, suffix],
        );
        const insertMs = performance.now() - insertStarted;
        const journeyStarted = performance.now();
        await until(async () => {
          const done = await direct.query<{ n: string }>("select count(*) as n from journey_entries where journey_id = $1 and status <> 'active'", [journey.id]);
          return Number(done.rows[0]!.n) >= eventIds.length;
        }, 60 * 60_000, 'the journey entries');
        const journeyMs = performance.now() - journeyStarted;
        const journeyRate = eventIds.length / (journeyMs / 1000);
        await call('post', `/v1/journeys/${journey.id}/archive`);
        ctx.say(`  journey: ${fmt(eventIds.length)} events through 3 steps in ${fmt(journeyMs, 0)} ms (${fmt(journeyRate, 0)} events/s); the events inserted in SQL: ${fmt(insertMs, 0)} ms`);
        Object.assign(details, { journeyEvents: eventIds.length, journeyMs, journeyRate, insertMs });
        rows.push({
          scenario: 'messaging',
          figure: `a 3-step journey (${fmt(eventIds.length)} events)`,
          value: journeyRate,
          unit: 'events/s',
          goal: { text: `≥ ${fmt(JOURNEY_GOAL_PER_SECOND)}/s`, met: journeyRate >= JOURNEY_GOAL_PER_SECOND },
          // In the same unit: the events a second SQL alone writes.
          reference: { what: 'the events inserted in SQL, per second', value: eventIds.length / (insertMs / 1000) },
        });
      }

      ctx.details.messaging = details;
      return rows;
    } finally {
      await setAside().catch(() => undefined);
      await removeMade().catch((error: unknown) => ctx.say(`  (could not remove what the run made: ${error instanceof Error ? error.message : String(error)})`));
      await smtp.close();
      await new Promise((resolve) => gateway.close(resolve));
      await direct.end();
    }
  },
};
