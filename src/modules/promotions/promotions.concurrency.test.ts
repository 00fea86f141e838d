import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerConsistent } from '../../../tests/helpers/ledger.ts';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';

/**
 * Budgets and uses under concurrency, on real PostgreSQL (PGlite serves one connection at a
 * time, so it cannot race). The bugs these rule out: Saleor's single-use voucher used twice,
 * Shopware's one-time code beaten by a single-packet race, Medusa's budget over-spent by
 * check-then-act and its compensation that overwrote a concurrent use.
 */
describe.runIf(onPostgres)('promotions under concurrency (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
    await t.call({ method: 'PUT', url: '/v1/stores/s1', payload: { name: 'Main', timezone: 'Europe/Moscow' } });
  });
  afterAll(async () => t?.close());

  const promotion = async (body: object) => {
    const response = await t.call({ method: 'POST', url: '/v1/promotions', payload: { status: 'active', ...body } });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const confirm = (pos: string, body: object) =>
    t.call({ method: 'POST', url: '/v1/checkout/confirm', payload: { storeId: 's1', posReceiptId: pos, lines: [{ sku: 'A', qty: 2, price: 10000 }], ...body } });
  const usage = async (id: string) => (await t.call({ method: 'GET', url: `/v1/promotions/${id}` })).json().usage;
  const counters = async (id: string) => {
    const row = await sql<{ used: string; uses: number; released: string; kept: number }>`
      select p.used_minor as used, p.uses,
        (select coalesce(sum(discount_minor - released_minor), 0) from promotion_redemptions r where r.promotion_id = p.id) as released,
        (select count(*)::int from promotion_redemptions r where r.promotion_id = p.id and not use_released) as kept
      from promotions p where p.id = ${id}`.execute(t.database.db);
    return row.rows[0]!;
  };

  it('200 concurrent confirms on a code with one use left: exactly one gets it', async () => {
    const id = await promotion({ name: 'One left', requiresCode: true, benefit: { kind: 'amount_off', amountMinor: 5000 } });
    await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: id, code: 'LASTONE', usesLimit: 1 } });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => confirm(`code-${i}`, { promoCodes: ['LASTONE'] })));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    const discounted = answers.filter((a) => a.statusCode === 201 && a.json().discount === 5000);
    expect(discounted).toHaveLength(1);
    // The others were refused (409: calculate again) or recorded without the discount, never with it twice.
    for (const a of answers) expect([201, 409]).toContain(a.statusCode);
    expect((await t.call({ method: 'GET', url: '/v1/promo-codes/LASTONE' })).json().uses).toBe(1);
    expect(await usage(id)).toMatchObject({ usedMinor: 5000, uses: 1 });
  });

  it('50 concurrent confirms against a 1,000.00 budget never pass it', async () => {
    const id = await promotion({ name: 'Budget', benefit: { kind: 'amount_off', amountMinor: 3000 }, limits: { budgetMinor: 100_000 } });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => confirm(`budget-${i}`, {})));
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    const given = answers.filter((a) => a.statusCode === 201).reduce((sum, a) => sum + (a.json().discount as number), 0);
    const used = await usage(id);
    expect(used.usedMinor).toBe(given);
    expect(used.usedMinor).toBeLessThanOrEqual(100_000);
    // 33 receipts take 3,000.00 each and the 34th the last 10.00 (a budget's last kopecks go to whoever comes last); the rest get none.
    expect(used.usedMinor).toBe(100_000);
    const c = await counters(id);
    expect(Number(c.used)).toBe(Number(c.released));
  });

  it('cancels and refunds racing new uses release each use and each kopeck exactly once', async () => {
    const id = await promotion({ name: 'Racing', benefit: { kind: 'percent_off', percentBp: 1000 }, limits: { budgetMinor: 10_000_000, uses: 1000 } });
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => confirm(`race-${i}`, {})));
    expect(first.every((a) => a.statusCode === 201)).toBe(true);
    const ids = first.map((a) => a.json().receiptId as string);
    const work = [
      // Each receipt: a partial refund and a cancel, racing each other, and each retried (replays must release nothing).
      ...ids.flatMap((receiptId, i) => [
        t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId: 'half', lines: [{ sku: 'A', qty: 1 }] } }),
        t.call({ method: 'POST', url: `/v1/receipts/${receiptId}/refunds`, payload: { refundId: 'half', lines: [{ sku: 'A', qty: 1 }] } }),
        t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: `race-${i}` } }),
        t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: `race-${i}` } }),
      ]),
      // New uses meanwhile.
      ...Array.from({ length: 30 }, (_, i) => confirm(`new-${i}`, {})),
    ];
    const answers = await Promise.all(work);
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    const kept = answers.slice(ids.length * 4).filter((a) => a.statusCode === 201).length;
    expect(kept).toBe(30);
    // Every raced receipt ended cancelled: all its discount and its use came back, once.
    const used = await usage(id);
    expect(used).toMatchObject({ usedMinor: kept * 2000, uses: kept });
    const c = await counters(id);
    expect([Number(c.used), c.uses, c.kept]).toEqual([Number(c.released), kept, kept]);
    await expectLedgerConsistent(t.database.db);
  });

  it('a promotion and a public code without limits keep no counters; a budget given while confirms and cancels run counts every use once', async () => {
    const active = (await t.call({ method: 'GET', url: '/v1/promotions?status=active&limit=500' })).json().items as Array<{ id: string }>;
    for (const p of active) await t.call({ method: 'PATCH', url: `/v1/promotions/${p.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'archived' } });
    const id = await promotion({ name: 'Everyone 5%', requiresCode: true, benefit: { kind: 'percent_off', percentBp: 500 } });
    await t.call({ method: 'POST', url: '/v1/promo-codes', payload: { promotionId: id, code: 'FREE5' } });
    const first = await Promise.all(Array.from({ length: 100 }, (_, i) => confirm(`free-${i}`, { promoCodes: ['FREE5'] })));
    expect(first.map((a) => [a.statusCode, a.json().discount])).toEqual(Array.from({ length: 100 }, () => [201, 1000]));
    // Nothing queued on a counter: the row's stay at zero; the usage is the redemptions'.
    expect(await counters(id)).toMatchObject({ used: 0, uses: 0, kept: 100 });
    expect(await usage(id)).toMatchObject({ usedMinor: 100_000, uses: 100, budgetLeftMinor: null });
    expect((await t.call({ method: 'GET', url: '/v1/promo-codes/FREE5' })).json().uses).toBe(100);

    const work = [
      ...Array.from({ length: 40 }, (_, i) => confirm(`free-more-${i}`, { promoCodes: ['FREE5'] })),
      ...Array.from({ length: 20 }, (_, i) => t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: `free-${i}` } })),
      t.call({ method: 'PATCH', url: `/v1/promotions/${id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { limits: { budgetMinor: 10_000_000 } } }),
      ...Array.from({ length: 40 }, (_, i) => confirm(`free-late-${i}`, { promoCodes: ['FREE5'] })),
    ];
    const answers = await Promise.all(work);
    expect(answers.filter((a) => a.statusCode >= 500).map((a) => a.body)).toEqual([]);
    // The moment the limit lands, a confirm that read the promotion unlimited is refused (409: calculate again), never half-counted.
    for (const a of answers) expect([200, 201, 409]).toContain(a.statusCode);
    const confirmed = answers.filter((a) => a.statusCode === 201 && a.json().receiptId && a.json().discount === 1000).length;
    const kept = 100 - 20 + confirmed;
    const c = await counters(id);
    expect([Number(c.used), c.uses, c.kept]).toEqual([Number(c.released), kept, kept]);
    expect(Number(c.used)).toBe(kept * 1000);
    // From now on the counters move: a cancel gives its kopecks back to them.
    await t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: 'free-50' } });
    expect(await usage(id)).toMatchObject({ usedMinor: (kept - 1) * 1000, uses: kept - 1, budgetLeftMinor: 10_000_000 - (kept - 1) * 1000 });
    await expectLedgerConsistent(t.database.db);
  });

  it('a cancel whose release waits for a budget being added gives its share back to the new counters', async () => {
    const active = (await t.call({ method: 'GET', url: '/v1/promotions?status=active&limit=500' })).json().items as Array<{ id: string }>;
    for (const p of active) await t.call({ method: 'PATCH', url: `/v1/promotions/${p.id}`, headers: { 'content-type': 'application/merge-patch+json' }, payload: { status: 'archived' } });
    const id = await promotion({ name: 'Open 10%', benefit: { kind: 'percent_off', percentBp: 1000 } });
    for (const pos of ['limit-wait-1', 'limit-wait-2', 'limit-wait-3']) {
      const answer = await confirm(pos, {});
      expect(answer.json().discount, answer.body).toBe(2000);
    }
    expect((await counters(id)).kept).toBe(3);
    // A budget being added, held open: the promotion's row locked for update, the counters set from the redemptions (as a PATCH does).
    const cancelled = await t.database.db.connection().execute(async (patch) => {
      await sql`begin`.execute(patch);
      await sql`select id from promotions where id = ${id} for update`.execute(patch);
      await sql`update promotions set budget_minor = 1000000,
        used_minor = (select coalesce(sum(discount_minor - released_minor), 0) from promotion_redemptions where promotion_id = ${id}),
        uses = (select count(*) from promotion_redemptions where promotion_id = ${id} and not use_released) where id = ${id}`.execute(patch);
      // The cancel's release reaches the promotion's row and waits for it.
      const cancel = t.call({ method: 'POST', url: '/v1/checkout/cancel', payload: { storeId: 's1', posReceiptId: 'limit-wait-1' } });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await sql`commit`.execute(patch);
      return cancel;
    });
    expect(cancelled.statusCode, cancelled.body).toBeLessThan(300);
    const c = await counters(id);
    expect([Number(c.used), c.uses, c.kept]).toEqual([Number(c.released), 2, 2]);
    expect(Number(c.used)).toBe(4000);
  });
});
