import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { commitmentOf, entriesDigestOf, verifyDraw, type Entry } from './fair-draw.ts';

let t: TestApp;
let anna: string;
let ivan: string;
let oleg: string;
let erased: string;
let lotteryId: string;
let commitment: string;

const period = { from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' };
const body = {
  name: 'Spring draw',
  entryPeriod: period,
  rules: [
    { kind: 'spend', perMinor: 100_000, tierMultipliers: { gold: 2 } },
    { kind: 'action', eventType: 'survey.answered', entries: 1 },
  ],
  prizes: [{ name: 'Coffee machine', rewardId: 'rwd_set_in_beforeAll', count: 2 }, { name: 'Mug', count: 1 }],
};

let receiptNo = 0;
async function buy(customerId: string, at: string, price: number, qty = 1) {
  t.clock.set(at);
  const response = await t.call({
    method: 'POST',
    url: '/v1/checkout/confirm',
    payload: { storeId: 'msk-01', posReceiptId: `L-${++receiptNo}`, customer: { customerId }, lines: [{ sku: 'GOODS', qty, price }] },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().receiptId as string;
}

let eventNo = 0;
async function action(customerId: string, type: string, occurredAt: string, eventId = `evt_survey_${++eventNo}`) {
  await t.database.db
    .insertInto('outboxEvents')
    .values({ eventId: `evt_${customerId}_${++eventNo}`, type: 'customer.action', customerId, payload: JSON.stringify({ type, eventId, occurredAt }), occurredAt })
    .execute();
}

async function allEntries(id: string): Promise<Entry[]> {
  const entries: Entry[] = [];
  let cursor: string | null = null;
  do {
    const page = await t.call({ method: 'GET', url: `/v1/lotteries/${id}/entries?limit=2${cursor ? `&cursor=${cursor}` : ''}` });
    expect(page.statusCode, page.body).toBe(200);
    entries.push(...page.json().items.map((e: Entry) => ({ customerId: e.customerId, entries: e.entries })));
    cursor = page.json().nextCursor;
  } while (cursor);
  return entries;
}

beforeAll(async () => {
  t = await createTestApp();
  t.clock.set('2026-02-20T09:00:00Z');
  await t.call({ method: 'PUT', url: '/v1/stores/msk-01', payload: { name: 'Moscow', timezone: 'Europe/Moscow' } });
  await t.call({ method: 'PUT', url: '/v1/products', payload: [{ sku: 'GOODS', name: 'Goods', categoryPath: ['grocery'] }] });
  const create = async (phone: string) => (await t.call({ method: 'POST', url: '/v1/customers', payload: { phone } })).json().id as string;
  [anna, ivan, oleg, erased] = [await create('+79120000001'), await create('+79120000002'), await create('+79120000003'), await create('+79120000004')];
  // One coffee machine in stock for two prize slots: the second winner's grant is refused, the draw stands.
  const machine = await t.call({ method: 'POST', url: '/v1/rewards', payload: { name: 'Coffee machine', kind: 'goods', status: 'active', pointsCost: 100000, stock: 1 } });
  expect(machine.statusCode, machine.body).toBe(201);
  body.prizes[0]!.rewardId = machine.json().id;
  await t.database.db.insertInto('customerTiers').values({ customerId: anna, tierId: 'gold', since: '2026-01-01T00:00:00Z', reviewedAt: null }).execute();
});
afterAll(async () => t?.close());

describe('a lottery from creation to a verified draw', () => {
  it('publishes the commitment at creation and keeps the seed secret', async () => {
    const created = await t.call({ method: 'POST', url: '/v1/lotteries', payload: body });
    expect(created.statusCode, created.body).toBe(201);
    const lottery = created.json();
    expect(lottery).toMatchObject({ status: 'upcoming', algorithm: 'patron-lottery-v1', seed: null, entriesDigest: null, winners: [], entryPeriod: period, version: 1 });
    expect(lottery.commitment).toMatch(/^[0-9a-f]{64}$/);
    lotteryId = lottery.id;
    commitment = lottery.commitment;
    expect(JSON.stringify((await t.call({ method: 'GET', url: `/v1/lotteries/${lotteryId}` })).json())).not.toMatch(/"seed":"/);
  });

  it('counts spend exactly: one entry per 1,000.00 of net spend in [from, to), double for gold; refunds deducted', async () => {
    await buy(anna, '2026-02-28T23:59:59Z', 900_000); // before the period: nothing
    await buy(anna, '2026-03-02T10:00:00Z', 250_000); // 2 × gold 2 = 4
    await buy(ivan, '2026-03-02T10:00:00Z', 99_999);
    await buy(ivan, '2026-03-03T10:00:00Z', 100_000); // 1,999.99 in all: 1
    const olegs = await buy(oleg, '2026-03-04T10:00:00Z', 100_000, 3);
    const refund = await t.call({ method: 'POST', url: `/v1/receipts/${olegs}/refunds`, payload: { refundId: 'R-1', lines: [{ sku: 'GOODS', qty: 1 }] } });
    expect(refund.statusCode, refund.body).toBe(201); // 3,000.00 − 1,000.00: 2
    await buy(oleg, '2026-03-08T00:00:00Z', 500_000); // at `to`: out
    await buy(erased, '2026-03-05T10:00:00Z', 500_000);
    expect((await t.call({ method: 'POST', url: `/v1/customers/${erased}/erase`, payload: {} })).statusCode).toBeLessThan(300);

    await action(ivan, 'survey.answered', '2026-03-05T12:00:00Z', 'evt_a');
    await action(ivan, 'survey.answered', '2026-03-05T12:00:00Z', 'evt_a'); // the same event twice counts once
    await action(ivan, 'survey.answered', '2026-03-06T12:00:00Z', 'evt_b');
    await action(ivan, 'app.login', '2026-03-06T12:00:00Z');
    await action(oleg, 'survey.answered', '2026-03-09T12:00:00Z'); // after the period

    t.clock.set('2026-03-06T15:00:00Z');
    const own = await t.call({ method: 'GET', url: `/v1/customers/${anna}/lottery-entries` });
    expect(own.json().items).toEqual([{ lotteryId, lotteryName: 'Spring draw', status: 'open', entries: 4, won: false, prizeName: null }]);
  });

  it('refuses to draw before the period ends, and to change the rules once it started', async () => {
    const early = await t.call({ method: 'POST', url: `/v1/lotteries/${lotteryId}/draw` });
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ code: 'lottery.not_ended' });
    expect(early.json().detail).toContain('2026-03-08T00:00:00.000Z');
    const rules = await t.call({ method: 'PATCH', url: `/v1/lotteries/${lotteryId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { rules: [{ kind: 'action', eventType: 'x', entries: 5 }] } });
    expect(rules.statusCode).toBe(409);
    expect(rules.json()).toMatchObject({ code: 'lottery.locked', detail: expect.stringContaining('rules: the lottery is open') });
    const renamed = await t.call({ method: 'PATCH', url: `/v1/lotteries/${lotteryId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { name: 'Spring draw 2026', version: 1 } });
    expect(renamed.json()).toMatchObject({ name: 'Spring draw 2026', version: 2, commitment });
    const deleted = await t.call({ method: 'DELETE', url: `/v1/lotteries/${lotteryId}` });
    expect(deleted.json()).toMatchObject({ code: 'lottery.locked' });
  });

  it('draws once: freezes the entries, reveals the seed that matches the commitment, and the winners verify', async () => {
    t.clock.set('2026-03-08T00:00:00Z');
    const drawn = await t.call({ method: 'POST', url: `/v1/lotteries/${lotteryId}/draw` });
    expect(drawn.statusCode, drawn.body).toBe(200);
    const lottery = drawn.json();
    expect(lottery).toMatchObject({ status: 'drawn', commitment, entrants: 3, totalEntries: 4 + 3 + 2, drawnAt: '2026-03-08T00:00:00.000Z' });
    expect(commitmentOf(lottery.seed)).toBe(commitment);

    const entries = await allEntries(lotteryId);
    const expected = [
      { customerId: anna, entries: 4 },
      { customerId: ivan, entries: 3 },
      { customerId: oleg, entries: 2 },
    ].sort((a, b) => (a.customerId < b.customerId ? -1 : 1));
    expect(entries).toEqual(expected);
    expect(lottery.entriesDigest).toBe(entriesDigestOf(expected));
    const ivans = (await t.call({ method: 'GET', url: `/v1/lotteries/${lotteryId}/entries` })).json().items.find((e: Entry) => e.customerId === ivan);
    expect(ivans).toMatchObject({ entries: 3, spendEntries: 1, actionEntries: 2 });

    // Three prize slots, three entrants: everyone wins once. The one machine in stock goes to the
    // first winner, as a reward order of the rewards catalog; the second machine is refused (failed).
    expect(lottery.winners).toHaveLength(3);
    expect(new Set(lottery.winners.map((w: { customerId: string }) => w.customerId))).toEqual(new Set([anna, ivan, oleg]));
    expect(lottery.winners.map((w: { prizeName: string; prizeStatus: string }) => [w.prizeName, w.prizeStatus])).toEqual([
      ['Coffee machine', 'granted'],
      ['Coffee machine', 'failed'],
      ['Mug', 'no_reward'],
    ]);
    expect(lottery.winners[0].orderId).toMatch(/^rwo_/);
    expect(lottery.winners[1].failure).toMatch(/^reward\.out_of_stock: /);
    const orders = (await t.call({ method: 'GET', url: `/v1/customers/${lottery.winners[0].customerId}/rewards` })).json().items;
    expect(orders).toEqual([expect.objectContaining({ id: lottery.winners[0].orderId, source: 'prize', points: 0, status: 'issued', reward: expect.objectContaining({ id: body.prizes[0]!.rewardId }) })]);
    expect(verifyDraw(lottery, entries)).toMatchObject({ ok: true, problems: [] });

    const again = await t.call({ method: 'POST', url: `/v1/lotteries/${lotteryId}/draw` });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(lottery);
    const audit = await t.database.db.selectFrom('auditLog').select('action').where('entityId', '=', lotteryId).where('action', '=', 'lottery.draw').execute();
    expect(audit).toHaveLength(1);
    const events = await t.database.db.selectFrom('outboxEvents').select(['type', 'customerId']).where('type', 'in', ['lottery.drawn', 'lottery.won']).execute();
    expect(events.map((e) => e.type).sort()).toEqual(['lottery.drawn', 'lottery.won', 'lottery.won', 'lottery.won']);

    const own = await t.call({ method: 'GET', url: `/v1/customers/${anna}/lottery-entries` });
    expect(own.json().items).toEqual([expect.objectContaining({ lotteryId, status: 'drawn', entries: 4, won: true })]);
    const cancel = await t.call({ method: 'PATCH', url: `/v1/lotteries/${lotteryId}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'cancelled' } });
    expect(cancel.json()).toMatchObject({ code: 'lottery.locked' });
  });

  it('lists by status, pages, and deletes or cancels a lottery that is not drawn', async () => {
    const next = (await t.call({ method: 'POST', url: '/v1/lotteries', payload: { ...body, entryPeriod: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' } } })).json();
    const other = (await t.call({ method: 'POST', url: '/v1/lotteries', payload: { ...body, entryPeriod: { from: '2026-04-01T00:00:00Z', to: '2026-05-01T00:00:00Z' } } })).json();
    expect(next.commitment).not.toBe(other.commitment);
    const drawn = (await t.call({ method: 'GET', url: '/v1/lotteries?status=drawn' })).json();
    expect(drawn.items.map((l: { id: string }) => l.id)).toEqual([lotteryId]);
    const upcoming = (await t.call({ method: 'GET', url: '/v1/lotteries?status=upcoming&limit=1' })).json();
    expect(upcoming.items.map((l: { id: string }) => l.id)).toEqual([other.id]);
    const rest = (await t.call({ method: 'GET', url: `/v1/lotteries?status=upcoming&limit=1&cursor=${upcoming.nextCursor}` })).json();
    expect(rest).toMatchObject({ items: [{ id: next.id }], nextCursor: null });

    expect((await t.call({ method: 'DELETE', url: `/v1/lotteries/${next.id}` })).statusCode).toBe(200);
    const cancelled = await t.call({ method: 'PATCH', url: `/v1/lotteries/${other.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'cancelled' } });
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', seed: null });
    t.clock.set('2026-05-02T00:00:00Z');
    expect((await t.call({ method: 'POST', url: `/v1/lotteries/${other.id}/draw` })).json()).toMatchObject({ code: 'lottery.cancelled' });
  });

  it('refuses a period that ends before it starts, and too many winners', async () => {
    const backwards = await t.call({ method: 'POST', url: '/v1/lotteries', payload: { ...body, entryPeriod: { from: period.to, to: period.from } } });
    expect(backwards.json()).toMatchObject({ code: 'lottery.invalid', detail: 'entryPeriod.to: must be after entryPeriod.from' });
    const many = await t.call({ method: 'POST', url: '/v1/lotteries', payload: { ...body, prizes: Array.from({ length: 11 }, () => ({ name: 'Pen', count: 1000 })) } });
    expect(many.json()).toMatchObject({ code: 'lottery.invalid', detail: 'prizes: count 11000 winners in all; at most 10000' });
  });
});
