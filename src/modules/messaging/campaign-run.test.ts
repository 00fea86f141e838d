import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { systemActor } from '../../platform/actor.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import type { CustomerRecord } from '../customers/index.ts';
import { CONTROL } from './campaign-arms.ts';
import { localInstant } from './campaigns.ts';
import type { MessageKind } from './messaging.tables.ts';

/**
 * The set-based queueing of a campaign (one statement a chunk, campaign-run.ts) against the
 * decision it replaced, written out here as it was in Node (a page of records, `reach`, then a
 * message per customer): on random customers — with and without an e-mail or a phone, consents
 * given and withdrawn per channel and for all, push subscriptions, Telegram chats, time zones,
 * erased ones — two variants with channel fallback, a holdout, a local-time schedule and a
 * throttle, every message must be the one the old path would have queued: its channel and
 * template, address, status and reason, and the instant it is due. Once with the job's own sizes
 * (all in one chunk here), once in chunks of 9 queued 3 at a time, so recipients cross chunks and
 * rounds (the throttle counts places across them; the position moves once a round is in).
 */
type Expected = { templateId: string; kind: MessageKind; recipient: string | null; status: string; reason: string | null; due: number };

const runs: Array<[string, { chunk: number; parallel: number } | undefined]> = [
  ['one chunk', undefined],
  ['chunks of 9, 3 at once', { chunk: 9, parallel: 3 }],
];

