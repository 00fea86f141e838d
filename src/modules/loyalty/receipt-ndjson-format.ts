import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { ErrorObject } from 'ajv';
import { Type } from 'typebox';
import type { Db, Tx } from './loyalty.db.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError, type FieldProblem } from '../../platform/errors.ts';
import { describeAjvError, makeAjv } from '../../platform/http.ts';
import type { Ids } from './loyalty.ids.ts';
import type { BatchOutcome, ImportFormat, ImportRecord } from '../../platform/imports/import-format.ts';
import { MAX_LINE_TOTAL_MINOR, toQtyMilli } from '../../platform/money.ts';
import { findUnstorableText, parseInstant } from '../../platform/text.ts';
import { currentCustomerId, customerIdByIdentifier, lookupIdentifier } from '../customers/index.ts';
import type { EngineLine } from './calculate.ts';
import { loadLoyaltyConfig } from './config-store.ts';
import { insertHistoricalReceipts, type HistoricalReceipt } from './historical-receipts.ts';
import { OCCURRED_AT_SKEW_MINUTES, OCCURRED_IN_FUTURE_REASON } from './loyalty.errors.ts';
import { ConfirmBody } from './loyalty.schemas.ts';

/** One NDJSON line: a confirm body with a required time and no redemption. */
const HistoricalReceiptSchema = Type.Object(
  {
    ...Type.Omit(ConfirmBody, ['redeemPoints', 'occurredAt', 'promoCodes']).properties,
    occurredAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

type CustomerRef = { phone?: string; card?: string; email?: string; externalId?: string; customerId?: string };
type Line = { sku: string; name?: string; category?: string; brand?: string; qty: number; price: number; discount?: number };
type Parsed = { storeId: string; posReceiptId: string; registerId?: string; channel?: 'offline' | 'online'; occurredAt: string; customer?: CustomerRef; lines: Line[] };

export type ReceiptRow = { line: number; receipt: Parsed; occurredAt: Date; qtyMilli: number[] };

const validate = makeAjv(false).compile(HistoricalReceiptSchema);
const MAX_LINE_PROBLEMS = 50;

function parseLine(text: string, line: number, now: Date): ImportRecord<ReceiptRow> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { line, problems: [{ field: '(row)', reason: 'is not valid JSON' }] };
  }
  const bad = findUnstorableText(value);
  if (bad) return { line, problems: [{ field: bad, reason: 'holds a character that cannot be stored' }] };
  if (!validate(value)) {
    // One line can break its schema thousands of times (40,000 wrong items took 17 s, a search
    // per problem, and stored as many error rows): its first problems, one a field, say what to fix.
    const seen = new Set<string>();
    const problems: FieldProblem[] = [];
    for (const error of validate.errors ?? []) {
      const problem = describeAjvError(error as ErrorObject, 'body');
      if (seen.has(problem.field)) continue;
      seen.add(problem.field);
      problems.push(problem);
      if (problems.length === MAX_LINE_PROBLEMS) break;
    }
    return { line, problems };
  }
  const receipt = value as Parsed;
  const problems: FieldProblem[] = [];
  const occurredAt = parseInstant(receipt.occurredAt);
  if (!occurredAt) problems.push({ field: 'occurredAt', reason: 'must be a real time between 1900 and 9999' });
  else if (occurredAt.getTime() > now.getTime() + OCCURRED_AT_SKEW_MINUTES * 60_000) problems.push({ field: 'occurredAt', reason: OCCURRED_IN_FUTURE_REASON });
  const qtyMilli = receipt.lines.map((l, i) => {
    const milli = toQtyMilli(l.qty);
    if (milli === null) problems.push({ field: `lines.${i}.qty`, reason: 'must be positive with at most three decimals' });
    // The checkout's money bound, checked per line so one such line is its own row error.
    else if ((BigInt(milli) * BigInt(l.price)) / 1000n > BigInt(MAX_LINE_TOTAL_MINOR)) {
      problems.push({ field: `lines.${i}`, reason: `qty × price must be at most ${MAX_LINE_TOTAL_MINOR} minor units` });
    }
    return milli ?? 0;
  });
  if (receipt.customer && Object.keys(receipt.customer).length !== 1) problems.push({ field: 'customer', reason: 'needs exactly one identifier' });
  return problems.length > 0 ? { line, problems } : { line, row: { line, receipt, occurredAt: occurredAt!, qtyMilli } };
}

