import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { CONCURRENCY as IN_FLIGHT } from '../src/modules/messaging/sender.ts';
import { patronProcess } from './crash/patron-process.ts';
import { freePort, scratchPostgres, tempDir } from './helpers/cli.ts';
import { header, startSmtpSink } from './helpers/smtp-sink.ts';
import { onPostgres } from './helpers/test-db.ts';

/**
 * A campaign to 10,000 customers, its server killed (SIGKILL) twice while it sends, and started
 * again: every customer gets their message, the database holds exactly one message per customer,
 * and what a relay may see twice is bounded by what was in flight at each kill (the relay's
 * "accepted" and our record of it cannot be one act: see docs/messaging.md, "Delivery").
 * And one killed while it takes its audience, between the ranges (campaign-start.ts): one range
 * committed, the other still inserting. PostgreSQL only, like the crash suite: this process
 * watches the database the server writes.
 */
const CUSTOMERS = 10_000;

const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

/** A server of its own on a scratch database, its API called with the admin key. */
async function crashServer(name: string) {
  const database = (await scratchPostgres())!;
  const adminKey = randomBytes(24).toString('hex');
  const server = patronProcess({ databaseUrl: database.url, dataDir: tempDir(name), port: await freePort(), adminKey, env: { PATRON_LIVE_JOB_INTERVAL_SECONDS: '1' } });
  const call = async (method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  /** Imports the customers (c0@… to c9999@…) and answers their ids. */
  const importCustomers = async (): Promise<string[]> => {
    const csv = ['email', ...Array.from({ length: CUSTOMERS }, (_, i) => `c${i}@example.com`)].join('\n');
    const imported = await call('POST', '/v1/imports/customers?fileName=crash.csv', csv, 'text/csv');
    await until('the import', async () => (await call('GET', `/v1/imports/${imported.id}`)).status === 'completed', 120_000);
    const ids: string[] = [];
    for (let cursor: string | null = null; ; ) {
      const page: { items: Array<{ id: string }>; nextCursor: string | null } = await call('GET', `/v1/customers?limit=500${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...page.items.map((c) => c.id));
      cursor = page.nextCursor;
      if (!cursor) break;
    }
    return ids;
  };
  return { database, server, call, importCustomers };
}

describe.runIf(onPostgres)('a campaign killed and restarted (PostgreSQL)', () => {
  it(`${CUSTOMERS.toLocaleString('en')} customers, two SIGKILLs while sending: one message each`, async () => {
    const { database, server, call, importCustomers } = await crashServer('campaign-crash');
    const smtp = await startSmtpSink();
    try {
      await server.start();
      await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
      await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example', maxConnections: 4 } });
      const template = await call('POST', '/v1/templates', { name: 'Notice', kind: 'email', purpose: 'service', parts: { subject: 'A notice for {{ customer.email }}', text: 'Hello' } });
      const ids = await importCustomers();
      expect(ids).toHaveLength(CUSTOMERS);
      const campaign = await call('POST', '/v1/campaigns', { name: 'Notice to all', audience: { kind: 'list', customerIds: ids }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: template.id }] }], controlShareBp: 0 });
      await call('POST', `/v1/campaigns/${campaign.id}/start`);
      for (const at of [2_500, 6_000]) {
        await until(`${at} messages at the relay`, () => smtp.received.length >= at, 180_000);
        expect((await server.signal('SIGKILL')).signal).toBe('SIGKILL');
        await server.start();
      }
      await until('the campaign to complete', async () => (await call('GET', `/v1/campaigns/${campaign.id}`)).status === 'completed', 240_000);
      const stored = await call('GET', `/v1/campaigns/${campaign.id}`);
      expect(stored.progress).toMatchObject({ audience: CUSTOMERS, control: 0, queued: CUSTOMERS });
      const messageIds = smtp.received.map((mail) => header(mail.raw, 'message-id'));
      const recipients = new Set(smtp.received.flatMap((mail) => mail.to));
      expect(recipients.size).toBe(CUSTOMERS);
      expect(new Set(messageIds).size).toBe(CUSTOMERS);
      const twice = smtp.received.length - CUSTOMERS;
      process.stdout.write(`campaign crash: ${smtp.received.length} relayed for ${CUSTOMERS} customers (${twice} sent again after a kill)\n`);
      expect(twice).toBeLessThanOrEqual(2 * IN_FLIGHT);
    } finally {
      await server.signal('SIGTERM').catch(() => undefined);
      await smtp.close();
      await database.drop();
    }
  }, 600_000);

  it(`${CUSTOMERS.toLocaleString('en')} customers, a SIGKILL while the audience is taken, between its ranges: one recipient and one message each`, async () => {
    const { database, server, call, importCustomers } = await crashServer('campaign-start-crash');
    const direct = new pg.Client({ connectionString: database.url });
    const holder = new pg.Client({ connectionString: database.url });
    try {
      await server.start();
      await Promise.all([direct.connect(), holder.connect()]);
      await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
      const template = await call('POST', '/v1/templates', { name: 'Notice', kind: 'email', purpose: 'service', parts: { subject: 'A notice', text: 'Hello' } });
      const ids = await importCustomers();
      expect(ids).toHaveLength(CUSTOMERS);
      const campaign = await call('POST', '/v1/campaigns', { name: 'Notice to all', audience: { kind: 'list', customerIds: ids }, variants: [{ key: 'A', weightBp: 10_000, steps: [{ templateId: template.id }] }], controlShareBp: 0 });
      // The last customer's recipient row waits on a lock this test holds: the last range stays
      // open, mid-insert, while the first commits (10,000 is two ranges of 5,000).
      const last = [...ids].sort().at(-1)!;
      await holder.query('select pg_advisory_lock(7246047)');
      await direct.query(`create function hold_last() returns trigger language plpgsql as $$
        begin
          if new.customer_id = '${last}' then perform pg_advisory_xact_lock_shared(7246047); end if;
          return new;
        end $$`);
      await direct.query('create trigger hold_last before insert on campaign_recipients for each row execute function hold_last()');
      const recipients = async () => Number((await direct.query<{ n: string }>('select count(*) as n from campaign_recipients where campaign_id = $1', [campaign.id])).rows[0]!.n);
      const waiting = async () => Number((await direct.query<{ n: string }>("select count(*) as n from pg_locks where locktype = 'advisory' and objid = 7246047 and not granted")).rows[0]!.n);
      await call('POST', `/v1/campaigns/${campaign.id}/start`);
      await until('the first range committed and the last waiting', async () => (await recipients()) > 0 && (await waiting()) > 0, 120_000);
      expect((await server.signal('SIGKILL')).signal).toBe('SIGKILL');
      // Still scheduled, with the first range's rows: what the next attempt finds.
      const cut = await recipients();
      expect(cut).toBeGreaterThan(0);
      expect(cut).toBeLessThan(CUSTOMERS);
      expect((await direct.query('select status from campaigns where id = $1', [campaign.id])).rows[0]).toEqual({ status: 'scheduled' });
      // The killed server's last range goes on in the database, and ends rolled back: its commit was never sent.
      await holder.query('select pg_advisory_unlock(7246047)');
      await direct.query('drop trigger hold_last on campaign_recipients');
      expect(await recipients()).toBe(cut);
      await server.start();
      await until('the campaign to be queued', async () => (await call('GET', `/v1/campaigns/${campaign.id}`)).progress.queued >= CUSTOMERS, 240_000);
      const stored = await call('GET', `/v1/campaigns/${campaign.id}`);
      expect(stored).toMatchObject({ status: 'running', progress: { audience: CUSTOMERS, control: 0, queued: CUSTOMERS } });
      const counted = await direct.query<{ rows: string; customers: string; messages: string; messaged: string }>(
        `select (select count(*) from campaign_recipients where campaign_id = $1) as rows,
          (select count(distinct customer_id) from campaign_recipients where campaign_id = $1) as customers,
          (select count(*) from messages where source_id = $1) as messages,
          (select count(distinct customer_id) from messages where source_id = $1) as messaged`,
        [campaign.id],
      );
      expect(counted.rows[0]).toEqual({ rows: String(CUSTOMERS), customers: String(CUSTOMERS), messages: String(CUSTOMERS), messaged: String(CUSTOMERS) });
    } finally {
      await server.signal('SIGTERM').catch(() => undefined);
      await Promise.all([direct.end(), holder.end()]).catch(() => undefined);
      await database.drop();
    }
  }, 600_000);
});
