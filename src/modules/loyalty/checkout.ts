import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from './loyalty.db.ts';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { Ids } from './loyalty.ids.ts';
import { toQtyMilli } from '../../platform/money.ts';
import { loyaltyEvents } from './loyalty.events.ts';
import { parseInstant } from '../../platform/text.ts';
import { customerErrors, type IdentifiedCustomer } from '../customers/index.ts';
import type { EngineLine } from './calculate.ts';
import type { CheckoutCache, ProductFacts } from './checkout-cache.ts';
import { readCustomerState, type CustomerState } from './checkout-state.ts';
import type { LoyaltyConfig } from './config-store.ts';
import { addLot, expiryFor, lockBalance, MergedMeanwhile, settleDue, spend, type Balance } from './ledger.ts';
import { loyaltyError, OCCURRED_AT_SKEW_MINUTES, OCCURRED_IN_FUTURE_REASON } from './loyalty.errors.ts';
import { earningAtStore, prepareAdjusters, runPipeline, segmentsOf, type CheckoutContext, type CheckoutExtensions, type PipelineResult } from './pipeline.ts';
import { tierIndexOf, upgradeAtConfirm, windowStart } from './tiers.ts';
import { commitTenders, priceTenders, tenderAnswer, type TenderAsk, type TenderOutcome, type TenderResult } from './tenders.ts';
import { AppError } from '../../platform/errors.ts';

export type CustomerRef = { phone?: string; card?: string; email?: string; customerId?: string; externalId?: string };
export type CheckoutLineInput = { sku: string; name?: string; category?: string; brand?: string; qty: number; price: number; discount?: number };
export type CheckoutInput = {
  storeId: string;
  customer?: CustomerRef;
  lines: CheckoutLineInput[];
  redeemPoints?: number;
  channel?: 'offline' | 'online';
  occurredAt?: string;
  promoCodes?: string[];
  /** Gift cards paying part of the receipt, in order: each pays `amount` of what is left after discounts and points (tenders.ts). */
  giftCards?: TenderAsk[];
  /** Accepted so a till can send calculate the body it will confirm; calculate ignores them. */
  posReceiptId?: string;
  registerId?: string;
};
export type ConfirmInput = CheckoutInput & { posReceiptId: string };

/** One promotion the pipeline considered: applied with its discount, or not, with the reason code. */
export type PromotionOutcome = { id: string; name: string | null; code: string | null; applied: boolean; discount: number; points: number; reason: string | null; detail: string | null };

export type CheckoutResult = Omit<PipelineResult, 'shortfall'> & {
  currency: string;
  /** The adjusters' outcomes, one per promotion (or unknown code), as the till shows them. */
  promotions: PromotionOutcome[];
  /** calculate: the balance before this receipt; confirm: after it. */
  customer?: { id: string; balance: number; pendingPoints: number; tier: { id: string; name: string } };
  rulesVersion: number;
  /** When gift cards were asked: each card's outcome, and the money left to pay by other means. */
  giftCards?: TenderOutcome[];
  leftToPay?: number;
};
export type ConfirmResult = CheckoutResult & { receiptId: string; storeId: string; posReceiptId: string; occurredAt: string };

/** Who a till names: the customers module's one-statement identification. */
export type CustomerFinder = { identify(ref: CustomerRef): Promise<IdentifiedCustomer> };

export type LoyaltyDeps = { db: Db; clock: Clock; ids: Ids; customers: CustomerFinder; cache: CheckoutCache; extensions: CheckoutExtensions };

async function identify(customers: CustomerFinder, ref: CustomerRef | undefined): Promise<IdentifiedCustomer | null> {
  if (!ref || Object.keys(ref).length === 0) return null;
  const customer = await customers.identify(ref);
  if (customer.status !== 'active') throw customerErrors.error('customer.erased', 'The customer was erased and cannot take part in the program');
  return customer;
}

function categoriesOf(category: string | undefined, catalog: string[] | undefined): string[] {
  if (category !== undefined) return category.split(/\s*[/>]\s*/).filter((part) => part !== '');
  return catalog ?? [];
}

