import { decodeCursor, isIdKey, pageOf } from '../../platform/pagination.ts';
import type { Selectable } from 'kysely';
import type { DbOrTx } from './loyalty.db.ts';
import type { ReceiptsTable } from './loyalty.tables.ts';
import { loyaltyError } from './loyalty.errors.ts';

export type ReceiptView = {
  id: string;
  storeId: string;
  posReceiptId: string;
  registerId: string | null;
  channel: 'offline' | 'online';
  source: 'checkout' | 'bulk';
  customerId: string | null;
  status: 'confirmed' | 'cancelled';
  occurredAt: string;
  currency: string;
  total: number;
  discount: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  paid: number;
  pointsEarned: number;
  refunded: number;
  lines: Array<{ lineNo: number; sku: string; name: string | null; category: string | null; brand: string | null; qty: number; price: number; total: number; discount: number; pointsEarned: number; pointsRedeemed: number; refundedQty: number }>;
  refunds: Array<{ refundId: string; at: string }>;
};

const headerColumns = [
  'id', 'storeId', 'posReceiptId', 'registerId', 'channel', 'source', 'customerId', 'status', 'occurredAt', 'currency',
  'totalMinor', 'discountMinor', 'pointsRedeemed', 'redeemedMinor', 'paidMinor', 'pointsEarned', 'refundedMinor',
] as const;

type Header = Pick<Selectable<ReceiptsTable>, (typeof headerColumns)[number]>;

function header(row: Header): Omit<ReceiptView, 'lines' | 'refunds'> {
  return {
    id: row.id, storeId: row.storeId, posReceiptId: row.posReceiptId, registerId: row.registerId, channel: row.channel, source: row.source,
    customerId: row.customerId, status: row.status, occurredAt: row.occurredAt.toISOString(), currency: row.currency, total: row.totalMinor,
    discount: row.discountMinor, pointsRedeemed: row.pointsRedeemed, redeemedMinor: row.redeemedMinor, paid: row.paidMinor,
    pointsEarned: row.pointsEarned, refunded: row.refundedMinor,
  };
}

export async function getReceipt(db: DbOrTx, id: string): Promise<ReceiptView> {
  const row = await db.selectFrom('receipts').select(headerColumns).where('id', '=', id).executeTakeFirst();
  if (!row) throw loyaltyError('receipt.not_found', `No receipt ${id}`);
  const [lines, refunds] = await Promise.all([
    db.selectFrom('receiptLines').selectAll().where('receiptId', '=', id).orderBy('lineNo').execute(),
    db.selectFrom('refunds').select(['refundId', 'createdAt']).where('receiptId', '=', id).orderBy('createdAt').execute(),
  ]);
  return {
    ...header(row),
    lines: lines.map((l) => ({
      lineNo: l.lineNo, sku: l.sku, name: l.name, category: l.category, brand: l.brand, qty: l.qtyMilli / 1000, price: l.priceMinor,
      total: l.totalMinor, discount: l.discountMinor, pointsEarned: l.pointsEarned, pointsRedeemed: l.pointsRedeemed, refundedQty: l.refundedQtyMilli / 1000,
    })),
    refunds: refunds.map((r) => ({ refundId: r.refundId, at: r.createdAt.toISOString() })),
  };
}

/** A customer's receipts, newest first (ids are UUIDv7: id order is the order they were recorded). */
export async function customerReceipts(db: DbOrTx, customerId: string, limit: number, cursor?: string) {
  const before = decodeCursor(cursor, isIdKey('rcp'));
  let query = db.selectFrom('receipts').select(headerColumns).where('customerId', '=', customerId).orderBy('id', 'desc').limit(limit + 1);
  if (before !== undefined) query = query.where('id', '<', before);
  const page = pageOf(await query.execute(), limit, (row) => row.id);
  return { items: page.items.map(header), nextCursor: page.nextCursor };
}
