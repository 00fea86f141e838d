import { randomBytes } from 'node:crypto';
import { stringify } from 'csv-stringify/sync';
import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import { decodeCursor, isIdKey, isTextKey, pageOf, type Page } from '../../platform/pagination.ts';
import { normalizeCode } from './promotion-adjuster.ts';
import type { Db, DbOrTx } from './promotions.db.ts';
import { promotionError } from './promotions.errors.ts';
import type { Ids } from './promotions.ids.ts';
import type { PromoCodeBatchesTable, PromoCodesTable } from './promotions.tables.ts';

/**
 * Promo codes: public (any number of uses), personal (one customer's), and batches of unique
 * codes generated in the background. Generated codes use an alphabet without look-alikes (no 0
 * and O, no 1 and I), 32 letters so each random byte gives one without bias, and may end in a
 * check character (Luhn mod 32) that catches any single mistyped character and most swaps.
 */
export const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** Luhn mod N over the alphabet: the character that makes the code's checksum zero. */
export function checkCharacter(code: string): string {
  const n = CODE_ALPHABET.length;
  let sum = 0;
  let double = true;
  for (let i = code.length - 1; i >= 0; i--) {
    let value = CODE_ALPHABET.indexOf(code[i]!);
    if (value < 0) continue;
    if (double) {
      value *= 2;
      value = Math.floor(value / n) + (value % n);
    }
    sum += value;
    double = !double;
  }
  return CODE_ALPHABET[(n - (sum % n)) % n]!;
}

export function hasValidCheckCharacter(code: string): boolean {
  return code.length > 1 && checkCharacter(code.slice(0, -1)) === code.at(-1);
}

export function randomCode(length: number, prefix: string, withCheck: boolean): string {
  return randomCodes(1, length, prefix, withCheck)[0]!;
}

/** `count` random codes from one draw of random bytes (a batch makes a million: one call a chunk, not a call a code). */
export function randomCodes(count: number, length: number, prefix: string, withCheck: boolean): string[] {
  const bytes = randomBytes(count * length);
  const codes = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    let body = prefix;
    for (let j = i * length; j < (i + 1) * length; j++) body += CODE_ALPHABET[bytes[j]! & 31];
    codes[i] = withCheck ? `${body}${checkCharacter(body)}` : body;
  }
  return codes;
}

/** The fewest random characters for `count` codes, so that a guessed code is one in 10,000 at most. */
export function minimumLength(count: number): number {
  return Math.max(4, Math.ceil(Math.log(count * 10_000) / Math.log(CODE_ALPHABET.length)));
}

export type PromoCodeView = {
  code: string;
  promotionId: string;
  batchId: string | null;
  customerId: string | null;
  usesLimit: number | null;
  uses: number;
  perCustomer: number | null;
  validFrom: string | null;
  validTo: string | null;
  createdAt: string;
};

const codeView = (row: Selectable<PromoCodesTable>): PromoCodeView => ({
  code: row.code,
  promotionId: row.promotionId,
  batchId: row.batchId,
  customerId: row.customerId,
  usesLimit: row.usesLimit,
  uses: row.uses,
  perCustomer: row.perCustomer,
  validFrom: row.validFrom?.toISOString() ?? null,
  validTo: row.validTo?.toISOString() ?? null,
  createdAt: row.createdAt.toISOString(),
});

export type PromoCodeInput = {
  promotionId: string;
  code?: string;
  customerId?: string;
  usesLimit?: number;
  perCustomer?: number;
  validFrom?: string;
  validTo?: string;
};

async function promotionExists(db: DbOrTx, id: string): Promise<void> {
  const row = await db.selectFrom('promotions').select('id').where('id', '=', id).executeTakeFirst();
  if (!row) throw promotionError('promotion.not_found', `No promotion ${id}; GET /v1/promotions lists them`, [{ field: 'promotionId', reason: 'is not a promotion' }]);
}