/** Receipt lines as the engine takes them: quantities in thousandths, the catalog filling gaps. */
function engineLines(lines: CheckoutLineInput[], catalog: Map<string, ProductFacts>): EngineLine[] {
  const problems: FieldProblem[] = [];
  const result = lines.map((line, index) => {
    const qtyMilli = toQtyMilli(line.qty);
    if (qtyMilli === null) problems.push({ field: `lines.${index}.qty`, reason: 'must be positive with at most three decimals' });
    const product = catalog.get(line.sku);
    return {
      sku: line.sku,
      name: line.name ?? product?.name ?? null,
      categories: categoriesOf(line.category, product?.categoryPath),
      brand: line.brand ?? product?.brand ?? null,
      qtyMilli: qtyMilli ?? 1,
      priceMinor: line.price,
      discountMinor: line.discount ?? 0,
    };
  });
  result.forEach((line, index) => {
    if (line.discountMinor > Math.round((line.qtyMilli * line.priceMinor) / 1000)) {
      problems.push({ field: `lines.${index}.discount`, reason: 'is larger than the line total' });
    }
  });
  if (problems.length > 0) throw loyaltyError('checkout.invalid_line', problems.map((p) => `${p.field} ${p.reason}`).join('; '), problems);
  return result;
}

type Prepared = { config: LoyaltyConfig; store: { id: string; timezone: string }; lines: EngineLine[]; occurredAt: Date };

/** Config, store and catalog from the in-process cache; no round trip when they are warm. */
async function prepare(deps: LoyaltyDeps, db: DbOrTx, input: CheckoutInput): Promise<Prepared> {
  const { cache, clock } = deps;
  const skus = [...new Set(input.lines.filter((l) => l.category === undefined || l.brand === undefined || l.name === undefined).map((l) => l.sku))];
  const [config, store, catalog] = await Promise.all([cache.config(db), cache.store(db, input.storeId), skus.length ? cache.products(db, skus) : new Map<string, ProductFacts>()]);
  if (!store) throw loyaltyError('checkout.unknown_store', `No store ${input.storeId}; create it with PUT /v1/stores/{id}`);
  if (!store.active) throw loyaltyError('checkout.store_inactive', `Store ${input.storeId} is closed (active: false)`);
  const lines = engineLines(input.lines, catalog);
  const now = clock.now();
  const occurredAt = input.occurredAt ? parseInstant(input.occurredAt) : now;
  if (!occurredAt) {
    throw loyaltyError('checkout.invalid_line', 'occurredAt must be a real time between 1900 and 9999', [{ field: 'occurredAt', reason: 'is not a real time' }]);
  }
  if (occurredAt.getTime() > now.getTime() + OCCURRED_AT_SKEW_MINUTES * 60_000) {
    throw loyaltyError('checkout.occurred_in_future', `occurredAt ${input.occurredAt} ${OCCURRED_IN_FUTURE_REASON} (now ${now.toISOString()})`, [
      { field: 'occurredAt', reason: OCCURRED_IN_FUTURE_REASON },
    ]);
  }
  return { config, store: { id: store.id, timezone: store.timezone }, lines, occurredAt };
}

async function context(deps: LoyaltyDeps, db: DbOrTx, prepared: Prepared, input: CheckoutInput, customer: IdentifiedCustomer | null, state: CustomerState | null): Promise<CheckoutContext> {
  const tiers = prepared.config.tiers.body;
  // A partner's store earns at the partner's rate (earningAtStore); the program's own stores, as configured.
  const rate = deps.extensions.storeRates ? await deps.extensions.storeRates.rateAt(db, prepared.store.id) : null;
  const earning = earningAtStore(prepared.config.rules.body.rules, customer && state ? tiers.tiers[tierIndexOf(tiers, state.tierId)]! : null, prepared.store.id, rate);
  const base: CheckoutContext = {
    store: prepared.store,
    channel: input.channel ?? 'offline',
    occurredAt: prepared.occurredAt,
    customer:
      customer && state
        ? { id: customer.id, birthDate: customer.birthDate, timezone: customer.timezone, balance: state.available, pending: state.pending, expiringSoon: state.expiringSoon, hasReceipts: state.hasReceipts }
        : null,
    tier: earning.tier,
    segments: await segmentsOf(deps.extensions, db, customer?.id ?? null),
    lines: prepared.lines,
    redeemRequested: input.redeemPoints ?? 0,
    promoCodes: input.promoCodes ?? [],
    program: prepared.config.program.body,
    rules: earning.rules,
    extensions: {},
  };
  return deps.extensions.adjusters.length > 0 ? prepareAdjusters(deps.extensions, db, base) : base;
}