/** Resolves every customer reference of a batch; a reference that finds no one is a row error. */
async function resolveCustomers(tx: Tx, rows: ReceiptRow[], phoneRegion: string): Promise<Map<number, string | FieldProblem>> {
  const result = new Map<number, string | FieldProblem>();
  for (const row of rows) {
    const ref = row.receipt.customer;
    if (!ref) continue;
    try {
      if (ref.customerId) {
        // Through the customers module (in this batch's transaction): a merged id names its survivor.
        const current = await currentCustomerId(tx, ref.customerId);
        result.set(row.line, current ?? { field: 'customer.customerId', reason: 'no such customer' });
        continue;
      }
      const owner = await customerIdByIdentifier(tx, lookupIdentifier(ref, phoneRegion));
      result.set(row.line, owner ?? { field: 'customer', reason: 'no customer has that identifier' });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      result.set(row.line, { field: 'customer', reason: error.detail });
    }
  }
  return result;
}

/**
 * Historical receipts as NDJSON, one confirm-like body a line with a required `occurredAt`.
 * Receipts already loaded (same store and POS receipt id) are left as they are; with
 * `earn: true` they accrue points by the current rules (see historical-receipts.ts).
 */
export function receiptNdjsonFormat(deps: { db: Db; clock: Clock; ids: Ids; phoneRegion: string }): ImportFormat<ReceiptRow, Tx> {
  const { clock, ids, phoneRegion } = deps;
  return {
    async check() {
      // Every line stands alone; problems are reported per line while the good ones go in.
    },

    async *read(input: Readable): AsyncIterable<ImportRecord<ReceiptRow>> {
      let line = 0;
      for await (const text of createInterface({ input, crlfDelay: Infinity })) {
        line++;
        if (text.trim() === '') continue;
        yield parseLine(text, line, clock.now());
      }
    },

    async write(tx, _importId, rows, options): Promise<BatchOutcome> {
      const failed: BatchOutcome['failed'] = [];
      const storeIds = [...new Set(rows.map((r) => r.receipt.storeId))];
      const stores = new Map(
        (await tx.selectFrom('stores').select(['id', 'timezone']).where('id', 'in', storeIds).execute()).map((s) => [s.id, s.timezone]),
      );
      const skus = [...new Set(rows.flatMap((r) => r.receipt.lines.map((l) => l.sku)))];
      const catalog = new Map(
        (await tx.selectFrom('products').select(['sku', 'name', 'categoryPath', 'brand']).where('sku', 'in', skus).execute()).map((p) => [p.sku, p]),
      );
      const customers = await resolveCustomers(tx, rows, phoneRegion);
      const receipts: HistoricalReceipt[] = [];
      for (const row of rows) {
        if (!stores.has(row.receipt.storeId)) {
          failed.push({ line: row.line, problems: [{ field: 'storeId', reason: 'no such store' }] });
          continue;
        }
        const customer = customers.get(row.line);
        if (customer !== undefined && typeof customer !== 'string') {
          failed.push({ line: row.line, problems: [customer] });
          continue;
        }
        const lines: EngineLine[] = row.receipt.lines.map((l, i) => {
          const product = catalog.get(l.sku);
          return {
            sku: l.sku,
            name: l.name ?? product?.name ?? null,
            categories: l.category !== undefined ? l.category.split(/\s*[/>]\s*/).filter(Boolean) : (product?.categoryPath ?? []),
            brand: l.brand ?? product?.brand ?? null,
            qtyMilli: row.qtyMilli[i]!,
            priceMinor: l.price,
            discountMinor: l.discount ?? 0,
          };
        });
        receipts.push({
          storeId: row.receipt.storeId,
          posReceiptId: row.receipt.posReceiptId,
          occurredAt: row.occurredAt,
          channel: row.receipt.channel ?? 'offline',
          registerId: row.receipt.registerId ?? null,
          customerId: customer ?? null,
          lines,
        });
      }
      const config = await loadLoyaltyConfig(tx);
      const earn = options.earn === true;
      const outcome = await insertHistoricalReceipts(tx, clock, ids, config, stores, receipts, earn);
      // Points a load creates are audited per batch and in total (the runner writes the entries).
      return { created: outcome.inserted, updated: outcome.skipped, failed, ...(earn ? { totals: { points: outcome.pointsEarned } } : {}) };
    },
  };
}
