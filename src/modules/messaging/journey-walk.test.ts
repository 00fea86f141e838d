import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';

/**
 * A walk saves an entry's position only when it stops (ends, sleeps, fails a step), not at each
 * step it passes: after a crash an entry is walked again from where it stood when claimed, and
 * every step it had taken gives its recorded answer instead of acting again. Checked here by
 * walking entries, then putting them back where they stood before the walk (as a crash would
 * have left them) and walking them again: the entries end as they did, with the same step
 * records, branches and messages — a condition down the branch it took, a send with no second
 * message, the holdout still sent nothing.
 */
describe('a journey walk taken again from where its entries were claimed', () => {
  let t: TestApp;
  const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
  const call = async (method: 'GET' | 'POST', url: string, payload?: unknown) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return answer.json();
  };

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-04-01T09:00:00Z');
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'UTC', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends every entry as the first walk did, acting once', async () => {
    const template = (await call('POST', '/v1/templates', { name: 'Visit', kind: 'email', purpose: 'marketing', parts: { subject: 'Hello {{ customer.firstName }}', text: 'Thanks for coming by' } })).id as string;
    const journey = (await call('POST', '/v1/journeys', {
      name: 'Visit thanks',
      trigger: { event: 'customer.action', actionType: 'shop.visit' },
      steps: [
        { id: 'has-mail', kind: 'condition', if: { kind: 'has_contact', channel: 'email', value: true }, then: 'send', else: 'no-mail' },
        { id: 'send', kind: 'send', templateId: template, next: 'end' },
        { id: 'no-mail', kind: 'exit' },
        { id: 'end', kind: 'exit' },
      ],
      reentry: 'always',
      controlShareBp: 3000,
    })).id as string;
    await call('POST', `/v1/journeys/${journey}/activate`);
    t.clock.advance(1000);
    const people: string[] = [];
    for (let i = 0; i < 30; i++) {
      const contact = i % 3 === 0 ? { phone: `+7916222${String(i).padStart(4, '0')}` } : { email: `walk${i}@example.com` };
      people.push((await call('POST', '/v1/customers', { ...contact, firstName: `P${i}`, consents: optIn })).id as string);
    }
    const db = t.database.db;
    await db.insertInto('outboxEvents').values(people.map((customerId, i) => ({ eventId: `evt_walk_${i}`, type: 'customer.action', customerId, payload: JSON.stringify({ customerId, type: 'shop.visit' }), occurredAt: t.clock.now() }))).execute();
    await t.services.messaging.enterJourneys();
    const claimed = await db.selectFrom('journeyEntries').select(['id', 'stepId', 'wakeAt']).where('journeyId', '=', journey).execute();
    expect(claimed).toHaveLength(30);

    const state = async () => ({
      entries: await db.selectFrom('journeyEntries').select(['id', 'customerId', 'arm', 'status', 'stepId', 'wakeAt', 'lockedUntil']).where('journeyId', '=', journey).orderBy('id').execute(),
      steps: await db.selectFrom('journeyEntrySteps').innerJoin('journeyEntries', 'journeyEntries.id', 'journeyEntrySteps.entryId').select(['entryId', 'journeyEntrySteps.stepId', 'outcome', 'at']).where('journeyId', '=', journey).orderBy('entryId').orderBy('journeyEntrySteps.stepId').execute(),
      messages: await db.selectFrom('messages').select(['customerId', 'dedupeKey', 'status']).where('sourceId', '=', journey).orderBy('customerId').execute(),
    });
    const first = await t.services.messaging.advanceJourneys();
    const walked = await state();
    expect(first).toEqual({ advanced: 30, failed: 0 });
    // What the first walk did: no e-mail → the other exit; the holdout held out; the rest sent one message.
    for (const entry of walked.entries) {
      const own = walked.steps.filter((s) => s.entryId === entry.id).map((s) => [s.stepId, s.outcome]);
      const hasMail = people.indexOf(entry.customerId) % 3 !== 0;
      expect(entry).toMatchObject({ status: 'exited', stepId: hasMail ? 'end' : 'no-mail', wakeAt: null, lockedUntil: null });
      expect(own).toEqual(hasMail ? [['has-mail', 'then'], ['send', entry.arm === 'control' ? 'held_out' : 'sent']] : [['has-mail', 'else']]);
    }
    expect(walked.messages.map((m) => m.customerId).sort()).toEqual(walked.entries.filter((e) => e.arm === 'journey' && e.stepId === 'end').map((e) => e.customerId).sort());
    expect(walked.messages.length).toBeGreaterThan(5);

    // A crash before the walk saved anything: the entries stand where they were claimed, active.
    t.clock.advance(60_000);
    await sql`update journey_entries e set status = 'active', step_id = c.step_id, wake_at = c.wake_at, locked_until = null, finished_at = null
      from unnest(${claimed.map((c) => c.id)}::text[], ${claimed.map((c) => c.stepId)}::text[], ${claimed.map((c) => c.wakeAt)}::timestamptz[]) as c(id, step_id, wake_at)
      where e.id = c.id`.execute(db);
    const again = await t.services.messaging.advanceJourneys();
    expect(again).toEqual({ advanced: 30, failed: 0 });
    expect(await state()).toEqual(walked);
  });
});