function answer(result: PipelineResult, prepared: Prepared, ctx: CheckoutContext, balance: { available: number; pending: number } | null): CheckoutResult {
  const { shortfall: _shortfall, ...rest } = result;
  return {
    ...rest,
    currency: prepared.config.program.body.currency,
    promotions: [
      ...result.adjustments.applied.map((a) => ({
        id: a.id,
        name: a.name,
        code: (a.data?.code as string | undefined) ?? null,
        applied: true,
        discount: a.discountMinor,
        points: a.points?.total ?? 0,
        reason: null,
        detail: null,
      })),
      ...result.adjustments.rejected.map((r) => ({ id: r.id, name: null, code: r.code ?? null, applied: false, discount: 0, points: 0, reason: r.reason, detail: r.detail })),
    ],
    ...(ctx.customer && ctx.tier && balance
      ? { customer: { id: ctx.customer.id, balance: balance.available, pendingPoints: balance.pending, tier: { id: ctx.tier.id, name: ctx.tier.name } } }
      : {}),
    rulesVersion: prepared.config.rules.version,
  };
}

function refuseShortfall(result: PipelineResult): void {
  if (result.shortfall) {
    const { asked, balance } = result.shortfall;
    throw loyaltyError('checkout.insufficient_points', `The balance is ${balance} points; ${asked} were asked. Ask at most ${result.maxRedeemable} (maxRedeemable).`);
  }
}

/**
 * Phase one: what the receipt would earn and may redeem. Writes nothing. Reads the customer in
 * two statements (who, then points and tier); config, stores and products come from the cache.
 */
export async function calculateCheckout(deps: LoyaltyDeps, input: CheckoutInput): Promise<CheckoutResult> {
  const { db, clock } = deps;
  const customer = await identify(deps.customers, input.customer);
  if (!customer && (input.redeemPoints ?? 0) > 0) throw loyaltyError('checkout.redemption_needs_customer', 'Identify the customer to redeem points');
  const prepared = await prepare(deps, db, input);
  const state = customer
    ? await readCustomerState(db, customer.id, clock.now(), { warningDays: prepared.config.program.body.cashierExpiryWarningDays, tiers: null })
    : null;
  const ctx = await context(deps, db, prepared, input, customer, state);
  const result = runPipeline(ctx, deps.extensions.adjusters);
  refuseShortfall(result);
  const base = answer(result, prepared, ctx, state);
  if (!input.giftCards?.length) return base;
  // Gift cards pay what is left after discounts and points (tenders.ts).
  const tendered = await priceTenders(deps.extensions, db, ctx, input.giftCards, result.payable);
  return { ...base, giftCards: tenderAnswer(tendered.payments), leftToPay: tendered.leftToPay };
}

export type ConfirmOutcome = { result: ConfirmResult; replayed: boolean };

/** A hash of each top-level field of a confirm body: a conflicting replay can then name what differs. */
function requestFieldHashes(input: ConfirmInput): Record<string, string> {
  return Object.fromEntries(
    Object.entries(input)
      .filter(([, value]) => value !== undefined)
      .map(([field, value]) => [field, requestHash(value).slice(0, 32)]),
  );
}

function differingFields(stored: Record<string, string>, sent: Record<string, string>): string[] {
  const fields = [...new Set([...Object.keys(stored), ...Object.keys(sent)])].sort();
  return fields.filter((field) => stored[field] !== sent[field]);
}

