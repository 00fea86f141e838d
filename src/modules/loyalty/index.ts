import { sql } from 'kysely';
import { ownTx, type Db, type Tx } from './loyalty.db.ts';
import type { Actor } from '../../platform/actor.ts';
import type { AnyDb, PlatformTx } from '../../platform/db-views.ts';
import type { PlatformTables } from '../../platform/platform.tables.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Ids } from './loyalty.ids.ts';
import type { CustomerLifecycleHooks } from '../customers/index.ts';
import { adjustPoints, balanceView, ledgerPage } from './account.ts';
import { getStore, listProducts, listStores, pageStores, patchStore, upsertProducts, upsertStores, type ProductInput, type StoreInput } from './catalog.ts';
import { calculateCheckout, confirmCheckout, type CheckoutInput, type ConfirmInput, type CustomerFinder, type LoyaltyDeps } from './checkout.ts';
import { createCheckoutCache } from './checkout-cache.ts';
import { readCustomerState } from './checkout-state.ts';
import { configProblems, rulesNamingSegment, saveLoyaltyConfig, type ConfigChange, type SegmentCheck } from './config-store.ts';
import type { EarningRuleSet, ProgramSettings, TierConfig } from './config-types.ts';
import { insertHistoricalReceipts, type HistoricalReceipt } from './historical-receipts.ts';
import { jobs, type JobName } from './jobs.ts';
import { eraseLedgerReasons, lockBalances, mergeLedgers } from './ledger.ts';
import { createCheckoutExtensions } from './pipeline.ts';
import { pointsPort } from './points-port.ts';
import { receiptStanding } from './receipt-standing.ts';
import { receiptNdjsonFormat } from './receipt-ndjson-format.ts';
import { cancelReceipt, refundReceipt, type RefundInput } from './refunds.ts';
import { tierIndexOf } from './tiers.ts';
import { customerReceipts, getReceipt } from './receipts.ts';
import { createReplayer, type ReplayerOptions, type ReplayScenario } from './what-if-replay.ts';
import { pointsAtStores, storeOfReceipt } from './store-points.ts';
import { foldOutstandingChanges, pointsLedgerFacts } from './points-economics.ts';
import { cohortGrid } from './rollup-cohort-cells.ts';
import type { CohortUnitName } from './rollup-cohorts.ts';
import { basketsRolledUntil, foldRollups, purchasesRolledUntil, readRollupState, rollupsForReport } from './rollups.ts';
import { closedCategoryTotals, closedSummaries, type PurchaseSummaries } from './purchase-summaries.ts';
import { loyaltySegmentFields } from './segment-fields.ts';

export type { JobName } from './jobs.ts';
export type { SegmentCheck } from './config-store.ts';
export type { HistoricalReceipt } from './historical-receipts.ts';
export type { EngineLine } from './calculate.ts';
export type { EarningRule, EarningRuleSet, ProgramSettings, TierConfig } from './config-types.ts';
export type { PointsAward, PointsMove, PointsPort } from './points-port.ts';
export type { ReceiptStanding, StandingReceipt } from './receipt-standing.ts';
export type { Adjuster, AdjusterOutcome, AdjusterReplay, Adjustment, AdjustmentReversal, CheckoutContext, CheckoutExtensions, MembershipProvider, PricedLine, Rejection } from './pipeline.ts';
export type { StoreRate, StoreRateProvider } from './pipeline.ts';
export type { StorePointsRow } from './store-points.ts';
export type { ReceiptFigures, ReplayCursor, ReplayedReceipt, Replayer, ReplayerOptions, ReplayScenario, ReplayWindow } from './what-if-replay.ts';
export type { Tier } from './config-types.ts';
export { purchaseFacts, type FactsWindow, type PurchaseFacts } from './purchase-facts.ts';
export type { PurchaseSummaries, SummarySpec, SummaryWindow } from './purchase-summaries.ts';
export { tillFacts, type TillFacts } from './till-facts.ts';
export { rollupFacts, type RollupFacts } from './rollup-facts.ts';
export type { FoldReport, RollupState } from './rollups.ts';
export type { PointsLedgerFacts, PointsEconomics, PointsFlows, ExpiryMonth, Breakage } from './points-economics.ts';
export type { Tender, TenderAsk, TenderOutcome, TenderPayment, TenderReturn, TenderReversal, TenderStore } from './tenders.ts';
export { loyaltyErrors } from './loyalty.errors.ts';
export { loyaltyModule } from './loyalty.module.ts';
export { loyaltyRoutes } from './loyalty.routes.ts';
/** The earning-rules and tiers documents' schemas, for routes that take a changed set (the what-if replay). */
export { EarningRuleSetSchema, TierConfigSchema } from './loyalty.schemas.ts';

