import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';
import { systemActor } from '../../platform/actor.ts';
import { armOf, campaignArms, CONTROL } from './campaign-arms.ts';

/**
 * A campaign's start in customer-id ranges (campaign-start.ts), cut short and taken again. The
 * audience of 60 is taken in ranges of at least 9, three at a time; a trigger fails the insert
 * of the last customer's recipient row, so the last range fails. On PostgreSQL the other ranges
 * have committed on their own connections and the campaign is still scheduled (the state a
 * crash between them and the claim's commit leaves); on PGlite the ranges share the claim's
 * transaction and nothing is left. A stray row stands for what another attempt left behind.
 * The next start takes the audience again: every customer exactly once with the arm the hash
 * gives, the counts those of the rows, no stray row, and one message per messaged customer.
 */
const CUSTOMERS = 60;
const sizes = { chunk: 9, parallel: 3 };

describe('a campaign start cut short between its ranges is taken again whole', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-02T09:00:00Z');
  });
  afterAll(async () => t?.close());

  it('leftover recipients are deleted and every customer is taken once', async () => {
    const db = t.database.db;
    const call = async (method: 'POST' | 'PUT', url: string, payload: unknown) => {
      const answer = await t.call({ method, url, payload: payload as Record<string, unknown> });
      if (answer.statusCode >= 400) throw new Error(`${method} ${url}: ${answer.statusCode} ${answer.body}`);
      return answer.json();
    };
    await call('PUT', '/v1/messaging/policy', { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' });
    const template = (await call('POST', '/v1/templates', { name: 'Notice', kind: 'email', purpose: 'service', parts: { subject: 'Hi', text: 'A notice' } })).id as string;
    const ids: string[] = [];
    for (let i = 0; i < CUSTOMERS; i++) ids.push((await t.services.customers.create({ email: `s${i}@example.com` }, systemActor)).id);
    const outsider = (await t.services.customers.create({ email: 'outsider@example.com' }, systemActor)).id;
    const campaign = await call('POST', '/v1/campaigns', {
      name: 'Ranges',
      audience: { kind: 'list', customerIds: ids },
      variants: [{ key: 'A', weightBp: 5000, steps: [{ templateId: template }] }, { key: 'B', weightBp: 5000, steps: [{ templateId: template }] }],
      controlShareBp: 2000,
    });
    const last = [...ids].sort().at(-1)!;
    await sql`create table start_fails (customer_id text primary key)`.execute(db);
    await sql`insert into start_fails values (${last})`.execute(db);
    await sql`create function start_fails() returns trigger language plpgsql as $$
      begin
        if exists (select 1 from start_fails f where f.customer_id = new.customer_id) then raise exception 'injected failure'; end if;
        return new;
      end $$`.execute(db);
    await sql`create trigger start_fails before insert on campaign_recipients for each row execute function start_fails()`.execute(db);
    await call('POST', `/v1/campaigns/${campaign.id}/start`, {});

    await expect(t.services.messaging.runCampaigns(undefined, sizes)).rejects.toThrow('injected failure');
    const cut = await db.selectFrom('campaigns').select(['status', 'audienceSize']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(cut).toEqual({ status: 'scheduled', audienceSize: null });
    const left = await db.selectFrom('campaignRecipients').select('customerId').where('campaignId', '=', campaign.id).execute();
    if (onPostgres) {
      // The ranges before the last committed on their own: what a crash before the claim's commit leaves.
      expect(left.length).toBeGreaterThanOrEqual(2 * sizes.chunk);
      expect(left.length).toBeLessThan(CUSTOMERS);
    } else {
      expect(left).toEqual([]);
    }
    // What another attempt may have left: a wrong arm, and someone not in the audience.
    if (left.length > 0) await db.updateTable('campaignRecipients').set({ arm: 'stale' }).where('campaignId', '=', campaign.id).execute();
    await db.insertInto('campaignRecipients').values({ campaignId: campaign.id, customerId: outsider, arm: 'stale' }).execute();

    await sql`delete from start_fails`.execute(db);
    await t.services.messaging.runCampaigns(undefined, sizes);
    const started = await db.selectFrom('campaigns').select(['status', 'salt', 'audienceSize', 'controlSize', 'enqueued']).where('id', '=', campaign.id).executeTakeFirstOrThrow();
    expect(started.status).toBe('running');
    const recipients = await db.selectFrom('campaignRecipients').select(['customerId', 'arm']).where('campaignId', '=', campaign.id).orderBy('customerId').execute();
    const arms = campaignArms(2000, [{ key: 'A', weightBp: 5000, steps: [] }, { key: 'B', weightBp: 5000, steps: [] }]);
    expect(recipients).toEqual([...ids].sort().map((customerId) => ({ customerId, arm: armOf(customerId, started.salt, arms) })));
    const control = recipients.filter((r) => r.arm === CONTROL).length;
    expect(control).toBeGreaterThan(0);
    expect({ audience: started.audienceSize, control: started.controlSize, enqueued: started.enqueued }).toEqual({ audience: CUSTOMERS, control, enqueued: CUSTOMERS - control });
    const messages = await db.selectFrom('messages').select('customerId').where('sourceId', '=', campaign.id).orderBy('customerId').execute();
    expect(messages.map((m) => m.customerId)).toEqual(recipients.filter((r) => r.arm !== CONTROL).map((r) => r.customerId));
  }, 120_000);
});