async function replay(db: DbOrTx, storeId: string, posReceiptId: string, hash: string, fields: Record<string, string>): Promise<ConfirmOutcome | null> {
  const existing = await sql<{ requestHash: string; requestFields: Record<string, string> | null; response: ConfirmResult }>`/*ps:receipt_replay*/
    select request_hash, request_fields, response from receipts where store_id = ${storeId}::text and pos_receipt_id = ${posReceiptId}::text`.execute(db);
  const row = existing.rows[0];
  if (!row) return null;
  if (row.requestHash !== hash) {
    // Receipts stored before the per-field hashes (migration 0008) can only say "a different body".
    const differing = row.requestFields ? differingFields(row.requestFields, fields) : [];
    const what = differing.length > 0 ? `different ${differing.join(', ')}` : 'a different body';
    throw loyaltyError(
      'checkout.receipt_conflict',
      `posReceiptId ${posReceiptId} of store ${storeId} was confirmed with ${what}; send the same body to replay it, or use a new posReceiptId for a new receipt`,
      differing.map((field) => ({ field, reason: 'differs from the body this posReceiptId was first confirmed with' })),
    );
  }
  return { result: row.response, replayed: true };
}

/** Thrown inside the confirm transaction to roll it back when the POS receipt id turns out taken. */
class ReceiptTaken extends Error {}

/**
 * Stores the receipt, its lines and its receipt.confirmed event in one statement. The unique (store, POS receipt id) is the
 * claim: when another confirm holds it, nothing is stored and ReceiptTaken rolls back the
 * points this transaction wrote before it.
 */
async function storeReceipt(
  tx: Tx,
  deps: Pick<LoyaltyDeps, 'clock' | 'ids'>,
  row: { id: string; customerId: string | null; input: ConfirmInput; prepared: Prepared; result: PipelineResult; hash: string; fields: Record<string, string>; response: ConfirmResult; now: Date },
): Promise<void> {
  const { id, input, prepared, result } = row;
  const event = loyaltyEvents.insert(deps.clock, deps.ids, [
    {
      type: 'receipt.confirmed',
      customerId: row.customerId,
      payload: { receiptId: id, storeId: input.storeId, customerId: row.customerId, total: result.total, pointsEarned: result.pointsToEarn, pointsRedeemed: result.pointsRedeemed },
    },
  ]);
  const lines = prepared.lines;
  const stored = await sql<{ id: string }>`/*ps:receipt_store*/
    with receipt as (
      insert into receipts (id, store_id, pos_receipt_id, register_id, channel, source, customer_id, status, occurred_at, created_at, currency,
        total_minor, discount_minor, points_redeemed, redeemed_minor, paid_minor, points_earned, request_hash, request_fields, response)
      values (${id}::text, ${input.storeId}::text, ${input.posReceiptId}::text, ${input.registerId ?? null}::text, ${input.channel ?? 'offline'}::text, 'checkout',
        ${row.customerId}::text, 'confirmed', ${prepared.occurredAt}::timestamptz, ${row.now}::timestamptz, ${prepared.config.program.body.currency}::text,
        ${result.total}::bigint, ${result.discount}::bigint, ${result.pointsRedeemed}::int, ${result.redeemedMinor}::bigint, ${result.payable}::bigint,
        ${result.pointsToEarn}::int, ${row.hash}::text, ${JSON.stringify(row.fields)}::jsonb, ${JSON.stringify(row.response)}::jsonb)
      on conflict do nothing
      returning id
    ), lines as (
      insert into receipt_lines (receipt_id, line_no, customer_id, sku, name, category, brand, qty_milli, price_minor,
        total_minor, discount_minor, points_earned, points_redeemed, redeemed_minor)
      select receipt.id, n, ${row.customerId}::text, sku, name, category, brand, qty, price, total, discount, earned, redeemed, redeemed_minor
      from receipt, unnest(${lines.map((_, i) => i + 1)}::int[], ${lines.map((l) => l.sku)}::text[], ${lines.map((l) => l.name)}::text[],
        ${lines.map((l) => (l.categories.length ? l.categories.join('/') : null))}::text[], ${lines.map((l) => l.brand)}::text[],
        ${lines.map((l) => l.qtyMilli)}::bigint[], ${lines.map((l) => l.priceMinor)}::bigint[], ${result.lines.map((l) => l.total)}::bigint[],
        ${result.lines.map((l) => l.discount)}::bigint[], ${result.lines.map((l) => l.pointsEarned)}::int[], ${result.lines.map((l) => l.pointsRedeemed)}::int[],
        ${result.lines.map((l) => l.redeemedMinor)}::bigint[])
        as t(n, sku, name, category, brand, qty, price, total, discount, earned, redeemed, redeemed_minor)
    ), event as (${event})
    select id from receipt`.execute(tx);
  if (stored.rows.length === 0) throw new ReceiptTaken();
}

