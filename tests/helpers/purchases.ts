import { sql } from 'kysely';
import type { TestApp } from './test-app.ts';

/**
 * Purchases planted for the reports that measure what customers bought (campaign and journey
 * uplift, the program's ROI): confirmed receipts written as loyalty stores them, many at once,
 * without running the checkout for each (the reports read receipts, not points).
 */
export async function plantPurchases(t: TestApp, storeId: string, purchases: Array<{ customerId: string; at: Date; netMinor: number; discountMinor?: number }>): Promise<void> {
  if (purchases.length === 0) return;
  const now = t.clock.now();
  const ids = purchases.map((_, i) => `rcp_planted_${storeId}_${now.getTime()}_${i}`);
  await sql`insert into receipts (id, store_id, pos_receipt_id, channel, source, customer_id, status, occurred_at, created_at, currency, total_minor, discount_minor, paid_minor, request_hash, response)
    select id, ${storeId}, id, 'offline', 'bulk', customer_id, 'confirmed', at, ${now}, 'RUB', net + discount, discount, net, '', '{}'::jsonb
    from unnest(${ids}::text[], ${purchases.map((p) => p.customerId)}::text[], ${purchases.map((p) => p.at.toISOString())}::timestamptz[], ${purchases.map((p) => p.netMinor)}::bigint[],
      ${purchases.map((p) => p.discountMinor ?? 0)}::bigint[]) as p(id, customer_id, at, net, discount)`.execute(t.database.db);
}
