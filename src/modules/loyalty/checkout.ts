import { sql } from 'kysely';
import type { Db, DbOrTx } from '../../db/database.ts';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import { requestHash } from '../../platform/canonical-json.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { Ids } from '../../platform/ids.ts';
import { toQtyMilli } from '../../platform/money.ts';
import { emitEvents } from '../../platform/outbox.ts';
import { parseInstant } from '../../platform/text.ts';
import { customerErrors, type CustomerRecord } from '../customers/index.ts';
import { calculateReceipt, type EngineLine, type EngineResult } from './calculate.ts';
import { loadLoyaltyConfig, type LoyaltyConfig } from './config-store.ts';
import { addLot, balanceAsOf, expiryFor, lockBalance, settleDue, spend } from './ledger.ts';
import { loyaltyError } from './loyalty.errors.ts';
import { currentTier, upgradeIfQualified } from './tiers.ts';

export type CustomerRef = { phone?: string; card?: string; email?: string; customerId?: string; externalId?: string };
export type CheckoutLineInput = { sku: string; name?: string; category?: string; brand?: string; qty: number; price: number; discount?: number };
export type CheckoutInput = {
  storeId: string;
  customer?: CustomerRef;
  lines: CheckoutLineInput[];
  redeemPoints?: number;
  channel?: 'offline' | 'online';
  occurredAt?: string;
};
export type ConfirmInput = CheckoutInput & { posReceiptId: string; registerId?: string };

export type CheckoutResult = Omit<EngineResult, 'lines'> & {
  lines: Array<EngineResult['lines'][number]>;
  currency: string;
  customer?: { id: string; balance: number; pending: number; tier: { id: string; name: string } };
  rulesVersion: number;
};
export type ConfirmResult = CheckoutResult & { receiptId: string; storeId: string; posReceiptId: string; occurredAt: string };

export type CustomerFinder = {
  lookup(query: { phone?: string; email?: string; card?: string; externalId?: string }, masked: boolean): Promise<CustomerRecord>;
  get(id: string, masked: boolean): Promise<CustomerRecord>;
};

export type LoyaltyDeps = { db: Db; clock: Clock; ids: Ids; customers: CustomerFinder };

async function findCustomer(customers: CustomerFinder, ref: CustomerRef | undefined): Promise<CustomerRecord | null> {
  if (!ref || Object.keys(ref).length === 0) return null;
  const { customerId, ...identifiers } = ref;
  const record = customerId && Object.keys(identifiers).length === 0 ? await customers.get(customerId, false) : await customers.lookup(identifiers, false);
  if (record.status !== 'active') throw customerErrors.error('customer.erased', 'The customer was erased and cannot take part in the program');
  return record;
}

function categoriesOf(category: string | undefined, catalog: string[] | undefined): string[] {
  if (category !== undefined) return category.split(/\s*[/>]\s*/).filter((part) => part !== '');
  return catalog ?? [];
}