async function storeAdjustments(tx: Tx, receiptId: string, customerId: string | null, result: PipelineResult): Promise<void> {
  const applied = result.adjustments.applied;
  if (applied.length === 0) return;
  await tx
    .insertInto('receiptAdjustments')
    .values(
      applied.map((a, seq) => ({
        receiptId,
        seq,
        customerId,
        adjuster: a.adjuster,
        adjustmentId: a.id,
        name: a.name,
        discountMinor: a.discountMinor,
        lines: JSON.stringify(a.lines),
        // A points benefit's points, line by line, go with its data: a return releases their share.
        data: JSON.stringify(a.points ? { ...a.data, points: a.points } : (a.data ?? {})),
      })),
    )
    .execute();
}

/**
 * Phase two: commits the receipt and its points in one transaction, idempotent on (store, POS
 * receipt id). The pipeline is rerun under the customer's balance lock, so it reflects the
 * balance and rules at this moment; the redemption rule is the one calculate applies (an ask
 * above the cap is cut to it; above the balance, refused with checkout.insufficient_points).
 * Round trips for an identified customer earning points: identify (two router reads), BEGIN,
 * lock, read, the lot, the receipt with its lines and event, COMMIT; settling due lots, a
 * redemption and a tier upgrade add one each. The lock and the read cannot share a statement:
 * a statement that waits for the lock still reads from the snapshot it started with.
 */
