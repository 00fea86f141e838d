import { randomBytes } from 'node:crypto';
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
 * PostgreSQL only, like the crash suite: this process watches the database the server writes.
 */
const CUSTOMERS = 10_000;

describe.runIf(onPostgres)('a campaign killed mid-send and restarted (PostgreSQL)', () => {
  it(`${CUSTOMERS.toLocaleString('en')} customers, two SIGKILLs while sending: one message each`, async () => {
    const database = (await scratchPostgres())!;
    const smtp = await startSmtpSink();
    const adminKey = randomBytes(24).toString('hex');
    const server = patronProcess({ databaseUrl: database.url, dataDir: tempDir('campaign-crash'), port: await freePort(), adminKey, env: { PATRON_LIVE_JOB_INTERVAL_SECONDS: '1' } });
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
    const until = async (what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    try {
      await server.start();
      await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
      await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example', maxConnections: 4 } });
      const template = await call('POST', '/v1/templates', { name: 'Notice', kind: 'email', purpose: 'service', parts: { subject: 'A notice for {{ customer.email }}', text: 'Hello' } });
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
});
