import { sql, type Selectable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { PlatformTx } from '../../platform/db-views.ts';
import type { HistoricalReceipt, PointsPort } from '../loyalty/index.ts';
import type { HttpClient } from '../messaging/index.ts';
import { ownTx, type Db } from './fiscal-receipts.db.ts';
import { emitEvents } from './fiscal-receipts.events.ts';
import type { Ids } from './fiscal-receipts.ids.ts';
import type { FiscalReceiptsTable } from './fiscal-receipts.tables.ts';
import type { FiscalSettingsBody, ReceiptLine, ServiceLine } from './fiscal-types.ts';
import type { FiscalQr } from './qr.ts';
import { loadSettings, normaliseName } from './settings.ts';
import { verifyReceipt, type Verification } from './verification-service.ts';

/** A temporary failure is tried again after 30 s, doubling to at most an hour; the 24th failure rejects (about 18 hours on). */
export const RETRY_BASE_MS = 30_000;
export const RETRY_CAP_MS = 3_600_000;
export const MAX_ATTEMPTS = 24;
const BATCH = 20;

export type VerifyDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** A client allowing private networks or not, as the settings say. */
  http: (allowPrivateNetwork: boolean) => HttpClient;
  points: Pick<PointsPort, 'transaction' | 'lock'>;
  /** Loyalty's historical receipts in the caller's transaction (earning by the current rules). */
  importIn: (tx: PlatformTx, receipts: HistoricalReceipt[], options: { earn: boolean }) => Promise<{ pointsEarned: number; receiptIds: string[] }>;
  products: (skus: string[]) => Promise<Map<string, { name: string; categoryPath: string[]; brand: string | null }>>;
};

type Row = Selectable<FiscalReceiptsTable>;

export function retryDelay(attempts: number, retryAfterMs: number | null): number {
  const backoff = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(Math.max(attempts - 1, 0), 20));
  return Math.max(backoff, Math.min(retryAfterMs ?? 0, RETRY_CAP_MS));
}

/** The service's lines that are the brand's products: each matched by the first rule naming it or its barcode. */
export function matchLines(lines: ServiceLine[], rules: FiscalSettingsBody['products']): ReceiptLine[] {
  const prepared = rules.map((rule) => ({ sku: rule.sku, text: rule.nameContains !== undefined ? normaliseName(rule.nameContains) : null, barcode: rule.barcode ?? null }));
  const matched: ReceiptLine[] = [];
  for (const line of lines) {
    const name = normaliseName(line.name);
    const rule = prepared.find((r) => (r.barcode !== null && r.barcode === line.barcode) || (r.text !== null && name.includes(r.text)));
    if (rule) matched.push({ name: line.name, sku: rule.sku, priceMinor: line.priceMinor, quantity: line.quantity, sumMinor: line.sumMinor });
  }
  return matched;
}

/**
 * The verification job: sends due pending receipts to the service, SKIP LOCKED so instances share
 * them. A claim marks the row for a while (`locked_until`) and counts the attempt before the
 * request goes, so a process that dies mid-request leaves the receipt to the next run, and a
 * service that never answers cannot be asked forever.
 */
