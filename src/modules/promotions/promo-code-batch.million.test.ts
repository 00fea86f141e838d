import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../tests/helpers/test-app.ts';
import { onPostgres } from '../../../tests/helpers/test-db.ts';
import { CODE_ALPHABET, hasValidCheckCharacter } from './promo-codes.ts';

/**
 * The "a 1 M-code batch has no duplicate and no look-alike character", for real: a
 * million codes through the API's background batch, then every one of them checked — in SQL
 * (shape, alphabet, uniqueness) and through the CSV export (the check character). On PostgreSQL
 * only: it is the database a batch that size is made on (PGlite would take minutes); the bench
 * times it (`promo-code-batch`).
 */
describe.runIf(onPostgres)('a batch of a million codes (PostgreSQL)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t?.close());

  it('is generated whole, unique, in the alphabet without look-alikes, every check character valid', { timeout: 300_000 }, async () => {
    const promotion = await t.call({ method: 'POST', url: '/v1/promotions', payload: { name: 'Flyer', requiresCode: true, benefit: { kind: 'amount_off', amountMinor: 10000 } } });
    const created = await t.call({ method: 'POST', url: '/v1/promo-codes/batches', payload: { promotionId: promotion.json().id, count: 1_000_000, length: 7, prefix: 'M', checkCharacter: true } });
    expect(created.statusCode, created.body).toBe(202);
    const id = created.json().id as string;
    await t.services.promotions.batches.idle();
    const batch = (await t.call({ method: 'GET', url: `/v1/promo-codes/batches/${id}` })).json();
    expect(batch).toMatchObject({ status: 'completed', generated: 1_000_000, count: 1_000_000 });

    const shape = `^M[${CODE_ALPHABET}]{7}[${CODE_ALPHABET}]$`;
    const checked = await sql<{ rows: number; distinct: number; misshapen: number; lookalikes: number }>`
      select count(*)::int as rows, count(distinct code)::int as distinct,
        (count(*) filter (where code !~ ${shape}))::int as misshapen,
        (count(*) filter (where substr(code, 2) ~ '[01OIl]'))::int as lookalikes
      from promo_codes where batch_id = ${id}`.execute(t.database.db);
    expect(checked.rows[0]).toEqual({ rows: 1_000_000, distinct: 1_000_000, misshapen: 0, lookalikes: 0 });

    const csv = await t.call({ method: 'GET', url: `/v1/promo-codes/batches/${id}/export` });
    expect(csv.statusCode).toBe(200);
    const codes = csv.body.trimEnd().split('\n').slice(1).map((line) => line.split(',')[0]!);
    expect(codes).toHaveLength(1_000_000);
    expect(new Set(codes).size).toBe(1_000_000);
    expect(codes.filter((code) => !hasValidCheckCharacter(code))).toEqual([]);
  });
});
