import { sql } from 'kysely';
import type { Db } from '../../db/database.ts';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from '../../platform/ids.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { adjustPoints, balanceView, ledgerPage } from './account.ts';
import { listProducts, listStores, upsertProducts, upsertStores, type ProductInput, type StoreInput } from './catalog.ts';
import { calculateCheckout, confirmCheckout, type CheckoutInput, type ConfirmInput, type CustomerFinder, type LoyaltyDeps } from './checkout.ts';
import { loadLoyaltyConfig, saveLoyaltyConfig } from './config-store.ts';
import type { EarningRuleSet, ProgramSettings, TierConfig } from './config-types.ts';
import { jobs, type JobName } from './jobs.ts';
import { receiptNdjsonFormat } from './receipt-ndjson-format.ts';
import { cancelReceipt, refundReceipt, type RefundInput } from './refunds.ts';
import { customerReceipts, getReceipt } from './receipts.ts';

export type { JobName } from './jobs.ts';
export { loyaltyErrors } from './loyalty.errors.ts';

/** The loyalty module's public face: checkout, receipts, the points ledger, rules and tiers. */
export function createLoyalty(base: { db: Db; clock: Clock; ids: Ids; customers: CustomerFinder; phoneRegion: string }, hooks: CustomerLifecycleHooks) {
  const deps: LoyaltyDeps = base;
  const { db, clock, ids } = deps;

  // A merge moves the duplicate's receipts, lots, ledger and balance to the survivor; the
  // ledger stays whole because entries move with their lots and balances add up.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    for (const table of ['receipts', 'receipt_lines', 'refunds', 'point_lots', 'point_entries', 'lot_consumptions']) {
      await sql`update ${sql.table(table)} set customer_id = ${intoId} where customer_id = ${fromId}`.execute(tx);
    }
    // Idempotency keys are per customer: keep the duplicate's apart from the survivor's own.
    await sql`update adjustments set customer_id = ${intoId}, idempotency_key = idempotency_key || ' (merged from ' || customer_id || ')'
      where customer_id = ${fromId}`.execute(tx);
    const from = await tx.selectFrom('pointBalances').selectAll().where('customerId', '=', fromId).forUpdate().executeTakeFirst();
    if (from) {
      await tx
        .insertInto('pointBalances')
        .values({ ...from, customerId: intoId })
        .onConflict((oc) =>
          oc.column('customerId').doUpdateSet((eb) => ({
            available: eb('pointBalances.available', '+', from.available),
            pending: eb('pointBalances.pending', '+', from.pending),
            lifetimeEarned: eb('pointBalances.lifetimeEarned', '+', from.lifetimeEarned),
            lifetimeRedeemed: eb('pointBalances.lifetimeRedeemed', '+', from.lifetimeRedeemed),
            lifetimeExpired: eb('pointBalances.lifetimeExpired', '+', from.lifetimeExpired),
            updatedAt: clock.now(),
          })),
        )
        .execute();
      await tx.deleteFrom('pointBalances').where('customerId', '=', fromId).execute();
    }
    // The survivor keeps the higher of the two tiers until the next review.
    await tx.deleteFrom('customerTiers').where('customerId', '=', fromId).execute();
  });
  // Free text an operator typed about the customer goes with the rest of their personal data.
  hooks.onErase.push(async (tx, customerIds) => {
    await tx.updateTable('pointEntries').set({ reason: null }).where('customerId', 'in', customerIds).execute();
    await tx.updateTable('adjustments').set({ reason: '(erased)', response: '{}' }).where('customerId', 'in', customerIds).execute();
  });

  return {
    calculate: (input: CheckoutInput) => calculateCheckout(deps, input),
    confirm: (input: ConfirmInput, actor: Actor) => confirmCheckout(deps, input, actor),
    cancel: (storeId: string, posReceiptId: string, actor: Actor) => cancelReceipt(deps, storeId, posReceiptId, actor),
    refund: (receiptId: string, input: RefundInput, actor: Actor) => refundReceipt(deps, receiptId, input, actor),
    receipt: (id: string) => getReceipt(db, id),
    customerReceipts: (customerId: string, limit: number, before?: string) => customerReceipts(db, customerId, limit, before),
    balance: (customerId: string) => balanceView(db, customerId, clock.now()),
    ledger: (customerId: string, limit: number, before?: number) => ledgerPage(db, customerId, limit, before),
    adjust: (customerId: string, input: { points: number; reason: string }, actor: Actor, key?: string) => adjustPoints(deps, customerId, input, actor, key),
    config: () => loadLoyaltyConfig(db),
    saveProgram: (body: ProgramSettings, actor: Actor) => db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'program', body)),
    saveRules: (body: EarningRuleSet, actor: Actor) => db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'earning_rules', body)),
    saveTiers: (body: TierConfig, actor: Actor) => db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'tiers', body)),
    stores: { upsert: (stores: StoreInput[], actor: Actor) => upsertStores(db, clock, actor, stores), list: () => listStores(db) },
    products: {
      upsert: (products: ProductInput[], actor: Actor) => upsertProducts(db, clock, actor, products),
      list: (limit: number, after?: string, q?: string) => listProducts(db, limit, after, q),
    },
    runJob: (name: JobName) => jobs[name](db, clock, ids),
    receiptNdjsonFormat: receiptNdjsonFormat({ db, clock, ids, phoneRegion: base.phoneRegion }),
  };
}

export type Loyalty = ReturnType<typeof createLoyalty>;