export async function verifyDue(deps: VerifyDeps, signal?: AbortSignal): Promise<{ earned: number; rejected: number; retried: number }> {
  const { db, clock } = deps;
  const report = { earned: 0, rejected: 0, retried: 0 };
  const settings = await loadSettings(db);
  if (settings.body.serviceUrl === null) return report;
  const http = deps.http(settings.body.allowPrivateNetwork);
  try {
    while (!signal?.aborted) {
      const now = clock.now();
      const claimMs = settings.body.timeoutMs * BATCH + 60_000;
      const due = (
        await sql<Row>`
          update fiscal_receipts f set locked_until = ${new Date(now.getTime() + claimMs)}, attempts = f.attempts + 1
          from (
            select id from fiscal_receipts
            where status = 'pending' and next_attempt_at <= ${now} and (locked_until is null or locked_until <= ${now})
            order by next_attempt_at, id limit ${BATCH} for update skip locked
          ) due
          where f.id = due.id
          returning f.*`.execute(db)
      ).rows;
      if (due.length === 0) break;
      for (const row of due) {
        const qr: FiscalQr = { localTime: row.localTime, totalMinor: Number(row.totalMinor), fn: row.fn, i: Number(row.i), fp: Number(row.fp), operation: 1 };
        let outcome: Verification;
        try {
          outcome = await verifyReceipt(http, settings.body, settings.token, qr);
        } catch (error) {
          outcome = { kind: 'retry', reason: `the request failed: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), retryAfterMs: null };
        }
        let settled: 'earned' | 'rejected' | 'retried';
        try {
          settled = await settle(deps, settings.body, row, outcome);
        } catch (error) {
          // Booking failed (the database, a store gone): the receipt waits its turn like a service failure.
          settled = await settle(deps, settings.body, row, { kind: 'retry', reason: `the receipt could not be booked: ${error instanceof Error ? error.message : String(error)}`.slice(0, 300), retryAfterMs: null });
        }
        report[settled]++;
      }
    }
  } finally {
    http.close();
  }
  return report;
}

async function settle(deps: VerifyDeps, settings: FiscalSettingsBody, row: Row, outcome: Verification): Promise<'earned' | 'rejected' | 'retried'> {
  if (outcome.kind === 'retry') {
    if (row.attempts >= MAX_ATTEMPTS) {
      return reject(deps, row, `not verified: the verification service failed ${row.attempts} times (the last: ${outcome.reason})`);
    }
    const at = deps.clock.now();
    await deps.db
      .updateTable('fiscalReceipts')
      .set({ nextAttemptAt: new Date(at.getTime() + retryDelay(row.attempts, outcome.retryAfterMs)), lockedUntil: null, lastError: outcome.reason.slice(0, 500), updatedAt: at })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .execute();
    return 'retried';
  }
  if (outcome.kind !== 'found') return reject(deps, row, outcome.reason);
  if (outcome.totalMinor !== null && outcome.totalMinor !== Number(row.totalMinor)) {
    return reject(deps, row, `the verification service's total (${outcome.totalMinor} kopecks) differs from the QR code's (s: ${row.totalMinor} kopecks)`);
  }
  const lines = matchLines(outcome.lines, settings.products);
  if (lines.length === 0) return reject(deps, row, "the receipt holds none of the brand's products");
  if (settings.storeId === null) return reject(deps, row, 'no store is set to book receipts at (storeId)');
  return earn(deps, settings.storeId, row, lines);
}

async function earn(deps: VerifyDeps, storeId: string, row: Row, lines: ReceiptLine[]): Promise<'earned' | 'rejected' | 'retried'> {
  const { clock, ids } = deps;
  const products = await deps.products([...new Set(lines.map((l) => l.sku))]);
  try {
    const done = await deps.points.transaction(row.customerId, async (tx, current) => {
      await deps.points.lock(tx, current);
      const own = ownTx(tx);
      // Decided meanwhile (another instance after this claim expired): nothing more to do.
      const still = await own.selectFrom('fiscalReceipts').select('status').where('id', '=', row.id).forUpdate().executeTakeFirst();
      if (still?.status !== 'pending') return false;
      const receipt: HistoricalReceipt = {
        storeId,
        posReceiptId: `fiscal:${row.fn}:${row.i}:${row.fp}`,
        occurredAt: row.purchasedAt,
        channel: 'offline',
        registerId: null,
        customerId: current,
        lines: lines.map((line) => {
          const product = products.get(line.sku);
          const qtyMilli = Math.max(1, Math.round(line.quantity * 1000));
          const total = Math.round((qtyMilli * line.priceMinor) / 1000);
          return {
            sku: line.sku,
            name: line.name.slice(0, 200),
            categories: product?.categoryPath ?? [],
            brand: product?.brand ?? null,
            qtyMilli,
            priceMinor: line.priceMinor,
            // What the receipt took off the price (its sum below quantity × price) is the line's discount.
            discountMinor: Math.max(0, total - line.sumMinor),
          };
        }),
      };
      const result = await deps.importIn(tx, [receipt], { earn: true });
      const receiptId = result.receiptIds[0];
      if (receiptId === undefined) throw new AlreadyBooked(receipt.posReceiptId);
      const at = clock.now();
      await own
        .updateTable('fiscalReceipts')
        .set({ status: 'earned', customerId: current, points: result.pointsEarned, receiptId, lines: JSON.stringify(lines), nextAttemptAt: null, lockedUntil: null, lastError: null, verifiedAt: at, updatedAt: at })
        .where('id', '=', row.id)
        .execute();
      await emitEvents(own, clock, ids, [
        { type: 'fiscal_receipt.verified', customerId: current, payload: { fiscalReceiptId: row.id, customerId: current, points: result.pointsEarned, receiptId, totalMinor: Number(row.totalMinor) } },
      ]);
      return true;
    });
    return done ? 'earned' : 'retried';
  } catch (error) {
    if (error instanceof AppError && error.code === 'customer.erased') return reject(deps, row, 'the customer was erased before the receipt was verified');
    if (error instanceof AlreadyBooked) return reject(deps, row, `a receipt ${error.posReceiptId} is already booked at store ${storeId}`);
    throw error;
  }
}

class AlreadyBooked extends Error {
  constructor(readonly posReceiptId: string) {
    super(`already booked: ${posReceiptId}`);
  }
}

async function reject(deps: VerifyDeps, row: Row, reason: string): Promise<'rejected' | 'retried'> {
  const { db, clock, ids } = deps;
  return db.transaction().execute(async (tx) => {
    const at = clock.now();
    const done = await tx
      .updateTable('fiscalReceipts')
      .set({ status: 'rejected', reason: reason.slice(0, 500), nextAttemptAt: null, lockedUntil: null, verifiedAt: at, updatedAt: at })
      .where('id', '=', row.id)
      .where('status', '=', 'pending')
      .returning(['customerId'])
      .executeTakeFirst();
    if (!done) return 'retried';
    await emitEvents(tx, clock, ids, [{ type: 'fiscal_receipt.rejected', customerId: done.customerId, payload: { fiscalReceiptId: row.id, customerId: done.customerId, reason } }]);
    return 'rejected';
  });
}
