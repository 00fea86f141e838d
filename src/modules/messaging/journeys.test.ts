import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { header, startSmtpSink, type SmtpSink } from '../../../tests/helpers/smtp-sink.ts';

/**
 * Journeys on a real SMTP server: ready-made journeys entered on real events, waits until a
 * local time in two zones, a condition on purchases since entry, the holdout walking without
 * being sent anything, a new version leaving those inside on theirs, and every step once
 * however often the jobs run.
 */
describe('journeys', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let moscow: string;
  let vladivostok: string;
  let sequence = 0;
  const optIn = [{ channel: 'email', purpose: 'marketing', granted: true, source: 'web' }];
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const answer = await t.call({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
    return { status: answer.statusCode, body: answer.json() };
  };
  /** An event as its module writes it to the outbox. */
  const emit = async (type: string, customerId: string, payload: Record<string, unknown>) => {
    sequence++;
    await t.database.db.insertInto('outboxEvents').values({ eventId: `evt_journey_test_${sequence}`, type, customerId, payload: JSON.stringify({ customerId, ...payload }), occurredAt: t.clock.now() }).execute();
  };
  const tick = async () => {
    await t.services.messaging.enterJourneys();
    await t.services.messaging.advanceJourneys();
    await t.services.messaging.sendDue();
  };
  const mailTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));

  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-04-01T00:00:00Z');
    smtp = await startSmtpSink();
    await t.call({ method: 'PUT', url: '/v1/messaging/policy', payload: { caps: [], quietHours: null, defaultTimezone: 'Europe/Moscow', defaultLocale: 'en', programName: 'Club', publicUrl: 'https://club.shop.example' } });
    await call('POST', '/v1/channels', { name: 'Relay', kind: 'email', config: { host: '127.0.0.1', port: smtp.port, from: 'club@shop.example' } });
    moscow = (await call('POST', '/v1/customers', { email: 'msk@example.com', firstName: 'Masha', timezone: 'Europe/Moscow', consents: optIn })).body.id;
    vladivostok = (await call('POST', '/v1/customers', { email: 'vvo@example.com', firstName: 'Vova', timezone: 'Asia/Vladivostok', consents: optIn })).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  it('lists the ready-made journeys and makes one with its templates, as a draft', async () => {
    const recipes = await call('GET', '/v1/journey-recipes');
    expect(recipes.body.items.map((r: { recipe: string }) => r.recipe)).toEqual(['welcome', 'birthday', 'points_expiry', 'win_back', 'post_purchase_nps', 'tier_upgrade', 'abandoned_cart']);
    for (const recipe of ['welcome', 'birthday', 'win_back', 'post_purchase_nps', 'tier_upgrade', 'abandoned_cart'] as const) {
      for (const language of ['ru', 'en'] as const) {
        const made = await call('POST', `/v1/journey-recipes/${recipe}`, { language });
        expect(made.status, JSON.stringify(made.body)).toBe(201);
        expect(made.body.status).toBe('draft');
      }
    }
  });

  it('pages the ready-made journeys, and refuses a recipe naming no promotion before saving any of its templates', async () => {
    const first = await call('GET', '/v1/journey-recipes?limit=4');
    expect(first.body.items).toHaveLength(4);
    const rest = await call('GET', `/v1/journey-recipes?limit=4&cursor=${first.body.nextCursor}`);
    expect([rest.body.items.map((r: { recipe: string }) => r.recipe), rest.body.nextCursor]).toEqual([['post_purchase_nps', 'tier_upgrade', 'abandoned_cart'], null]);
    const templates = (await call('GET', '/v1/templates?limit=500')).body.items.length;
    const refused = await call('POST', '/v1/journey-recipes/win_back', { promotionId: 'prm_0190c0ffee00700080000000000000ab' });
    expect([refused.status, refused.body.code]).toEqual([400, 'messaging.invalid_journey']);
    expect(refused.body.detail).toContain('no promotion prm_0190c0ffee00700080000000000000ab');
    expect((await call('GET', '/v1/templates?limit=500')).body.items).toHaveLength(templates);
  });

  it('points-expiry reminders go at 11:00 in each customer\'s own zone', async () => {
    const journey = (await call('POST', '/v1/journey-recipes/points_expiry', { language: 'en' })).body;
    // No holdout here: both customers must get it.
    await call('PATCH', `/v1/journeys/${journey.id}`, { controlShareBp: 0 });
    expect((await call('POST', `/v1/journeys/${journey.id}/activate`)).body.status).toBe('active');
    t.clock.set('2026-04-01T20:00:00Z'); // 23:00 in Moscow, 06:00 on the 2nd in Vladivostok
    await emit('points.expiring', moscow, { points: 150, at: '2026-04-10T21:00:00Z' });
    await emit('points.expiring', vladivostok, { points: 70, at: '2026-04-10T14:00:00Z' });
    await tick();
    await tick(); // a second run enters and sends nothing more
    expect(mailTo('msk@example.com')).toHaveLength(0);
    expect(mailTo('vvo@example.com')).toHaveLength(0);
    t.clock.set('2026-04-02T00:59:00Z');
    await tick();
    expect(mailTo('vvo@example.com')).toHaveLength(0);
    t.clock.set('2026-04-02T01:00:00Z'); // 11:00 in Vladivostok
    await tick();
    expect(mailTo('vvo@example.com')).toHaveLength(1);
    expect(mailTo('msk@example.com')).toHaveLength(0);
    t.clock.set('2026-04-02T08:00:00Z'); // 11:00 in Moscow
    await tick();
    await tick();
    expect(mailTo('msk@example.com')).toHaveLength(1);
    expect(mailTo('vvo@example.com')).toHaveLength(1);
    const entries = (await call('GET', `/v1/journeys/${journey.id}/entries`)).body.items;
    expect(entries.map((e: { status: string }) => e.status)).toEqual(['completed', 'completed']);
    expect(entries[0].steps.map((s: { stepId: string; outcome: string }) => `${s.stepId}:${s.outcome}`)).toEqual(['morning:waited', 'remind:sent']);
  });

  it('birthday greetings carry the offer\'s code and go at 10:00 local time', async () => {
    const journey = (await call('POST', '/v1/journey-recipes/birthday', { language: 'en' })).body;
    await call('PATCH', `/v1/journeys/${journey.id}`, { controlShareBp: 0 });
    await call('POST', `/v1/journeys/${journey.id}/activate`);
    t.clock.set('2026-04-05T05:00:00Z'); // 08:00 Moscow, 15:00 Vladivostok: past 10:00 there, so tomorrow
    await emit('customer.birthday', moscow, { offerId: 'bof_1', year: 2026, kind: 'promo_code', code: 'BDAY-MSK1' });
    await emit('customer.birthday', vladivostok, { offerId: 'bof_2', year: 2026, kind: 'promo_code', code: 'BDAY-VVO1' });
    const before = { msk: mailTo('msk@example.com').length, vvo: mailTo('vvo@example.com').length };
    await tick();
    t.clock.set('2026-04-05T07:00:00Z'); // 10:00 Moscow
    await tick();
    const greeting = mailTo('msk@example.com').slice(before.msk);
    expect(greeting).toHaveLength(1);
    expect(header(greeting[0]!.raw, 'subject')).toBe('Happy birthday, Masha!');
    expect(greeting[0]!.raw).toContain('BDAY-MSK1');
    expect(mailTo('vvo@example.com').length - before.vvo).toBe(0);
    t.clock.set('2026-04-06T01:00:00Z'); // 10:00 Vladivostok, the next day
    await tick();
    expect(mailTo('vvo@example.com').length - before.vvo).toBe(1);
  });

  it('the holdout walks the journey but is sent nothing', async () => {
    const template = (await call('POST', '/v1/templates', { name: 'Holdout probe', kind: 'email', purpose: 'marketing', parts: { subject: 'Probe', text: 'Hi' } })).body;
    const journey = (await call('POST', '/v1/journeys', {
      name: 'Mostly held out',
      trigger: { event: 'customer.action', actionType: 'app.opened' },
      steps: [{ id: 'send', kind: 'send', templateId: template.id, next: null }],
      controlShareBp: 5000,
      reentry: 'never',
    })).body;
    await call('POST', `/v1/journeys/${journey.id}/activate`);
    const people: string[] = [];
    for (let i = 0; i < 40; i++) people.push((await call('POST', '/v1/customers', { email: `h${i}@example.com`, consents: optIn })).body.id);
    for (const id of people) await emit('customer.action', id, { type: 'app.opened', eventId: `ce_${id}` });
    await tick();
    const entries = await t.database.db.selectFrom('journeyEntries').select(['customerId', 'arm', 'status']).where('journeyId', '=', journey.id).execute();
    expect(entries).toHaveLength(40);
    const held = entries.filter((e) => e.arm === 'control').map((e) => e.customerId);
    expect(held.length).toBeGreaterThan(8);
    expect(held.length).toBeLessThan(32);
    const messaged = await t.database.db.selectFrom('messages').select('customerId').where('sourceId', '=', journey.id).execute();
    expect(messaged.map((m) => m.customerId).sort()).toEqual(entries.filter((e) => e.arm === 'journey').map((e) => e.customerId).sort());
    expect(entries.every((e) => e.status === 'completed')).toBe(true);
    // The same event again: nobody enters twice (reentry never).
    for (const id of people.slice(0, 5)) await emit('customer.action', id, { type: 'app.opened', eventId: `ce2_${id}` });
    await tick();
    expect(await t.database.db.selectFrom('journeyEntries').select('id').where('journeyId', '=', journey.id).execute()).toHaveLength(40);
  });

  it('a step that fails waits 10 minutes for those at it; the others walk on', async () => {
    const hook = (await call('POST', '/v1/webhooks', { url: 'https://hooks.shop.example/in', eventTypes: ['message.sent'] })).body;
    const template = (await call('POST', '/v1/templates', { name: 'Walks on', kind: 'email', purpose: 'service', parts: { subject: 'On', text: 'Hi' } })).body;
    const breaking = (await call('POST', '/v1/journeys', {
      name: 'Calls a webhook',
      trigger: { event: 'customer.action', actionType: 'hook.probe' },
      steps: [{ id: 'call', kind: 'webhook', webhookId: hook.id, next: 'send' }, { id: 'send', kind: 'send', templateId: template.id, next: null }],
      controlShareBp: 0,
      reentry: 'always',
    })).body;
    const walking = (await call('POST', '/v1/journeys', {
      name: 'Just sends',
      trigger: { event: 'customer.action', actionType: 'hook.probe' },
      steps: [{ id: 'send', kind: 'send', templateId: template.id, next: null }],
      controlShareBp: 0,
      reentry: 'always',
    })).body;
    for (const journey of [breaking, walking]) expect((await call('POST', `/v1/journeys/${journey.id}/activate`)).status).toBe(200);
    // The webhook goes after the journey was saved: its step now fails for everyone at it.
    expect((await call('DELETE', `/v1/webhooks/${hook.id}`)).status).toBe(200);
    const people: string[] = [];
    for (let i = 0; i < 3; i++) people.push((await call('POST', '/v1/customers', { email: `f${i}@example.com` })).body.id);
    for (const id of people) await emit('customer.action', id, { type: 'hook.probe', eventId: `hp_${id}` });
    await t.services.messaging.enterJourneys();
    const report = await t.services.messaging.advanceJourneys();
    expect(report).toMatchObject({ failed: 3, advanced: 3 });
    const stuck = await t.database.db.selectFrom('journeyEntries').select(['status', 'stepId', 'wakeAt']).where('journeyId', '=', breaking.id).execute();
    expect(stuck).toHaveLength(3);
    for (const entry of stuck) expect(entry).toEqual({ status: 'active', stepId: 'call', wakeAt: new Date(t.clock.now().getTime() + 10 * 60_000) });
    const done = await t.database.db.selectFrom('journeyEntries').select('status').where('journeyId', '=', walking.id).execute();
    expect(done.map((e) => e.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('welcome series: the nudge goes only to whoever has not bought; a new version leaves those inside on theirs', async () => {
    const journey = (await call('POST', '/v1/journey-recipes/welcome', { language: 'en' })).body;
    await call('PATCH', `/v1/journeys/${journey.id}`, { controlShareBp: 0 });
    await call('POST', `/v1/journeys/${journey.id}/activate`);
    t.clock.set('2026-05-01T09:00:00Z');
    const buyer = (await call('POST', '/v1/customers', { email: 'buyer@example.com', timezone: 'Europe/Moscow', consents: optIn })).body.id;
    const browser = (await call('POST', '/v1/customers', { email: 'browser@example.com', timezone: 'Europe/Moscow', consents: optIn })).body.id;
    await tick();
    expect(mailTo('buyer@example.com')).toHaveLength(1);
    expect(mailTo('browser@example.com')).toHaveLength(1);
    // A new version (no nudge) for those entering from now on.
    const changed = await call('PATCH', `/v1/journeys/${journey.id}`, { steps: [{ ...journey.steps[0], next: null }] });
    expect(changed.body.version).toBe(2);
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
    t.clock.set('2026-05-02T09:00:00Z');
    const receipt = await t.call({
      method: 'POST',
      url: '/v1/checkout/confirm',
      payload: { storeId: 's1', posReceiptId: 'welcome-r1', customer: { customerId: buyer }, lines: [{ sku: 'A', qty: 1, price: 50000 }] },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    t.clock.set('2026-05-05T07:59:00Z');
    await tick();
    expect(mailTo('browser@example.com')).toHaveLength(1);
    t.clock.set('2026-05-05T08:00:00Z'); // three days on (12:00 on the 4th), then the next 11:00 in Moscow
    await tick();
    expect(mailTo('buyer@example.com')).toHaveLength(1);
    expect(mailTo('browser@example.com')).toHaveLength(2);
    expect(buyer).not.toBe(browser);
  });

  it('abandoned cart: two hours on, a reminder to whoever has not bought since, once a day at most', async () => {
    const journey = (await call('POST', '/v1/journey-recipes/abandoned_cart', { language: 'en' })).body;
    await call('PATCH', `/v1/journeys/${journey.id}`, { controlShareBp: 0 });
    expect((await call('POST', `/v1/journeys/${journey.id}/activate`)).status).toBe(200);
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
    t.clock.set('2026-06-01T09:00:00Z');
    const shopper = (await call('POST', '/v1/customers', { email: 'cart-buys@example.com', consents: optIn })).body.id;
    const leaver = (await call('POST', '/v1/customers', { email: 'cart-leaves@example.com', consents: optIn })).body.id;
    // (Other journeys of this file are on, a welcome among them: only the cart's reminders count here.)
    const reminders = (address: string) => mailTo(address).filter((m) => header(m.raw, 'subject')?.endsWith('you left something in your cart'));
    for (const id of [shopper, leaver]) await emit('customer.action', id, { type: 'cart.updated', eventId: `cart1_${id}` });
    await tick();
    t.clock.set('2026-06-01T10:00:00Z');
    const bought = await t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: 'cart-r1', customer: { customerId: shopper }, lines: [{ sku: 'A', qty: 1, price: 30000 }] } });
    expect(bought.statusCode, bought.body).toBe(201);
    await tick();
    expect(reminders('cart-leaves@example.com')).toHaveLength(0);
    t.clock.set('2026-06-01T11:00:00Z');
    await tick();
    expect(reminders('cart-buys@example.com')).toHaveLength(0);
    expect(reminders('cart-leaves@example.com').map((m) => header(m.raw, 'subject'))).toEqual(['Hello, you left something in your cart']);
    // Another cart the same day: no second reminder (re-entry after a day).
    t.clock.set('2026-06-01T15:00:00Z');
    await emit('customer.action', leaver, { type: 'cart.updated', eventId: `cart2_${leaver}` });
    await tick();
    t.clock.set('2026-06-01T18:00:00Z');
    await tick();
    expect(reminders('cart-leaves@example.com')).toHaveLength(1);
  });

  it('an event from before a journey was switched on enters no one', async () => {
    const template = (await call('POST', '/v1/templates', { name: 'Late probe', kind: 'email', purpose: 'marketing', parts: { subject: 'Late', text: 'Hi' } })).body;
    const journey = (await call('POST', '/v1/journeys', { name: 'Late', trigger: { event: 'customer.action', actionType: 'late.probe' }, steps: [{ id: 'send', kind: 'send', templateId: template.id, next: null }] })).body;
    await emit('customer.action', moscow, { type: 'late.probe', eventId: 'late-1' });
    t.clock.advance(60_000);
    await call('POST', `/v1/journeys/${journey.id}/activate`);
    await tick();
    expect(await t.database.db.selectFrom('journeyEntries').select('id').where('journeyId', '=', journey.id).execute()).toEqual([]);
    await emit('customer.action', moscow, { type: 'late.probe', eventId: 'late-2' });
    await tick();
    expect(await t.database.db.selectFrom('journeyEntries').select('id').where('journeyId', '=', journey.id).execute()).toHaveLength(1);
  });

  it('refuses a journey that goes round in a loop or names what is not there', async () => {
    const bad = await call('POST', '/v1/journeys', {
      name: 'Loop',
      trigger: { event: 'customer.action' },
      steps: [
        { id: 'a', kind: 'wait', minutes: 60, next: 'b' },
        { id: 'b', kind: 'send', templateId: 'tpl_00000000000000000000000000000000', next: 'a' },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe(
      'trigger.actionType: is required for customer.action: the custom event type to start on; steps: steps a → b → a go round in a loop; a journey runs forward (re-entry repeats it); steps.1.templateId: no template tpl_00000000000000000000000000000000',
    );
  });
});