/** The loyalty module's public face: checkout, receipts, the points ledger, rules and tiers. */
export function createLoyalty(
  base: { db: Db; clock: Clock; ids: Ids; customers: CustomerFinder; phoneRegion: string; cacheMaxAgeMs?: number },
  hooks: CustomerLifecycleHooks<Tx>,
) {
  const cache = createCheckoutCache({ maxAgeMs: base.cacheMaxAgeMs ?? 1000 });
  const extensions = createCheckoutExtensions();
  const deps: LoyaltyDeps = { db: base.db, clock: base.clock, ids: base.ids, customers: base.customers, cache, extensions };
  const { db, clock, ids } = deps;
  // The segments module's check of the segment ids earning rules name (buildApp sets it).
  const references: { segments: SegmentCheck | null } = { segments: null };
  // A change seen by this instance's next request: drop the cache once the change committed.
  const thenChanged = async <T>(change: Promise<T>): Promise<T> => {
    const result = await change;
    cache.changed();
    return result;
  };

  // A merge moves the duplicate's receipts, lots, ledger and balance to the survivor; the
  // ledger stays whole because entries move with their lots and balances add up.
  hooks.onMerge.push(async (tx, fromId, intoId) => {
    // Balance locks first: a confirm or adjustment that holds the duplicate's lock commits its
    // receipt before the moves below read, and one that waits for it finds the row merged.
    await lockBalances(tx, [fromId, intoId], clock.now());
    for (const table of ['receipts', 'receipt_lines', 'refunds', 'receipt_adjustments']) {
      await sql`update ${sql.table(table)} set customer_id = ${intoId} where customer_id = ${fromId}`.execute(tx);
    }
    // Idempotency keys are per customer: keep the duplicate's apart from the survivor's own.
    await sql`update adjustments set customer_id = ${intoId}, idempotency_key = idempotency_key || ' (merged from ' || customer_id || ')'
      where customer_id = ${fromId}`.execute(tx);
    await mergeLedgers(tx, fromId, intoId, clock.now());
    // The survivor keeps the higher of the two tiers until the next review.
    await tx.deleteFrom('customerTiers').where('customerId', '=', fromId).execute();
  });
  // Free text an operator typed about the customer goes with the rest of their personal data.
  hooks.onErase.push(async (tx, customerIds) => {
    await eraseLedgerReasons(tx, customerIds);
    await tx.updateTable('adjustments').set({ reason: '(erased)', response: '{}' }).where('customerId', 'in', customerIds).execute();
  });
  // The till view's points and tier (a pos or partner lookup): checkout's one-statement state, as of now.
  hooks.accountSummary = async (customerId) => {
    const config = await cache.config(db);
    const state = await readCustomerState(db, customerId, clock.now(), { warningDays: 0, tiers: null });
    const tiers = config.tiers.body.tiers;
    const tier = tiers[tierIndexOf(config.tiers.body, state.tierId)];
    return { balance: state.available, pendingPoints: state.pending, tier: tier ? { id: tier.id, name: tier.name } : null };
  };

  return {
    /** Where segments sets the check of the segment ids an earning rule names; none set, any id is taken. */
    references,
    /** The earning rules (current version) that name the segment, in the caller's transaction: segments asks before a delete. */
    rulesNamingSegment: (tx: PlatformTx, segmentId: string) => rulesNamingSegment(ownTx(tx), segmentId),
    /** Where promotions add adjusters and segments sets the membership provider (see pipeline.ts). */
    checkout: extensions,
    /** How other modules give and take points inside their own transactions (points-port.ts). */
    points: pointsPort(deps),
    /** Read-only facts of receipts for modules that reward a purchase once it stands (referrals; receipt-standing.ts). */
    receiptStanding: receiptStanding(db, cache),
    calculate: (input: CheckoutInput) => calculateCheckout(deps, input),
    confirm: (input: ConfirmInput, actor: Actor) => confirmCheckout(deps, input, actor),
    cancel: (storeId: string, posReceiptId: string, actor: Actor) => cancelReceipt(deps, storeId, posReceiptId, actor),
    refund: (receiptId: string, input: RefundInput, actor: Actor) => refundReceipt(deps, receiptId, input, actor),
    receipt: (id: string) => getReceipt(db, id),
    /** Read-only, for a partner's settlement and scope (store-points.ts): ledger points on receipts of these stores, by day and store. */
    pointsAtStores: (storeIds: readonly string[], from: Date, to: Date) => pointsAtStores(db, storeIds, from, to),
    /** The store of a receipt (null: no such receipt), so a refund route can check a partner key's scope. */
    storeOfReceipt: (receiptId: string) => storeOfReceipt(db, receiptId),
    customerReceipts: (customerId: string, limit: number, cursor?: string) => customerReceipts(db, customerId, limit, cursor),
    balance: async (customerId: string) => balanceView(db, customerId, clock.now(), await cache.config(db)),
    ledger: (customerId: string, limit: number, cursor?: string) => ledgerPage(db, customerId, limit, cursor),
    adjust: (customerId: string, input: { points: number; reason: string }, actor: Actor, key?: string) => adjustPoints(deps, customerId, input, actor, key),
    config: () => cache.config(db),
    /** Saves program settings, the earning rules or the tiers: a whole body or a change of the current one (config-items.ts). */
    saveProgram: (change: ConfigChange<ProgramSettings>, actor: Actor, expectedVersion?: number) =>
      thenChanged(db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'program', change, expectedVersion))),
    saveRules: (change: ConfigChange<EarningRuleSet>, actor: Actor, expectedVersion?: number) =>
      thenChanged(db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'earning_rules', change, expectedVersion, references.segments))),
    saveTiers: (change: ConfigChange<TierConfig>, actor: Actor, expectedVersion?: number) =>
      thenChanged(db.transaction().execute((tx) => saveLoyaltyConfig(tx, clock, actor, 'tiers', change, expectedVersion))),
    stores: {
      upsert: (stores: StoreInput[], actor: Actor) => thenChanged(upsertStores(db, clock, actor, stores)),
      patch: (id: string, patch: Record<string, unknown>, actor: Actor) => thenChanged(patchStore(db, clock, actor, id, patch)),
      /** Every store, for code; the route pages. */
      list: () => listStores(db),
      page: (limit: number, cursor?: string) => pageStores(db, limit, cursor),
      get: (id: string) => getStore(db, id),
    },
    products: {
      upsert: (products: ProductInput[], actor: Actor) => thenChanged(upsertProducts(db, clock, actor, products)),
      list: (limit: number, cursor?: string, q?: string) => listProducts(db, limit, cursor, q),
      /** Names by SKU, for answers that show products (recommendations); SKUs not in the catalog are absent. */
      async names(skus: string[]): Promise<Map<string, string>> {
        if (skus.length === 0) return new Map();
        const rows = await db.selectFrom('products').select(['sku', 'name']).where('sku', 'in', skus).execute();
        return new Map(rows.map((row) => [row.sku, row.name]));
      },
      /** Name, category path and brand by SKU, for lines made outside a till (fiscal receipts); SKUs not in the catalog are absent. */
      async details(skus: string[]): Promise<Map<string, { name: string; categoryPath: string[]; brand: string | null }>> {
        if (skus.length === 0) return new Map();
        const rows = await db.selectFrom('products').select(['sku', 'name', 'categoryPath', 'brand']).where('sku', 'in', skus).execute();
        return new Map(rows.map((row) => [row.sku, { name: row.name, categoryPath: row.categoryPath, brand: row.brand }]));
      },
    },
    /** Loads receipts from before Patron (or an offline till) in one transaction; see historical-receipts.ts. */
    importHistorical: async (receipts: HistoricalReceipt[], options: { earn: boolean; pendingFrom?: 'load' | 'purchase' }) => {
      const config = await cache.config(db);
      const stores = new Map((await listStores(db)).map((s) => [s.id, s.timezone]));
      return db.transaction().execute((tx) => insertHistoricalReceipts(tx, clock, ids, config, stores, receipts, options.earn, options.pendingFrom));
    },
    /**
     * `importHistorical` inside the caller's transaction (a fiscal receipt's status and its points
     * commit together); the caller takes the customers' balance locks first (points.lock).
     */
    importHistoricalIn: async (tx: PlatformTx, receipts: HistoricalReceipt[], options: { earn: boolean }) => {
      const own = ownTx(tx);
      const config = await cache.config(own);
      const stores = new Map((await listStores(own)).map((s) => [s.id, s.timezone]));
      return insertHistoricalReceipts(own, clock, ids, config, stores, receipts, options.earn);
    },
    /** Read-only ledger figures for the bonus system's economics (points-economics.ts). */
    pointsLedger: pointsLedgerFacts(db, async () => (await cache.config(db)).program.body),
    /** The what-if replay (what-if-replay.ts): stored receipts through the pipeline under a changed configuration, writing nothing. */
    whatIf: {
      /** The live program, rules and tiers as a replay scenario (adjusters' live sets are theirs to give). */
      async live(): Promise<ReplayScenario> {
        const config = await cache.config(db);
        return { program: config.program.body, rules: config.rules.body, tiers: config.tiers.body, adjusters: {} };
      },
      /** What a PUT of these earning rules or tiers would refuse, field by field (segment references included); nothing is saved. */
      problems: (kind: 'earning_rules' | 'tiers', body: EarningRuleSet | TierConfig) => configProblems(db, kind, body, references.segments),
      replayer: (scenarios: { baseline: ReplayScenario; whatIf: ReplayScenario }, options?: ReplayerOptions) => createReplayer(db, extensions, scenarios, options),
    },
    /**
     * The hourly rollups of receipts and the ledger (rollups.ts): `fold` is the live job that keeps
     * them (and backfills history a day a step), `forReport` what a report may read them up to.
     */
    rollups: {
      fold: async (signal?: AbortSignal, budgetMs?: number) => {
        // The kept outstanding points by expiry month (points-economics.ts) fold with the rollups: a minute's changes at most.
        const outstandingChanges = await foldOutstandingChanges(db);
        return { ...(await foldRollups(db, clock, { ...(signal ? { signal } : {}), ...(budgetMs === undefined ? {} : { budgetMs }) })), outstandingChanges };
      },
      forReport: () => rollupsForReport(db, clock),
      /** The kept cohort grid of a unit and zone (null: not kept yet, and now asked for). */
      cohortGrid: (unit: CohortUnitName, timezone: string) => cohortGrid(db, unit, timezone),
      state: () => readRollupState(db),
    },
    /** Each customer's window of closed purchases from the folded baskets (clustering; purchase-summaries.ts). */
    purchaseSummaries: { rolledUntil: () => basketsRolledUntil(db, clock), closed: closedSummaries, categoryTotals: closedCategoryTotals } satisfies PurchaseSummaries,
    /** Loyalty's segment fields; the purchase ones read the rollups once they are ready. */
    segmentFields: () => loyaltySegmentFields(() => purchasesRolledUntil(db, clock)),
    runJob: async (name: JobName, signal?: AbortSignal) => (await jobs[name](db, clock, ids, signal)) as Record<string, number>,
    receiptNdjsonFormat: receiptNdjsonFormat({ db, clock, ids, phoneRegion: base.phoneRegion }),
  };
}

