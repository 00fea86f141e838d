import { sql } from 'kysely';
import type { Tx } from '../../db/database.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from '../../platform/ids.ts';
import { calculateReceipt, type EngineLine } from './calculate.ts';
import type { LoyaltyConfig } from './config-store.ts';
import { expiryFor } from './ledger.ts';

/** A receipt from before Patron (or from a till that was offline), loaded in bulk. */
export type HistoricalReceipt = {
  storeId: string;
  posReceiptId: string;
  occurredAt: Date;
  channel: 'offline' | 'online';
  registerId: string | null;
  customerId: string | null;
  lines: EngineLine[];
};

/**
 * Writes receipts set-based, a batch at a time. Receipts already stored (same store and POS
 * receipt id) are skipped, so a reloaded file adds nothing. With `earn`, each customer
 * receipt earns by the current rules at the entry tier and gets a pending lot dated at the
 * purchase; the activation and expiry jobs then bring the ledger up to today. Nothing is
 * redeemed: history is not replayed against balances.
 */
export async function insertHistoricalReceipts(
  tx: Tx,
  clock: Clock,
  ids: Ids,
  config: LoyaltyConfig,
  storeTimezones: Map<string, string>,
  receipts: HistoricalReceipt[],
  earn: boolean,
): Promise<{ inserted: number; skipped: number; pointsEarned: number }> {
  if (receipts.length === 0) return { inserted: 0, skipped: 0, pointsEarned: 0 };
  const settings = config.program.body;
  const entryTier = config.tiers.body.tiers[0] ?? null;
  const computed = receipts.map((receipt) => {
    const result = calculateReceipt({
      lines: receipt.lines,
      settings,
      rules: config.rules.body.rules,
      tier: entryTier,
      context: { storeId: receipt.storeId, storeTimezone: storeTimezones.get(receipt.storeId) ?? 'UTC', channel: receipt.channel, occurredAt: receipt.occurredAt, segments: new Set() },
      customer: earn && receipt.customerId ? { balance: 0, birthDate: null, timezone: null, expiringSoon: null } : null,
      redeemRequested: 0,
    });
    return { receipt, result, id: ids.next('rcp') };
  });
  const now = clock.now();
  const inserted = await sql<{ id: string }>`
    insert into receipts (id, store_id, pos_receipt_id, register_id, channel, source, customer_id, status, occurred_at, created_at,
      currency, total_minor, discount_minor, paid_minor, points_earned, request_hash, response)
    select id, store_id, pos_receipt_id, register_id, channel, 'bulk', customer_id, 'confirmed', occurred_at, ${now},
      ${settings.currency}, total, discount, paid, earned, hash, '{}'::jsonb
    from unnest(${computed.map((c) => c.id)}::text[], ${computed.map((c) => c.receipt.storeId)}::text[], ${computed.map((c) => c.receipt.posReceiptId)}::text[],
      ${computed.map((c) => c.receipt.registerId)}::text[], ${computed.map((c) => c.receipt.channel)}::text[], ${computed.map((c) => c.receipt.customerId)}::text[],
      ${computed.map((c) => c.receipt.occurredAt.toISOString())}::timestamptz[], ${computed.map((c) => c.result.total)}::bigint[],
      ${computed.map((c) => c.result.discount)}::bigint[], ${computed.map((c) => c.result.payable)}::bigint[], ${computed.map((c) => c.result.pointsToEarn)}::int[],
      ${computed.map((c) => requestHash({ bulk: c.receipt.posReceiptId, storeId: c.receipt.storeId }))}::text[])
      as t(id, store_id, pos_receipt_id, register_id, channel, customer_id, occurred_at, total, discount, paid, earned, hash)
    on conflict (store_id, pos_receipt_id) do nothing
    returning id`.execute(tx);
  const kept = new Set(inserted.rows.map((row) => row.id));
  const fresh = computed.filter((c) => kept.has(c.id));

  const lines = fresh.flatMap((c) =>
    c.receipt.lines.map((line, index) => ({ receiptId: c.id, lineNo: index + 1, customerId: c.receipt.customerId, line, result: c.result.lines[index]! })),
  );
  if (lines.length > 0) {
    await sql`insert into receipt_lines (receipt_id, line_no, customer_id, sku, name, category, brand, qty_milli, price_minor, total_minor, discount_minor, points_earned)
      select * from unnest(${lines.map((l) => l.receiptId)}::text[], ${lines.map((l) => l.lineNo)}::int[], ${lines.map((l) => l.customerId)}::text[],
        ${lines.map((l) => l.line.sku)}::text[], ${lines.map((l) => l.line.name)}::text[], ${lines.map((l) => (l.line.categories.length ? l.line.categories.join('/') : null))}::text[],
        ${lines.map((l) => l.line.brand)}::text[], ${lines.map((l) => l.line.qtyMilli)}::bigint[], ${lines.map((l) => l.line.priceMinor)}::bigint[],
        ${lines.map((l) => l.result.total)}::bigint[], ${lines.map((l) => l.result.discount)}::bigint[], ${lines.map((l) => l.result.pointsEarned)}::int[])`.execute(tx);
  }

  const earning = fresh.filter((c) => c.receipt.customerId && c.result.pointsToEarn > 0);
  if (earning.length > 0) {
    const lots = earning.map((c) => ({
      id: ids.next('lot'),
      customerId: c.receipt.customerId!,
      receiptId: c.id,
      points: c.result.pointsToEarn,
      earnedAt: c.receipt.occurredAt,
      activatesAt: new Date(c.receipt.occurredAt.getTime() + settings.pendingDays * 86_400_000),
      expiresAt: expiryFor(settings.expiry, c.receipt.occurredAt),
    }));
    await sql`insert into point_lots (id, customer_id, source, receipt_id, points, remaining, earned_at, activates_at, expires_at)
      select id, customer_id, 'bulk', receipt_id, points, points, earned_at, activates_at, expires_at
      from unnest(${lots.map((l) => l.id)}::text[], ${lots.map((l) => l.customerId)}::text[], ${lots.map((l) => l.receiptId)}::text[],
        ${lots.map((l) => l.points)}::int[], ${lots.map((l) => l.earnedAt.toISOString())}::timestamptz[],
        ${lots.map((l) => l.activatesAt.toISOString())}::timestamptz[], ${lots.map((l) => l.expiresAt?.toISOString() ?? null)}::timestamptz[])
        as t(id, customer_id, receipt_id, points, earned_at, activates_at, expires_at)`.execute(tx);
    await sql`insert into point_entries (customer_id, kind, available_delta, pending_delta, lot_id, receipt_id, reason, occurred_at)
      select customer_id, 'earn', 0, points, id, receipt_id, 'historical receipt', earned_at
      from unnest(${lots.map((l) => l.id)}::text[], ${lots.map((l) => l.customerId)}::text[], ${lots.map((l) => l.receiptId)}::text[],
        ${lots.map((l) => l.points)}::int[], ${lots.map((l) => l.earnedAt.toISOString())}::timestamptz[]) as t(id, customer_id, receipt_id, points, earned_at)`.execute(tx);
    const perCustomer = new Map<string, number>();
    for (const lot of lots) perCustomer.set(lot.customerId, (perCustomer.get(lot.customerId) ?? 0) + lot.points);
    // Sorted so concurrent loads lock balance rows in one order and cannot deadlock.
    const sums = [...perCustomer].sort(([a], [b]) => (a < b ? -1 : 1));
    await sql`insert into point_balances (customer_id, available, pending, lifetime_earned, lifetime_redeemed, lifetime_expired, updated_at)
      select customer_id, 0, points, points, 0, 0, ${now} from unnest(${sums.map(([id]) => id)}::text[], ${sums.map(([, p]) => p)}::int[]) as t(customer_id, points)
      on conflict (customer_id) do update set pending = point_balances.pending + excluded.pending,
        lifetime_earned = point_balances.lifetime_earned + excluded.lifetime_earned, updated_at = excluded.updated_at`.execute(tx);
  }
  return { inserted: fresh.length, skipped: computed.length - fresh.length, pointsEarned: earning.reduce((s, c) => s + c.result.pointsToEarn, 0) };
}
