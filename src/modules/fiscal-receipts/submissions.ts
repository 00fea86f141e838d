import type { Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { decodeCursor, isTextKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { PointsPort } from '../loyalty/index.ts';
import { ownTx, type Db, type DbOrTx } from './fiscal-receipts.db.ts';
import { fiscalReceiptError } from './fiscal-receipts.errors.ts';
import type { Ids } from './fiscal-receipts.ids.ts';
import type { FiscalReceiptsTable, FiscalReceiptStatus } from './fiscal-receipts.tables.ts';
import type { ReceiptLine } from './fiscal-types.ts';
import { parseFiscalQr, zonedInstant } from './qr.ts';
import { loadSettings } from './settings.ts';

const DAY_MS = 86_400_000;

/** How a receipt came in: through the API (the key), or the customer's page (the lead's /me). */
export type SubmissionEvidence = { channel: 'api' | 'web' | 'app'; keyId?: string | null; ip?: string | null; userAgent?: string | null };

export type FiscalReceiptView = {
  id: string;
  customerId: string;
  status: FiscalReceiptStatus;
  fn: string;
  i: number;
  fp: number;
  totalMinor: number;
  purchasedAt: string;
  reason: string | null;
  points: number | null;
  receiptId: string | null;
  lines: ReceiptLine[];
  attempts: number;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  verifiedAt: string | null;
};

export type SubmitDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  customers: { resolveId(id: string): Promise<string> };
  points: Pick<PointsPort, 'transaction' | 'lock'>;
};

type Row = Selectable<FiscalReceiptsTable>;

export function viewOf(row: Row): FiscalReceiptView {
  return {
    id: row.id,
    customerId: row.customerId,
    status: row.status,
    fn: row.fn,
    i: Number(row.i),
    fp: Number(row.fp),
    totalMinor: Number(row.totalMinor),
    purchasedAt: row.purchasedAt.toISOString(),
    reason: row.reason,
    points: row.points,
    receiptId: row.receiptId,
    lines: row.lines,
    attempts: row.attempts,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    verifiedAt: row.verifiedAt ? row.verifiedAt.toISOString() : null,
  };
}

/**
 * A customer submits a receipt's QR: checked, then stored `pending` for the verification job.
 * The unique (fn, i, fp) decides a duplicate — of this customer's or anyone's — in SQL: of two
 * submissions at once one inserts, the other waits for it and finds the row (`on conflict do
 * nothing` answers nothing), so a receipt is taken once. The row is written under the customer's
 * balance lock, as other modules' rows for a customer are, so a merge under way cannot strand it.
 */
export async function submitReceipt(deps: SubmitDeps, customerId: string, text: string, evidence: SubmissionEvidence): Promise<FiscalReceiptView> {
  const { db, clock, ids } = deps;
  const settings = (await loadSettings(db)).body;
  if (!settings.enabled) {
    throw fiscalReceiptError('fiscal_receipt.not_enabled', 'The program takes no fiscal receipts: they are switched on in PUT /v1/fiscal-receipts/settings (enabled: true, with serviceUrl and storeId)');
  }
  const parsed = parseFiscalQr(text);
  if (!parsed.ok) {
    throw fiscalReceiptError('fiscal_receipt.invalid_qr', `The QR code is not one of a fiscal receipt that earns: ${parsed.problems.map((p) => p.reason).join('; ')}`, parsed.problems);
  }
  const { qr } = parsed;
  const purchasedAt = zonedInstant(qr.localTime, settings.timezone);
  const now = clock.now();
  const printed = `${qr.localTime.replace('T', ' ')} (${settings.timezone})`;
  if (purchasedAt.getTime() > now.getTime()) {
    throw fiscalReceiptError('fiscal_receipt.out_of_window', `t: the receipt is dated ${printed}, later than now; a receipt's date is when it was printed`, [{ field: 'qr.t', reason: 'is in the future' }]);
  }
  if (now.getTime() - purchasedAt.getTime() > settings.maxAgeDays * DAY_MS) {
    throw fiscalReceiptError('fiscal_receipt.out_of_window', `t: the receipt is dated ${printed}, more than ${settings.maxAgeDays} days ago; receipts are taken for ${settings.maxAgeDays} days after the purchase`, [
      { field: 'qr.t', reason: `is more than ${settings.maxAgeDays} days ago` },
    ]);
  }
  const resolved = await deps.customers.resolveId(customerId);
  return deps.points.transaction(resolved, async (tx, current) => {
    await deps.points.lock(tx, current);
    const own = ownTx(tx);
    const row = await own
      .insertInto('fiscalReceipts')
      .values({
        id: ids.next('frc'),
        customerId: current,
        fn: qr.fn,
        i: qr.i,
        fp: qr.fp,
        operation: qr.operation,
        totalMinor: qr.totalMinor,
        localTime: qr.localTime,
        purchasedAt,
        qr: text.trim(),
        status: 'pending',
        nextAttemptAt: now,
        evidence: JSON.stringify({ channel: evidence.channel, keyId: evidence.keyId ?? null, ip: evidence.ip ?? null, userAgent: evidence.userAgent?.slice(0, 300) ?? null }),
        createdAt: now,
        updatedAt: now,
      })
      .onConflict((oc) => oc.constraint('fiscal_receipts_document').doNothing())
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw fiscalReceiptError(
        'fiscal_receipt.duplicate',
        `This receipt (fn ${qr.fn}, i ${qr.i}, fp ${qr.fp}) was already submitted; a fiscal receipt earns once, for whoever submitted it first`,
        [{ field: 'qr', reason: 'names a receipt already submitted' }],
      );
    }
    return viewOf(row);
  });
}

export async function getReceipt(db: DbOrTx, id: string): Promise<FiscalReceiptView> {
  const row = await db.selectFrom('fiscalReceipts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw fiscalReceiptError('fiscal_receipt.not_found', `No fiscal receipt ${id}`);
  return viewOf(row);
}

/** A customer's submissions, newest first (a merged duplicate's are the survivor's). */
export async function listForCustomer(db: DbOrTx, customerId: string, query: { limit: number; cursor?: string }): Promise<Page<FiscalReceiptView>> {
  const after = decodeCursor(query.cursor, isTextKey);
  let select = db.selectFrom('fiscalReceipts').selectAll().where('customerId', '=', customerId).orderBy('id', 'desc').limit(query.limit + 1);
  if (after !== undefined) select = select.where('id', '<', after);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(viewOf), nextCursor: page.nextCursor };
}