export type Loyalty = ReturnType<typeof createLoyalty>;

/**
 * Net spend per customer in [from, to) as Patron recorded it by `to` (lotteries count entries by
 * it): receipts bought and recorded (`created_at`) in the period, their paid amounts minus the
 * refunds recorded before `to`. Nothing recorded from `to` on changes the figure — not a till
 * confirming a back-dated receipt late, not a later refund or cancel — so a lottery's entries
 * cannot be steered once its period closed. A cancel is a receipt's last refund (none is taken
 * after it): cancelled before `to`, the receipt counts nothing. The purchase time must be in the
 * period too, so an import of old receipts during it adds nothing. With the tier each customer
 * holds now. One set-based query; customers with nothing left to count are left out. Read-only,
 * in the caller's view and transaction.
 */
export async function netSpendByCustomer<V extends PlatformTables>(
  db: AnyDb<V>,
  period: { from: Date; to: Date },
): Promise<Array<{ customerId: string; netMinor: number; tierId: string | null }>> {
  const result = await sql<{ customerId: string; netMinor: string | number; tierId: string | null }>`
    with counted as (
      select r.customer_id,
        case when r.status = 'cancelled' and f.last_at < ${period.to}::timestamptz then 0
          else r.paid_minor - coalesce(f.refunded_minor, 0) end as net_minor
      from receipts r
      left join lateral (
        select sum((x.response->>'amount')::bigint) filter (where x.created_at < ${period.to}::timestamptz) as refunded_minor,
          max(x.created_at) as last_at
        from refunds x where x.receipt_id = r.id
      ) f on true
      where r.customer_id is not null
        and r.occurred_at >= ${period.from}::timestamptz and r.occurred_at < ${period.to}::timestamptz
        and r.created_at >= ${period.from}::timestamptz and r.created_at < ${period.to}::timestamptz
    )
    select c.customer_id, sum(c.net_minor)::bigint as net_minor, min(t.tier_id) as tier_id
    from counted c left join customer_tiers t on t.customer_id = c.customer_id
    group by c.customer_id
    having sum(c.net_minor) > 0`.execute(db);
  return result.rows.map((row) => ({ customerId: row.customerId, netMinor: Number(row.netMinor), tierId: row.tierId }));
}