export async function confirmCheckout(deps: LoyaltyDeps, input: ConfirmInput, actor: Actor): Promise<ConfirmOutcome> {
  const { db, clock, ids } = deps;
  const hash = requestHash(input);
  const fields = requestFieldHashes(input);
  let identified = await identify(deps.customers, input.customer);
  if (!identified && (input.redeemPoints ?? 0) > 0) throw loyaltyError('checkout.redemption_needs_customer', 'Identify the customer to redeem points');
  const prepared = await prepare(deps, db, input);
  const settings = prepared.config.program.body;
  const tiers = prepared.config.tiers.body;

  const commit = (customer: IdentifiedCustomer | null) =>
    db.transaction().execute(async (tx): Promise<ConfirmOutcome | null> => {
      const now = clock.now();
      let balance: Balance | null = null;
      let state: CustomerState | null = null;
      if (customer) {
        const locked = await lockBalance(tx, customer.id, now);
        if (locked.mergedInto) throw new MergedMeanwhile(locked.mergedInto);
        balance = locked;
        // Read after the lock: this statement sees every change that committed before it.
        state = await readCustomerState(tx, customer.id, now, { warningDays: settings.cashierExpiryWarningDays, tiers });
        if (state.settle) {
          const [settled] = await settleDue(tx, [customer.id], now);
          if (settled) balance = { customerId: customer.id, available: settled.available, pending: settled.pending };
        }
      }
      const ctx = await context(deps, tx, prepared, input, customer, state);
      const result = runPipeline(ctx, deps.extensions.adjusters);
      if (result.shortfall) {
        // A replay of a receipt that spent the points must answer as the first time did.
        const earlier = await replay(tx, input.storeId, input.posReceiptId, hash, fields);
        if (earlier) return earlier;
        refuseShortfall(result);
      }

      const receiptId = ids.next('rcp');
      const meta = { receiptId, actor: actor.keyId };
      // Gift cards are debited first, so a card that cannot pay refuses the receipt before anything else is written.
      let tendered: TenderResult | null = null;
      if (input.giftCards?.length) {
        try {
          const priced = await priceTenders(deps.extensions, tx, ctx, input.giftCards, result.payable);
          tendered = await commitTenders(deps.extensions, tx, { ...ctx, receiptId, actor: actor.keyId }, priced);
        } catch (error) {
          // A replay of a receipt that spent the cards must answer as the first time did.
          if (!(error instanceof AppError)) throw error;
          const earlier = await replay(tx, input.storeId, input.posReceiptId, hash, fields);
          if (earlier) return earlier;
          throw error;
        }
      }
      if (customer && balance && result.pointsRedeemed > 0) {
        balance = await spend(tx, customer.id, result.pointsRedeemed, 'redeem', meta, now);
      }
      if (customer && balance && result.pointsToEarn > 0) {
        const activatesAt = new Date(prepared.occurredAt.getTime() + settings.pendingDays * 86_400_000);
        const expiresAt = expiryFor(settings.expiry, prepared.occurredAt);
        balance = await addLot(
          tx,
          ids,
          { customerId: customer.id, source: 'receipt', receiptId, points: result.pointsToEarn, earnedAt: prepared.occurredAt, activatesAt, expiresAt },
          'earn',
          meta,
          now,
        );
        // A receipt dated far back may earn points whose expiry has already come.
        if (expiresAt && expiresAt.getTime() <= now.getTime()) {
          const [settled] = await settleDue(tx, [customer.id], now);
          if (settled) balance = { customerId: customer.id, available: settled.available, pending: settled.pending };
        }
      }
      const response: ConfirmResult = {
        receiptId,
        storeId: input.storeId,
        posReceiptId: input.posReceiptId,
        occurredAt: prepared.occurredAt.toISOString(),
        ...answer(result, prepared, ctx, balance),
        ...(tendered ? { giftCards: tenderAnswer(tendered.payments), leftToPay: tendered.leftToPay } : {}),
      };
      await storeReceipt(tx, deps, { id: receiptId, customerId: customer?.id ?? null, input, prepared, result, hash, fields, response, now });
      await storeAdjustments(tx, receiptId, customer?.id ?? null, result);
      // The upgrade counts this receipt but applies from the next one: this answer keeps the old tier.
      if (customer && state && state.qualifying !== null) {
        // Spend counts by the purchase's time (a back-dated receipt may fall before the window); points by now.
        const counted = tiers.metric === 'spend' ? (prepared.occurredAt >= windowStart(tiers, now) ? result.payable : 0) : result.pointsToEarn;
        await upgradeAtConfirm(tx, clock, ids, customer.id, tiers, tierIndexOf(tiers, state.tierId), state.qualifying + counted);
      }
      if (actor.role !== 'pos') {
        await writeAudit(tx, clock, actor, { action: 'receipt.confirm', entityType: 'receipt', entityId: receiptId });
      }
      // Last, just before COMMIT: a budgeted promotion's row is one every till reserves from, so
      // its lock is held for as short a time as the transaction allows.
      for (const adjuster of deps.extensions.adjusters) {
        const applied = result.adjustments.applied.filter((a) => a.adjuster === adjuster.name);
        if (applied.length > 0) await adjuster.commit(tx, { ...ctx, receiptId }, applied);
      }
      return { result: response, replayed: false };
    });

  let outcome: ConfirmOutcome | null = null;
  for (let hop = 0; ; hop++) {
    try {
      outcome = await commit(identified);
      break;
    } catch (error) {
      // Merged between identify and the lock: the receipt and its points go to the survivor.
      if (error instanceof MergedMeanwhile && hop < 2) {
        identified = await identify(deps.customers, { customerId: error.survivorId });
        continue;
      }
      if (!(error instanceof ReceiptTaken)) throw error;
      break;
    }
  }
  if (outcome) return outcome;
  // The POS receipt id was taken (a replay, or a concurrent confirm of it): answer as a replay.
  const winner = await replay(db, input.storeId, input.posReceiptId, hash, fields);
  if (!winner) throw new Error('receipt claimed by a transaction that then rolled back; retry');
  return winner;
}