/** One code: public (no usesLimit), limited, or personal (customerId: resolved by the caller to the survivor of a merge). */
export async function createPromoCode(db: Db, clock: Clock, actor: Actor, input: PromoCodeInput): Promise<PromoCodeView> {
  const code = input.code === undefined ? randomCode(8, '', false) : normalizeCode(input.code);
  if (!/^[A-Z0-9]{3,64}$/.test(code)) {
    throw promotionError('promo_code.invalid', 'code: use 3 to 64 letters A–Z and digits (spaces and dashes are dropped)', [{ field: 'code', reason: 'must be 3 to 64 letters and digits' }]);
  }
  if (input.validFrom && input.validTo && Date.parse(input.validFrom) >= Date.parse(input.validTo)) {
    throw promotionError('promo_code.invalid', 'validTo: must be after validFrom', [{ field: 'validTo', reason: 'must be after validFrom' }]);
  }
  return db.transaction().execute(async (tx) => {
    await promotionExists(tx, input.promotionId);
    const row = await tx
      .insertInto('promoCodes')
      .values({
        code,
        promotionId: input.promotionId,
        batchId: null,
        customerId: input.customerId ?? null,
        usesLimit: input.usesLimit ?? null,
        perCustomer: input.perCustomer ?? null,
        validFrom: input.validFrom ?? null,
        validTo: input.validTo ?? null,
        createdAt: clock.now(),
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) throw promotionError('promo_code.taken', `Code ${code} exists already; choose another, or leave code out to have one made`);
    await writeAudit(tx, clock, actor, { action: 'promo_code.create', entityType: 'promotion', entityId: input.promotionId, details: { personal: input.customerId !== undefined } });
    return codeView(row);
  });
}

/**
 * Codes as shown: a code without limits keeps no counter (tills using a public code at once do
 * not queue on its row), so its uses are its redemptions not given back.
 */
async function codeViews(db: DbOrTx, rows: Array<Selectable<PromoCodesTable>>): Promise<PromoCodeView[]> {
  const free = rows.filter((row) => row.usesLimit === null && row.perCustomer === null).map((row) => row.code);
  const counted =
    free.length === 0
      ? []
      : await db
          .selectFrom('promotionRedemptions')
          .select((eb) => ['code', eb.fn.countAll<number>().as('uses')])
          .where('code', 'in', free)
          .where('useReleased', '=', false)
          .groupBy('code')
          .execute();
  const uses = new Map(counted.map((row) => [row.code, Number(row.uses)]));
  return rows.map((row) => ({ ...codeView(row), ...(free.includes(row.code) ? { uses: uses.get(row.code) ?? 0 } : {}) }));
}

export async function getPromoCode(db: DbOrTx, code: string): Promise<PromoCodeView> {
  const row = await db.selectFrom('promoCodes').selectAll().where('code', '=', normalizeCode(code)).executeTakeFirst();
  if (!row) throw promotionError('promo_code.not_found', `No promo code ${normalizeCode(code)}`);
  return (await codeViews(db, [row]))[0]!;
}

export async function listPromoCodes(
  db: DbOrTx,
  query: { limit: number; cursor?: string; promotionId?: string; batchId?: string; customerId?: string },
): Promise<Page<PromoCodeView>> {
  const after = decodeCursor(query.cursor, isTextKey);
  let select = db.selectFrom('promoCodes').selectAll().orderBy('code').limit(query.limit + 1);
  if (after !== undefined) select = select.where('code', '>', after);
  // A promotion's codes: those made one by one (promo_codes_promotion) and its batches' (promo_codes_batch).
  if (query.promotionId) {
    const promotionId = query.promotionId;
    select = select.where((eb) =>
      eb.or([
        eb.and([eb('batchId', 'is', null), eb('promotionId', '=', promotionId)]),
        eb('batchId', 'in', eb.selectFrom('promoCodeBatches').select('id').where('promotionId', '=', promotionId)),
      ]),
    );
  }
  if (query.batchId) select = select.where('batchId', '=', query.batchId);
  if (query.customerId) select = select.where('customerId', '=', query.customerId);
  const page = pageOf(await select.execute(), query.limit, (row) => row.code);
  return { items: await codeViews(db, page.items), nextCursor: page.nextCursor };
}

// ---- batches ----

export type BatchInput = { promotionId: string; count: number; length?: number; prefix?: string; checkCharacter?: boolean; usesPerCode?: number };

export type BatchView = {
  id: string;
  promotionId: string;
  count: number;
  length: number;
  prefix: string;
  checkCharacter: boolean;
  usesPerCode: number;
  generated: number;
  progress: number;
  status: PromoCodeBatchesTable['status'];
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

const batchView = (row: Selectable<PromoCodeBatchesTable>): BatchView => ({
  id: row.id,
  promotionId: row.promotionId,
  count: row.count,
  length: row.length,
  prefix: row.prefix,
  checkCharacter: row.checkCharacter,
  usesPerCode: row.usesPerCode,
  generated: row.generated,
  progress: row.count === 0 ? 1 : row.generated / row.count,
  status: row.status,
  failure: row.failure,
  createdAt: row.createdAt.toISOString(),
  startedAt: row.startedAt?.toISOString() ?? null,
  finishedAt: row.finishedAt?.toISOString() ?? null,
});

export async function createBatch(db: Db, clock: Clock, ids: Ids, actor: Actor, input: BatchInput): Promise<BatchView> {
  const prefix = normalizeCode(input.prefix ?? '');
  const length = input.length ?? minimumLength(input.count);
  const problems = [];
  if (!/^[A-Z0-9]{0,16}$/.test(prefix)) problems.push({ field: 'prefix', reason: 'must be up to 16 letters A–Z and digits' });
  if (length < minimumLength(input.count)) {
    problems.push({
      field: 'length',
      reason: `must be at least ${minimumLength(input.count)} for ${input.count} codes, so that a guessed code is one in 10,000 at most`,
    });
  }
  if (problems.length > 0) throw promotionError('promo_code_batch.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  return db.transaction().execute(async (tx) => {
    await promotionExists(tx, input.promotionId);
    const row = await tx
      .insertInto('promoCodeBatches')
      .values({
        id: ids.next('pcb'),
        promotionId: input.promotionId,
        count: input.count,
        length,
        prefix,
        checkCharacter: input.checkCharacter ?? false,
        usesPerCode: input.usesPerCode ?? 1,
        status: 'queued',
        failure: null,
        createdBy: actor.keyId,
        createdAt: clock.now(),
        startedAt: null,
        finishedAt: null,
        heartbeatAt: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'promo_code_batch.create', entityType: 'promotion', entityId: input.promotionId, details: { batchId: row.id, count: row.count } });
    return batchView(row);
  });
}

export async function getBatch(db: DbOrTx, id: string): Promise<BatchView> {
  const row = await db.selectFrom('promoCodeBatches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw promotionError('promo_code_batch.not_found', `No promo-code batch ${id}`);
  return batchView(row);
}

export async function listBatches(db: DbOrTx, query: { limit: number; cursor?: string; promotionId?: string }): Promise<Page<BatchView>> {
  const before = decodeCursor(query.cursor, isIdKey('pcb'));
  let select = db.selectFrom('promoCodeBatches').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.promotionId) select = select.where('promotionId', '=', query.promotionId);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(batchView), nextCursor: page.nextCursor };
}

