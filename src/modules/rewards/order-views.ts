import type { Selectable } from 'kysely';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import type { DbOrTx } from './rewards.db.ts';
import { rewardError } from './rewards.errors.ts';
import type { OrderStatus, RewardKind, RewardOrdersTable } from './rewards.tables.ts';

export type OrderRow = Selectable<RewardOrdersTable>;

/** An order as the API answers it: `code`, `privilege`, `validUntil` and the times only where they exist. */
export type OrderView = {
  id: string;
  customerId: string;
  reward: { id: string; name: string; kind: RewardKind };
  source: 'purchase' | 'prize';
  points: number;
  status: OrderStatus;
  code?: string;
  privilege?: string;
  validUntil?: string;
  createdAt: string;
  redeemedAt?: string;
  cancelledAt?: string;
};

export type PrivilegeView = { orderId: string; rewardId: string; name: string; privilege: string; since: string; validUntil: string };

export function toOrderView(row: OrderRow): OrderView {
  return {
    id: row.id,
    customerId: row.customerId,
    reward: { id: row.rewardId, name: row.rewardName, kind: row.kind },
    source: row.source,
    points: row.points,
    status: row.status,
    ...(row.code !== null ? { code: row.code } : {}),
    ...(row.privilege !== null ? { privilege: row.privilege } : {}),
    ...(row.validUntil !== null ? { validUntil: row.validUntil.toISOString() } : {}),
    createdAt: row.createdAt.toISOString(),
    ...(row.redeemedAt !== null ? { redeemedAt: row.redeemedAt.toISOString() } : {}),
    ...(row.cancelledAt !== null ? { cancelledAt: row.cancelledAt.toISOString() } : {}),
  };
}

export async function findOrder(db: DbOrTx, customerId: string, orderId: string): Promise<OrderRow> {
  const row = await db.selectFrom('rewardOrders').selectAll().where('customerId', '=', customerId).where('id', '=', orderId).executeTakeFirst();
  if (!row) throw rewardError('reward_order.not_found', `Customer ${customerId} has no reward order ${orderId}; GET /v1/customers/${customerId}/rewards lists them`);
  return row;
}

/** A customer's orders, newest first. */
export async function listOrders(db: DbOrTx, customerId: string, query: { limit: number; cursor?: string; status?: OrderStatus }): Promise<Page<OrderView>> {
  const before = decodeCursor(query.cursor, isIdKey('rwo'));
  let select = db.selectFrom('rewardOrders').selectAll().where('customerId', '=', customerId).orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status) select = select.where('status', '=', query.status);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return { items: page.items.map(toOrderView), nextCursor: page.nextCursor };
}

/** The privileges a customer holds now (issued, not cancelled, not yet over), newest first. */
export async function listPrivileges(db: DbOrTx, customerId: string, now: Date, query: { limit: number; cursor?: string }): Promise<Page<PrivilegeView>> {
  const before = decodeCursor(query.cursor, isIdKey('rwo'));
  let select = db
    .selectFrom('rewardOrders')
    .selectAll()
    .where('customerId', '=', customerId)
    .where('kind', '=', 'privilege')
    .where('status', '=', 'issued')
    .where('validUntil', '>', now)
    .orderBy('id', 'desc')
    .limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  return {
    items: page.items.map((row) => ({
      orderId: row.id,
      rewardId: row.rewardId,
      name: row.rewardName,
      privilege: row.privilege ?? '',
      since: row.createdAt.toISOString(),
      validUntil: row.validUntil!.toISOString(),
    })),
    nextCursor: page.nextCursor,
  };
}