async function engineLines(db: DbOrTx, lines: CheckoutLineInput[]): Promise<EngineLine[]> {
  const skus = [...new Set(lines.filter((l) => l.category === undefined || l.brand === undefined || l.name === undefined).map((l) => l.sku))];
  const catalog = skus.length
    ? new Map((await db.selectFrom('products').select(['sku', 'name', 'categoryPath', 'brand']).where('sku', 'in', skus).execute()).map((p) => [p.sku, p]))
    : new Map();
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

async function expiringSoon(db: DbOrTx, customerId: string, now: Date, days: number): Promise<{ points: number; at: string } | null> {
  if (days <= 0) return null;
  const row = await sql<{ points: number; at: Date }>`
    select sum(remaining)::int as points, min(expires_at) as at from point_lots
    where customer_id = ${customerId} and (activated_at is not null or activates_at <= ${now}) and expired_at is null and remaining > 0
      and expires_at > ${now} and expires_at <= ${new Date(now.getTime() + days * 86_400_000)}`.execute(db);
  const first = row.rows[0];
  return first && first.points ? { points: Number(first.points), at: first.at.toISOString() } : null;
}

type Prepared = {
  config: LoyaltyConfig;
  store: { id: string; timezone: string };
  lines: EngineLine[];
  occurredAt: Date;
};

async function prepare(db: DbOrTx, clock: Clock, input: CheckoutInput): Promise<Prepared> {
  const [config, store, lines] = await Promise.all([
    loadLoyaltyConfig(db),
    db.selectFrom('stores').select(['id', 'timezone', 'active']).where('id', '=', input.storeId).executeTakeFirst(),
    engineLines(db, input.lines),
  ]);
  if (!store) throw loyaltyError('checkout.unknown_store', `No store ${input.storeId}; create it with PUT /v1/stores/{id}`);
  if (!store.active) throw loyaltyError('checkout.store_inactive', `Store ${input.storeId} is closed (active: false)`);
  const now = clock.now();
  const occurredAt = input.occurredAt ? parseInstant(input.occurredAt) : now;
  if (!occurredAt) {
    throw loyaltyError('checkout.invalid_line', 'occurredAt must be a real time between 1900 and 9999', [{ field: 'occurredAt', reason: 'is not a real time' }]);
  }
  if (occurredAt.getTime() > now.getTime() + 10 * 60_000) {
    throw loyaltyError('checkout.invalid_line', 'occurredAt is in the future', [{ field: 'occurredAt', reason: 'is in the future' }]);
  }
  return { config, store, lines, occurredAt };
}

function runEngine(prepared: Prepared, input: CheckoutInput, customer: CustomerRecord | null, balance: number, tier: Awaited<ReturnType<typeof currentTier>> | null, soon: { points: number; at: string } | null): EngineResult {
  return calculateReceipt({
    lines: prepared.lines,
    settings: prepared.config.program.body,
    rules: prepared.config.rules.body.rules,
    tier,
    context: { storeId: prepared.store.id, storeTimezone: prepared.store.timezone, channel: input.channel ?? 'offline', occurredAt: prepared.occurredAt, segments: new Set() },
    customer: customer ? { balance, birthDate: customer.birthDate, timezone: customer.timezone, expiringSoon: soon } : null,
    redeemRequested: input.redeemPoints ?? 0,
  });
}

/** Phase one: what the receipt would earn and may redeem. Writes nothing. */
export async function calculateCheckout(deps: LoyaltyDeps, input: CheckoutInput): Promise<CheckoutResult> {
  const { db, clock, customers } = deps;
  const customer = await findCustomer(customers, input.customer);
  if (!customer && (input.redeemPoints ?? 0) > 0) throw loyaltyError('checkout.redemption_needs_customer', 'Identify the customer to redeem points');
  const prepared = await prepare(db, clock, input);
  let balance = { available: 0, pending: 0 };
  let tier = null;
  let soon = null;
  if (customer) {
    balance = await balanceAsOf(db, customer.id, clock.now());
    tier = await currentTier(db, customer.id, prepared.config.tiers.body);
    soon = await expiringSoon(db, customer.id, clock.now(), prepared.config.program.body.cashierExpiryWarningDays);
  }
  const result = runEngine(prepared, input, customer, balance.available, tier, soon);
  return {
    ...result,
    currency: prepared.config.program.body.currency,
    ...(customer && tier ? { customer: { id: customer.id, balance: balance.available, pending: balance.pending, tier: { id: tier.id, name: tier.name } } } : {}),
    rulesVersion: prepared.config.rules.version,
  };
}

export type ConfirmOutcome = { result: ConfirmResult; replayed: boolean };

async function replay(db: DbOrTx, storeId: string, posReceiptId: string, hash: string): Promise<ConfirmOutcome | null> {
  const existing = await db
    .selectFrom('receipts')
    .select(['requestHash', 'response'])
    .where('storeId', '=', storeId)
    .where('posReceiptId', '=', posReceiptId)
    .executeTakeFirst();
  if (!existing) return null;
  if (existing.requestHash !== hash) {
    throw loyaltyError('checkout.receipt_conflict', `Receipt ${posReceiptId} of store ${storeId} was confirmed with a different body`);
  }
  return { result: existing.response as unknown as ConfirmResult, replayed: true };
}

/**
 * Phase two: commits the receipt and its points in one transaction, idempotent on
 * (store, POS receipt id). The calculation is redone under the customer's balance lock, so it
 * reflects the balance and rules at this moment; a redemption the balance no longer covers is
 * refused with checkout.insufficient_points rather than silently reduced.
 */
export async function confirmCheckout(deps: LoyaltyDeps, input: ConfirmInput, actor: Actor): Promise<ConfirmOutcome> {
  const { db, clock, ids, customers } = deps;
  const hash = requestHash(input);
  const earlier = await replay(db, input.storeId, input.posReceiptId, hash);
  if (earlier) return earlier;
  const customer = await findCustomer(customers, input.customer);
  if (!customer && (input.redeemPoints ?? 0) > 0) throw loyaltyError('checkout.redemption_needs_customer', 'Identify the customer to redeem points');

  const outcome = await db.transaction().execute(async (tx) => {
    const prepared = await prepare(tx, clock, input);
    const now = clock.now();
    const receiptId = ids.next('rcp');
    // Claim the POS receipt id first: a concurrent duplicate waits here, then finds it taken.
    const claimed = await tx
      .insertInto('receipts')
      .values({
        id: receiptId,
        storeId: input.storeId,
        posReceiptId: input.posReceiptId,
        registerId: input.registerId ?? null,
        channel: input.channel ?? 'offline',
        source: 'checkout',
        customerId: customer?.id ?? null,
        status: 'confirmed',
        occurredAt: prepared.occurredAt,
        createdAt: now,
        currency: prepared.config.program.body.currency,
        totalMinor: 0,
        paidMinor: 0,
        requestHash: hash,
        response: '{}',
      })
      .onConflict((oc) => oc.columns(['storeId', 'posReceiptId']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!claimed) return null;

    const settings = prepared.config.program.body;
    const balance = customer ? await lockBalance(tx, customer.id, now) : null;
    if (balance) await settleDue(tx, balance, now);
    const tier = customer ? await currentTier(tx, customer.id, prepared.config.tiers.body) : null;
    const soon = customer ? await expiringSoon(tx, customer.id, now, settings.cashierExpiryWarningDays) : null;
    const result = runEngine(prepared, input, customer, balance?.available ?? 0, tier, soon);
    const asked = input.redeemPoints ?? 0;
    if (balance && asked > 0 && asked > balance.available) {
      throw loyaltyError('checkout.insufficient_points', `The balance is ${balance.available} points; ${asked} were asked`);
    }
    if (balance && result.pointsRedeemed > 0) {
      await spend(tx, balance, result.pointsRedeemed, 'redeem', { receiptId, actor: actor.keyId }, now);
    }
    if (balance && customer && result.pointsToEarn > 0) {
      const activatesAt = new Date(prepared.occurredAt.getTime() + settings.pendingDays * 86_400_000);
      await addLot(
        tx,
        ids,
        balance,
        { source: 'receipt', receiptId, points: result.pointsToEarn, earnedAt: prepared.occurredAt, activatesAt, expiresAt: expiryFor(settings.expiry, prepared.occurredAt) },
        'earn',
        { receiptId, actor: actor.keyId },
        now,
      );
      // A receipt dated far back may earn points whose expiry has already come.
      await settleDue(tx, balance, now);
    }
    await sql`insert into receipt_lines (receipt_id, line_no, customer_id, sku, name, category, brand, qty_milli, price_minor,
        total_minor, discount_minor, points_earned, points_redeemed, redeemed_minor)
      select ${receiptId}, n, ${customer?.id ?? null}, sku, name, category, brand, qty, price, total, discount, earned, redeemed, redeemed_minor
      from unnest(${prepared.lines.map((_, i) => i + 1)}::int[], ${prepared.lines.map((l) => l.sku)}::text[], ${prepared.lines.map((l) => l.name)}::text[],
        ${prepared.lines.map((l) => (l.categories.length ? l.categories.join('/') : null))}::text[], ${prepared.lines.map((l) => l.brand)}::text[],
        ${prepared.lines.map((l) => l.qtyMilli)}::bigint[], ${prepared.lines.map((l) => l.priceMinor)}::bigint[], ${result.lines.map((l) => l.total)}::bigint[],
        ${result.lines.map((l) => l.discount)}::bigint[], ${result.lines.map((l) => l.pointsEarned)}::int[], ${result.lines.map((l) => l.pointsRedeemed)}::int[],
        ${result.lines.map((l) => l.redeemedMinor)}::bigint[])
        as t(n, sku, name, category, brand, qty, price, total, discount, earned, redeemed, redeemed_minor)`.execute(tx);

    const response: ConfirmResult = {
      receiptId,
      storeId: input.storeId,
      posReceiptId: input.posReceiptId,
      occurredAt: prepared.occurredAt.toISOString(),
      ...result,
      currency: settings.currency,
      ...(customer && balance && tier ? { customer: { id: customer.id, balance: balance.available, pending: balance.pending, tier: { id: tier.id, name: tier.name } } } : {}),
      rulesVersion: prepared.config.rules.version,
    };
    await tx
      .updateTable('receipts')
      .set({
        totalMinor: result.total,
        discountMinor: result.discount,
        pointsRedeemed: result.pointsRedeemed,
        redeemedMinor: result.redeemedMinor,
        paidMinor: result.payable,
        pointsEarned: result.pointsToEarn,
        response: JSON.stringify(response),
      })
      .where('id', '=', receiptId)
      .execute();
    // The upgrade counts this receipt but applies from the next one: this answer keeps the old tier.
    if (customer) await upgradeIfQualified(tx, clock, ids, customer.id, prepared.config.tiers.body);
    await emitEvents(tx, clock, ids, [
      {
        type: 'receipt.confirmed',
        customerId: customer?.id ?? null,
        payload: { receiptId, storeId: input.storeId, customerId: customer?.id ?? null, total: result.total, pointsEarned: result.pointsToEarn, pointsRedeemed: result.pointsRedeemed },
      },
    ]);
    if (actor.role !== 'pos') {
      await writeAudit(tx, clock, actor, { action: 'receipt.confirm', entityType: 'receipt', entityId: receiptId });
    }
    return { result: response, replayed: false };
  });
  if (outcome) return outcome;
  // Lost the race to a concurrent confirm of the same receipt: answer as a replay of it.
  const winner = await replay(db, input.storeId, input.posReceiptId, hash);
  if (!winner) throw new Error('receipt claimed by a transaction that then rolled back; retry');
  return winner;
}
