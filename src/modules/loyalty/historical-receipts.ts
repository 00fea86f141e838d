import { sql } from 'kysely';
import type { Tx } from './loyalty.db.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from './loyalty.ids.ts';
import type { EngineLine } from './calculate.ts';
import type { LoyaltyConfig } from './config-store.ts';
import { addPendingLots, expiryFor } from './ledger.ts';
import { runPipeline } from './pipeline.ts';

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
 * receipt id) are skipped, so a reloaded file adds nothing. Each receipt runs the checkout
 * pipeline with no adjusters (its discounts are the ones its till gave) and no segments. With
 * `earn`, each customer receipt earns by the current rules at the entry tier and gets a
 * lot dated at the purchase and pending for the program's pendingDays from the load, written by
 * the ledger (addPendingLots), which settles what is already due (expiry counts from the purchase). Nothing is redeemed: history is not replayed against balances.
 */
export async function insertHistoricalReceipts(
  tx: Tx,
  clock: Clock,
  ids: Ids,
  config: LoyaltyConfig,
  storeTimezones: Map<string, string>,
  receipts: HistoricalReceipt[],
  earn: boolean,
  /** 'purchase' only for simulated history (the demo): loaded receipts pend from the load. */
  pendingFrom: 'load' | 'purchase' = 'load',
): Promise<{ inserted: number; skipped: number; pointsEarned: number; receiptIds: string[] }> {
  if (receipts.length === 0) return { inserted: 0, skipped: 0, pointsEarned: 0, receiptIds: [] };
  const settings = config.program.body;
  const entryTier = config.tiers.body.tiers[0] ?? null;
  const computed = receipts.map((receipt) => {
    const result = runPipeline(
      {
        store: { id: receipt.storeId, timezone: storeTimezones.get(receipt.storeId) ?? 'UTC' },
        channel: receipt.channel,
        occurredAt: receipt.occurredAt,
        customer: earn && receipt.customerId ? { id: receipt.customerId, balance: 0, pending: 0, birthDate: null, timezone: null, expiringSoon: null, hasReceipts: true } : null,
        tier: entryTier,
        segments: new Set(),
        lines: receipt.lines,
        redeemRequested: 0,
        promoCodes: [],
        program: settings,
        rules: config.rules.body.rules,
        extensions: {},
      },
      [],
    );
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
  await addPendingLots(
    tx,
    ids,
    earning.map((c) => ({
      customerId: c.receipt.customerId!,
      source: 'bulk' as const,
      receiptId: c.id,
      points: c.result.pointsToEarn,
      earnedAt: c.receipt.occurredAt,
      // Pending from the load, not from the purchase: a back-dated receipt cannot make points
      // spendable at once (a return window the loader cannot see is still open for the till).
      activatesAt: new Date((pendingFrom === 'load' ? now : c.receipt.occurredAt).getTime() + settings.pendingDays * 86_400_000),
      expiresAt: expiryFor(settings.expiry, c.receipt.occurredAt),
    })),
    'historical receipt',
    now,
  );
  return {
    inserted: fresh.length,
    skipped: computed.length - fresh.length,
    pointsEarned: earning.reduce((s, c) => s + c.result.pointsToEarn, 0),
    /** The ids of the receipts written, in the order given (those skipped left out). */
    receiptIds: fresh.map((c) => c.id),
  };
}
