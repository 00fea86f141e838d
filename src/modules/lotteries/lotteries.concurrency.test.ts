import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * The draw under concurrency, on real PostgreSQL (PGlite serves one connection at a time): many
 * draws of one lottery at once give one result — one set of frozen entries, one set of winners,
 * one audit entry — and every caller gets that result.
 */
describe.runIf(onPostgres)('lottery draws under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    t.clock.set('2026-03-01T09:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await t.call({ method: 'POST', url: '/v1/customers', payload: { phone: `+7912555${String(i).padStart(4, '0')}` } })).json().id);
    // Accepted customer events as the engagement module writes them: customer i answered i + 1 surveys.
    const rows = ids.flatMap((customerId, i) =>
      Array.from({ length: i + 1 }, (_, n) => ({
        eventId: `evt_c${i}_${n}`,
        type: 'customer.action',
        customerId,
        payload: JSON.stringify({ type: 'survey.answered', eventId: `evt_s${i}_${n}`, occurredAt: '2026-03-02T10:00:00Z' }),
        occurredAt: '2026-03-02T10:00:00Z',
      })),
    );
    await t.database.db.insertInto('outboxEvents').values(rows).execute();
  });
  afterAll(async () => t?.close());

  it('30 draws at once: one draw happens, all 30 answer its winners', async () => {
    const created = await t.call({
      method: 'POST',
      url: '/v1/lotteries',
      payload: {
        name: 'Survey draw',
        entryPeriod: { from: '2026-03-01T00:00:00Z', to: '2026-03-05T00:00:00Z' },
        rules: [{ kind: 'action', eventType: 'survey.answered', entries: 1 }],
        prizes: [{ name: 'Voucher', count: 5 }],
      },
    });
    const id = created.json().id as string;
    t.clock.set('2026-03-05T00:00:01Z');

    const answers = await Promise.all(Array.from({ length: 30 }, () => t.call({ method: 'POST', url: `/v1/lotteries/${id}/draw` })));
    expect(answers.map((a) => a.statusCode)).toEqual(Array.from({ length: 30 }, () => 200));
    const first = answers[0]!.json();
    expect(first).toMatchObject({ status: 'drawn', entrants: 30, totalEntries: (30 * 31) / 2 });
    expect(first.winners).toHaveLength(5);
    for (const answer of answers) expect(answer.json()).toEqual(first);

    const db = t.database.db;
    expect(await db.selectFrom('lotteryEntries').select('customerId').where('lotteryId', '=', id).execute()).toHaveLength(30);
    expect(await db.selectFrom('lotteryWinners').select('slot').where('lotteryId', '=', id).execute()).toHaveLength(5);
    expect(await db.selectFrom('auditLog').select('id').where('entityId', '=', id).where('action', '=', 'lottery.draw').execute()).toHaveLength(1);
    expect(await db.selectFrom('outboxEvents').select('id').where('type', '=', 'lottery.drawn').execute()).toHaveLength(1);
  });
});