for (const [label, sizes] of runs) {
  describe(`a campaign queued set-based gives each customer the message the page-by-page path gave (${label})`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp();
      t.clock.set('2026-03-02T09:00:00Z');
    });
    afterAll(async () => t?.close());

    it('on random customers: channel fallback, addresses, erased, consents, local time and throttle', async () => {
      const next = seededRandom(11);
      const random = { next };
      const call = async (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => {
        const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
        if (answer.statusCode >= 400) throw new Error(`${method} ${url}: ${answer.statusCode} ${answer.body}`);
        return answer.json();
      };
      await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
      const template = async (kind: MessageKind, parts: Record<string, string>) => (await call('POST', '/v1/templates', { name: `${kind} ${random.next()}`, kind, purpose: 'marketing', parts })).id as string;
      const push = await template('push', { title: 'Hi', body: 'An offer' });
      const telegram = await template('telegram', { text: 'An offer' });
      const sms = await template('sms', { text: 'An offer' });
      const email = await template('email', { subject: 'Hi', text: 'An offer' });
      const zones = [null, 'Europe/Moscow', 'Asia/Vladivostok', 'Europe/Berlin', 'America/New_York'];
      const ids: string[] = [];
      for (let i = 0; i < 120; i++) {
        const consents = (['email', 'sms', 'push', 'messenger', 'all'] as const).filter(() => random.next() < 0.4).map((channel) => ({ channel, purpose: 'marketing', granted: random.next() < 0.8, source: 'web' }));
        const zone = zones[Math.floor(random.next() * zones.length)];
        const created = await call('POST', '/v1/customers', {
          ...(random.next() < 0.7 ? { email: `r${i}@example.com` } : {}),
          ...(random.next() < 0.7 ? { phone: `+7912${String(10_000_000 + i).slice(1)}` } : {}),
          ...(zone ? { timezone: zone } : {}),
          firstName: `R${i}`,
          consents,
        });
        ids.push(created.id);
        // A later withdrawal of some: the latest event decides.
        if (random.next() < 0.15) await call('PUT', `/v1/customers/${created.id}/consents`, [{ channel: 'all', purpose: 'marketing', granted: false, source: 'web' }]);
        if (random.next() < 0.3) {
          await t.database.db.insertInto('pushSubscriptions').values({ id: `psb_${i}`, customerId: created.id, endpoint: `https://push.example/${i}`, p256dh: 'k', auth: 'a', userAgent: null, createdAt: t.clock.now(), lastSentAt: null }).execute();
        }
        if (random.next() < 0.3) await t.database.db.insertInto('telegramLinks').values({ customerId: created.id, chatId: `${9000 + i}`, linkedAt: t.clock.now() }).execute();
      }

      const campaign = await call('POST', '/v1/campaigns', {
        name: 'Set-based',
        audience: { kind: 'list', customerIds: ids },
        variants: [
          { key: 'A', weightBp: 5000, steps: [{ templateId: push }, { templateId: telegram }, { templateId: sms }, { templateId: email }] },
          { key: 'B', weightBp: 5000, steps: [{ templateId: email }, { templateId: sms }] },
        ],
        controlShareBp: 1000,
        schedule: { kind: 'local', date: '2026-03-03', time: '10:00' },
        throttlePerMinute: 7,
      });
      await call('POST', `/v1/campaigns/${campaign.id}/start`);
      // Erased after the list was made: in the audience, gone by the time it is queued.
      for (const id of ids.filter(() => random.next() < 0.08)) await t.services.customers.erase(id, systemActor);
      t.clock.set('2026-03-03T00:30:00Z'); // the campaign's first zone's morning: it starts
      await t.services.messaging.runCampaigns(undefined, sizes);

      // The page-by-page decision, as campaign-run.ts and enqueue.ts made it before.
      const db = t.database.db;
      const started = await db.selectFrom('campaigns').select(['startedAt', 'enqueued']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
      const recipients = await db.selectFrom('campaignRecipients').select(['customerId', 'arm']).where('campaignId', '=', campaign.id).where('arm', '!=', CONTROL).orderBy('customerId').execute();
      const records: CustomerRecord[] = await t.services.customers.getMany(recipients.map((r) => r.customerId), false);
      const byId = new Map(records.map((r) => [r.id, r]));
      const consented = async (channel: 'email' | 'sms' | 'push' | 'messenger') => t.services.customers.grantedNow(records.map((r) => r.id), channel, 'marketing');
      const [withPush, chats, emailOk, smsOk, pushOk, telegramOk] = await Promise.all([
        db.selectFrom('pushSubscriptions').select('customerId').execute().then((rows) => new Set(rows.map((r) => r.customerId))),
        db.selectFrom('telegramLinks').select(['customerId', 'chatId']).execute().then((rows) => new Map(rows.map((r) => [r.customerId, r.chatId]))),
        consented('email'), consented('sms'), consented('push'), consented('messenger'),
      ]);
      const reach: Record<MessageKind, (r: CustomerRecord) => boolean> = {
        email: (r) => Boolean(r.email) && emailOk.has(r.id),
        sms: (r) => Boolean(r.phone) && smsOk.has(r.id),
        push: (r) => withPush.has(r.id) && pushOk.has(r.id),
        telegram: (r) => chats.has(r.id) && telegramOk.has(r.id),
      };
      const kindOf: Record<string, MessageKind> = { [push]: 'push', [telegram]: 'telegram', [sms]: 'sms', [email]: 'email' };
      const stepsOf: Record<string, string[]> = { A: [push, telegram, sms, email], B: [email, sms] };
      const expected = new Map<string, Expected>();
      recipients.forEach((recipient, i) => {
        const record = byId.get(recipient.customerId);
        const steps = stepsOf[recipient.arm]!;
        const templateId = steps.find((s) => record !== undefined && reach[kindOf[s]!](record)) ?? steps[0]!;
        const kind = kindOf[templateId]!;
        const local = localInstant('2026-03-03', '10:00', record?.timezone ?? 'Europe/Moscow').getTime();
        const throttled = started.startedAt!.getTime() + Math.floor(i / 7) * 60_000;
        const due = Math.max(local, throttled);
        if (!record || record.status !== 'active') return expected.set(recipient.customerId, { templateId, kind, recipient: null, status: 'skipped', reason: 'customer_gone', due });
        const address = kind === 'email' ? record.email : kind === 'sms' ? record.phone : kind === 'telegram' ? (chats.get(record.id) ?? null) : null;
        if (!address && kind !== 'push') return expected.set(recipient.customerId, { templateId, kind, recipient: null, status: 'skipped', reason: 'no_address', due });
        expected.set(recipient.customerId, { templateId, kind, recipient: address, status: 'queued', reason: null, due });
      });

      const messages = await db.selectFrom('messages').select(['customerId', 'templateId', 'kind', 'recipient', 'status', 'reason', 'nextAttemptAt', 'dedupeKey']).where('sourceId', '=', campaign.id).execute();
      const actual = new Map(messages.map((m) => [m.customerId!, { templateId: m.templateId!, kind: m.kind, recipient: m.recipient, status: m.status, reason: m.reason, due: m.nextAttemptAt.getTime() } satisfies Expected]));
      expect(started.enqueued).toBe(recipients.length);
      expect(actual).toEqual(expected);
      // The random data reached every branch: each kind chosen, both skips, held-out customers.
      const outcomes = new Set([...expected.values()].map((e) => (e.status === 'queued' ? e.kind : e.reason)));
      expect([...outcomes].sort()).toEqual(['customer_gone', 'email', 'no_address', 'push', 'sms', 'telegram']);
      expect(messages.every((m) => m.dedupeKey === `campaign:${campaign.id}:${m.customerId}`)).toBe(true);
      // Each message's history, as the API answers it, is its creation: queued (that entry kept in
      // the message's row), or skipped saying why (a history row).
      for (const { id } of await db.selectFrom('messages').select('id').where('sourceId', '=', campaign.id).execute()) {
        const view = (await t.services.messaging.message(id))!;
        expect(view.history).toEqual([{ status: view.status, at: view.createdAt, detail: view.reason === null ? {} : { reason: view.reason } }]);
      }

      // A second run (a restart) queues nothing twice.
      await db.updateTable('campaigns').set({ position: null, enqueued: 0 }).where('id', '=', campaign.id).execute();
      await t.services.messaging.runCampaigns(undefined, sizes);
      expect(await db.selectFrom('messages').select('id').where('sourceId', '=', campaign.id).execute()).toHaveLength(messages.length);
    }, 120_000);
  });
}