/** Codes per transaction: each chunk commits the codes and the progress together, so a batch resumes where it stopped. */
const CHUNK = 50_000;

/**
 * Generates a batch's codes to the end: random codes in chunks, inserted with ON CONFLICT DO
 * NOTHING (a collision with any existing code is simply not inserted and made up in the next
 * chunk), the progress counted in the same transaction as the codes. Safe to run again after a
 * crash: it continues from the codes already made. `signal` stops it between chunks.
 */
export async function generateBatch(db: Db, clock: Clock, id: string, signal?: AbortSignal): Promise<BatchView> {
  const started = await db
    .updateTable('promoCodeBatches')
    .set({ status: 'running', startedAt: sql`coalesce(started_at, ${clock.now()})`, heartbeatAt: clock.now() })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
  if (!started) return getBatch(db, id);
  let batch = started;
  try {
    while (batch.generated < batch.count) {
      if (signal?.aborted) return batchView(batch);
      batch = await db.transaction().execute(async (tx) => {
        // Under the batch's lock, from its committed progress: two processes resuming one batch take turns and never overshoot.
        const fresh = await tx.selectFrom('promoCodeBatches').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
        const want = Math.min(CHUNK, fresh.count - fresh.generated);
        if (want <= 0) return fresh;
        // In key order: the chunk walks the code indexes' pages once, in order, instead of at random (a quarter faster at 1 M).
        const codes = randomCodes(want, fresh.length, fresh.prefix, fresh.checkCharacter).sort();
        const inserted = await sql<{ n: number }>`
          with made as (
            insert into promo_codes (code, promotion_id, batch_id, uses_limit, created_at)
            select code, ${fresh.promotionId}, ${fresh.id}, ${fresh.usesPerCode}, ${clock.now()}::timestamptz from unnest(${codes}::text[]) as t(code)
            on conflict (code) do nothing
            returning 1
          ) select count(*)::int as n from made`.execute(tx);
        return tx
          .updateTable('promoCodeBatches')
          .set((eb) => ({ generated: eb('generated', '+', inserted.rows[0]!.n), heartbeatAt: clock.now() }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
    }
    const done = await db
      .updateTable('promoCodeBatches')
      .set({ status: 'completed', finishedAt: clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return batchView(done);
  } catch (error) {
    const failed = await db
      .updateTable('promoCodeBatches')
      .set({ status: 'failed', failure: (error as Error).message.slice(0, 500), finishedAt: clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return batchView(failed);
  }
}

/** The batch's codes as CSV (code, uses allowed), a page of the index at a time. */
export async function* exportBatchCsv(db: DbOrTx, id: string): AsyncGenerator<string> {
  yield stringify([['code', 'uses_limit', 'promotion_id'].map(neutraliseCell)]);
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('promoCodes').select(['code', 'usesLimit', 'promotionId']).where('batchId', '=', id).where('code', '>', after).orderBy('code').limit(10_000).execute();
    if (rows.length === 0) return;
    yield stringify(rows.map((row) => [row.code, String(row.usesLimit ?? ''), row.promotionId].map(neutraliseCell)));
    after = rows.at(-1)!.code;
  }
}
