import { stringify } from 'csv-stringify/sync';
import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import { neutraliseCell } from '../../platform/csv-cells.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { newCodes, normalizeCode, printedCode } from './gift-card-codes.ts';
import { insertCards } from './gift-card-ledger.ts';
import { claimKey } from './gift-card-requests.ts';
import type { Db, DbOrTx } from './gift-cards.db.ts';
import { giftCardError } from './gift-cards.errors.ts';
import type { Ids } from './gift-cards.ids.ts';
import type { GiftCardBatchesTable } from './gift-cards.tables.ts';

/**
 * Batches of cards for a stock of plastic or printed cards: made in the background in chunks
 * (each chunk's cards, their opening entries and the progress commit together, so a stopped
 * batch resumes where it was), issued — not active — so that a card holds no spendable money
 * until the till sells and activates it. The CSV export carries the codes for the printer.
 */
export type BatchInput = { count: number; amountMinor?: number; prefix?: string; expiresAt?: string; validDays?: number };

export type BatchView = {
  id: string;
  count: number;
  amountMinor: number;
  currency: string;
  prefix: string;
  expiresAt: string | null;
  validDays: number | null;
  generated: number;
  progress: number;
  status: GiftCardBatchesTable['status'];
  failure: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
};

const batchView = (row: Selectable<GiftCardBatchesTable>): BatchView => ({
  id: row.id,
  count: row.count,
  amountMinor: row.amountMinor,
  currency: row.currency,
  prefix: row.prefix,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  validDays: row.validDays,
  generated: row.generated,
  progress: row.generated / row.count,
  status: row.status,
  failure: row.failure,
  createdAt: row.createdAt.toISOString(),
  startedAt: row.startedAt?.toISOString() ?? null,
  finishedAt: row.finishedAt?.toISOString() ?? null,
});

/** Records a batch (queued: the caller starts it). With an Idempotency-Key a retry answers the first batch (as it is now) and records nothing. */
export async function createBatch(db: Db, clock: Clock, ids: Ids, actor: Actor, currency: string, input: BatchInput, key?: string): Promise<{ batch: BatchView; replayed: boolean }> {
  const prefix = normalizeCode(input.prefix ?? '');
  const now = clock.now();
  const problems = [];
  if (!/^[A-Z0-9]{0,8}$/.test(prefix)) problems.push({ field: 'prefix', reason: 'must be up to 8 letters A–Z and digits' });
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now.getTime()) problems.push({ field: 'expiresAt', reason: `must be in the future (now ${now.toISOString()})` });
  if (problems.length > 0) throw giftCardError('gift_card_batch.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
  return db.transaction().execute(async (tx) => {
    const id = ids.next('gcb');
    if (key) {
      const earlier = await claimKey(tx, 'batch', { key, hash: requestHash({ op: 'batch', ...input }) }, id, now);
      if (earlier) return { batch: await getBatch(tx, earlier), replayed: true };
    }
    const row = await tx
      .insertInto('giftCardBatches')
      .values({
        id,
        count: input.count,
        amountMinor: input.amountMinor ?? 0,
        currency,
        prefix,
        expiresAt: input.expiresAt ?? null,
        validDays: input.validDays ?? null,
        status: 'queued',
        failure: null,
        createdBy: actor.keyId,
        createdAt: now,
        startedAt: null,
        finishedAt: null,
        heartbeatAt: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await writeAudit(tx, clock, actor, { action: 'gift_card_batch.create', entityType: 'gift_card_batch', entityId: row.id, details: { count: row.count, amountMinor: row.amountMinor } });
    return { batch: batchView(row), replayed: false };
  });
}

export async function getBatch(db: DbOrTx, id: string): Promise<BatchView> {
  const row = await db.selectFrom('giftCardBatches').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw giftCardError('gift_card_batch.not_found', `No gift-card batch ${id}; GET /v1/gift-cards/batches lists them`);
  return batchView(row);
}

export async function listBatches(db: DbOrTx, query: { limit: number; cursor?: string }): Promise<Page<BatchView>> {
  const before = decodeCursor(query.cursor, isIdKey('gcb'));
  let select = db.selectFrom('giftCardBatches').selectAll().orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(batchView), nextCursor: page.nextCursor };
}

/** Cards per transaction: a chunk's cards, entries and progress commit together. */
const CHUNK = 10_000;

/**
 * Makes a batch's cards to the end; safe to run again after a crash (it continues from the cards
 * made), and two processes resuming one batch take turns under the batch's row lock. A code that
 * collides with an existing one (one in 2^80 a pair) is skipped and made up in the next chunk.
 */
export async function generateBatch(db: Db, clock: Clock, ids: Ids, id: string, signal?: AbortSignal): Promise<BatchView> {
  const started = await db
    .updateTable('giftCardBatches')
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
        const fresh = await tx.selectFrom('giftCardBatches').selectAll().where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
        const want = Math.min(CHUNK, fresh.count - fresh.generated);
        if (want <= 0) return fresh;
        const made = await insertCards(
          tx,
          newCodes(want, fresh.prefix).map((code) => ({
            id: ids.next('gcd'),
            code,
            batchId: fresh.id,
            status: 'issued' as const,
            currency: fresh.currency,
            balanceMinor: fresh.amountMinor,
            customerId: null,
            expiresAt: fresh.expiresAt,
            validDays: fresh.validDays,
            activatedAt: null,
          })),
          { actor: fresh.createdBy, reason: `batch ${fresh.id}`, now: clock.now() },
        );
        return tx
          .updateTable('giftCardBatches')
          .set((eb) => ({ generated: eb('generated', '+', made.length), heartbeatAt: clock.now() }))
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
      });
    }
    const done = await db.updateTable('giftCardBatches').set({ status: 'completed', finishedAt: clock.now() }).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
    return batchView(done);
  } catch (error) {
    const failed = await db
      .updateTable('giftCardBatches')
      .set({ status: 'failed', failure: (error as Error).message.slice(0, 500), finishedAt: clock.now() })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return batchView(failed);
  }
}

/** The batch's cards as CSV for the printer: the code grouped by four, its id, face value and expiry. */
export async function* exportBatchCsv(db: DbOrTx, id: string): AsyncGenerator<string> {
  const batch = await getBatch(db, id);
  yield stringify([['code', 'id', 'amount_minor', 'currency', 'expires_at', 'valid_days'].map(neutraliseCell)]);
  let after = '';
  for (;;) {
    const rows = await db
      .selectFrom('giftCards')
      .select(['id', 'code', 'currency', 'expiresAt', 'validDays'])
      .where('batchId', '=', id)
      .where('id', '>', after)
      .orderBy('id')
      .limit(10_000)
      .execute();
    if (rows.length === 0) return;
    yield stringify(
      rows.map((row) =>
        [printedCode(row.code), row.id, String(batch.amountMinor), row.currency, row.expiresAt?.toISOString() ?? '', row.validDays === null ? '' : String(row.validDays)].map(neutraliseCell),
      ),
    );
    after = rows.at(-1)!.id;
  }
}
