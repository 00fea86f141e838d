import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { Adjuster, AdjusterReplay, Adjustment, AdjustmentReversal, CheckoutContext, EarningRule, PricedLine, Rejection } from '../loyalty/index.ts';
import { choosePointsPromotions, choosePromotions, type Candidate, type DiscountLine } from './discount-engine.ts';
import { ineligibility, storeDay, type EligibilityFacts } from './eligibility.ts';
import type { PromotionCache } from './promotion-cache.ts';
import { isPointsBenefit, type LineTarget, type PromotionDefinition } from './promotion-types.ts';
import { ownDbOrTx, ownTx } from './promotions.db.ts';
import { promotionError } from './promotions.errors.ts';
import type { PromotionsScenario } from './what-if.ts';

/**
 * Promotions in the checkout pipeline. `prepare` loads, in at most one query besides the cached
 * list of active promotions, what `price` needs fresh: the counters of promotions with limits,
 * the codes presented, and this customer's uses. `price` is pure. `commit` reserves everything
 * the receipt takes in one guarded statement; `reverse` releases a return's share, each kopeck
 * and each use once (promotion_redemptions keeps count).
 */
export const ADJUSTER = 'promotions';

type CodeRow = {
  code: string;
  promotionId: string;
  customerId: string | null;
  usesLimit: number | null;
  uses: number;
  perCustomer: number | null;
  validFrom: string | null;
  validTo: string | null;
};
type Counter = { id: string; usedMinor: number; usedPoints: number; uses: number };
type Mine = { promotionId: string; code: string | null; total: number; today: number };

/** What prepare loads. */
export type Prepared = {
  active: PromotionDefinition[];
  /** Promotions the presented codes name that are not active (to say why they do not apply). */
  others: PromotionDefinition[];
  counters: Counter[];
  codes: CodeRow[];
  mine: Mine[];
  day: string;
};

/** Codes as printed and as typed: upper-case, without spaces and dashes. */
export const normalizeCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

/** A promotion whose counters move (a budget or a use limit: its guards read them); the others only record redemptions. */
const limitedPromotion = sql`(p.budget_minor is not null or p.budget_points is not null or p.uses_limit is not null)`;

const hasLimits = (p: PromotionDefinition) => p.limits.budgetMinor !== undefined || p.limits.budgetPoints !== undefined || p.limits.uses !== undefined || p.limits.perCustomer !== undefined || p.limits.perCustomerPerDay !== undefined;

export function promotionAdjuster(
  cache: PromotionCache,
  clock: Clock,
  load: (db: ReturnType<typeof ownDbOrTx>, ids: string[]) => Promise<PromotionDefinition[]>,
): Adjuster {
  return {
    name: ADJUSTER,

    async prepare(loyaltyDb, ctx): Promise<Prepared> {
      const db = ownDbOrTx(loyaltyDb);
      const active = await cache.active(db);
      const day = storeDay({ occurredAt: ctx.occurredAt, storeTimezone: ctx.store.timezone });
      const codes = [...new Set(ctx.promoCodes.map(normalizeCode))].filter((code) => code.length > 0);
      const limited = active.filter((p) => hasLimits(p) && (!p.requiresCode || codes.length > 0)).map((p) => p.id);
      if (limited.length === 0 && codes.length === 0) return { active, others: [], counters: [], codes: [], mine: [], day };
      const row = await sql<{ counters: Counter[]; codes: CodeRow[]; mine: Mine[] }>`/*ps:promotions_prepare*/
        select
          (select coalesce(json_agg(json_build_object('id', id, 'usedMinor', used_minor, 'usedPoints', used_points, 'uses', uses)), '[]'::json)
            from promotions where id = any(${limited}::text[])) as counters,
          (select coalesce(json_agg(json_build_object('code', code, 'promotionId', promotion_id, 'customerId', customer_id, 'usesLimit', uses_limit,
              'uses', uses, 'perCustomer', per_customer, 'validFrom', valid_from, 'validTo', valid_to)), '[]'::json)
            from promo_codes where code = any(${codes}::text[])) as codes,
          (select coalesce(json_agg(json_build_object('promotionId', promotion_id, 'code', code, 'total', total, 'today', today)), '[]'::json) from (
            select promotion_id, code, count(*)::int as total, (count(*) filter (where day = ${day}::date))::int as today
            from promotion_redemptions
            where customer_id = ${ctx.customer?.id ?? null}::text and not use_released
              and (promotion_id = any(${limited}::text[]) or code = any(${codes}::text[]))
            group by promotion_id, code) m) as mine`.execute(db);
      const loaded = row.rows[0]!;
      const known = new Set(active.map((p) => p.id));
      const missing = [...new Set(loaded.codes.map((c) => c.promotionId).filter((id) => !known.has(id)))];
      const others = missing.length > 0 ? await load(db, missing) : [];
      return { active, others, counters: loaded.counters, codes: loaded.codes, mine: loaded.mine, day };
    },

    async replay(loyaltyDb, scenario): Promise<AdjusterReplay> {
      // The what-if's set (what-if.ts), or the promotions active now.
      const active = scenario ? (scenario as PromotionsScenario).active : await cache.active(ownDbOrTx(loyaltyDb));
      return {
        needsSegments: active.some((p) => p.audience.kind === 'segments'),
        // Only an offer for new customers asks (eligibility.ts).
        needsHistory: active.some((p) => p.audience.kind === 'new_customers'),
        async prepare(batchDb, ctxs): Promise<Prepared[]> {
          const presented = (ctx: CheckoutContext) => [...new Set(ctx.promoCodes.map(normalizeCode))].filter((code) => code.length > 0);
          const codes = [...new Set(ctxs.flatMap(presented))];
          const rows = codes.length === 0 ? [] : (await sql<{ codes: CodeRow[] }>`/*ps:promotions_replay_codes*/
            select coalesce(json_agg(json_build_object('code', code, 'promotionId', promotion_id, 'customerId', customer_id, 'usesLimit', uses_limit,
              'uses', uses, 'perCustomer', per_customer, 'validFrom', valid_from, 'validTo', valid_to)), '[]'::json) as codes
            from promo_codes where code = any(${codes}::text[])`.execute(ownDbOrTx(batchDb))).rows[0]!.codes;
          // Nothing is reserved in a replay, so every limit has room: a code as it was before its first use, no counters, no uses
          // of the customer's (and so no day to count them by).
          const byCode = new Map(rows.map((row) => [row.code, { ...row, uses: 0 }]));
          return ctxs.map((ctx) => ({ active, others: [], counters: [], codes: presented(ctx).flatMap((code) => byCode.get(code) ?? []), mine: [], day: '' }));
        },
      };
    },

    price(ctx, lines) {
      const prepared = ctx.extensions[ADJUSTER] as Prepared | undefined;
      // No promotion to apply and no code to answer for: nothing to say (the till without promotions, most of a replay).
      if (!prepared || (prepared.active.length === 0 && prepared.others.length === 0 && ctx.promoCodes.length === 0)) return { applied: [], rejected: [] };
      return pricePromotions(ctx, lines, prepared);
    },

    async commit(loyaltyTx, ctx, applied) {
      const tx = ownTx(loyaltyTx as never);
      const prepared = ctx.extensions[ADJUSTER] as Prepared;
      const customerId = ctx.customer?.id ?? null;
      const want = applied.map((a) => ({ id: a.id, minor: a.discountMinor, points: a.points?.total ?? 0, code: (a.data?.code as string | undefined) ?? null }));
      const result = await sql<{ promotions: number; codes: number; recorded: number }>`/*ps:promotions_reserve*/
        with want as (
          select * from unnest(${want.map((w) => w.id)}::text[], ${want.map((w) => w.minor)}::bigint[], ${want.map((w) => w.points)}::int[], ${want.map((w) => w.code)}::text[])
            as w(promotion_id, minor, points, code)
        ),
        mine as (
          select r.promotion_id, count(*) as total, count(*) filter (where r.day = ${prepared.day}::date) as today
          from promotion_redemptions r
          where r.customer_id = ${customerId}::text and not r.use_released and r.promotion_id in (select promotion_id from want)
          group by r.promotion_id
        ),
        -- A promotion with a budget or a use limit: its counters, under the guards.
        promotions_taken as (
          update promotions p set used_minor = p.used_minor + w.minor, used_points = p.used_points + w.points, uses = p.uses + 1
          from want w left join mine m on m.promotion_id = w.promotion_id
          where p.id = w.promotion_id and p.status = 'active' and ${limitedPromotion}
            and (p.budget_minor is null or p.used_minor + w.minor <= p.budget_minor)
            and (p.budget_points is null or p.used_points + w.points <= p.budget_points)
            and (p.uses_limit is null or p.uses + 1 <= p.uses_limit)
            and (${customerId}::text is null or p.per_customer is null or coalesce(m.total, 0) < p.per_customer)
            and (${customerId}::text is null or p.per_customer_per_day is null or coalesce(m.today, 0) < p.per_customer_per_day)
          returning p.id
        ),
        -- One without: a shared lock (a limit being added waits for this receipt), no counter, no queue.
        promotions_shared as (
          select p.id from promotions p join want w on w.promotion_id = p.id left join mine m on m.promotion_id = p.id
          where p.status = 'active' and not ${limitedPromotion}
            and (${customerId}::text is null or p.per_customer is null or coalesce(m.total, 0) < p.per_customer)
            and (${customerId}::text is null or p.per_customer_per_day is null or coalesce(m.today, 0) < p.per_customer_per_day)
          for share of p
        ),
        codes_taken as (
          update promo_codes c set uses = c.uses + 1
          from want w
          -- The codes named as values too: a sharded database routes the update by them.
          where w.code is not null and c.code = w.code and c.code = any(${want.flatMap((w) => (w.code === null ? [] : [w.code]))}::text[])
            and (c.uses_limit is not null or c.per_customer is not null)
            and (c.uses_limit is null or c.uses + 1 <= c.uses_limit)
            and (c.customer_id is null or c.customer_id = ${customerId}::text)
            and (${customerId}::text is null or c.per_customer is null or (
              select count(*) from promotion_redemptions r where r.customer_id = ${customerId}::text and r.code = c.code and not r.use_released) < c.per_customer)
          returning c.code
        ),
        -- A code without limits (a public one) counts nothing: its redemptions say how often it was used.
        codes_free as (
          select c.code from promo_codes c join want w on c.code = w.code
          where c.code = any(${want.flatMap((w) => (w.code === null ? [] : [w.code]))}::text[]) and c.uses_limit is null and c.per_customer is null
            and (c.customer_id is null or c.customer_id = ${customerId}::text)
        ),
        recorded as (
          insert into promotion_redemptions (receipt_id, promotion_id, customer_id, code, day, discount_minor, points, created_at)
          select ${ctx.receiptId}, promotion_id, ${customerId}, code, ${prepared.day}::date, minor, points, ${clock.now()}::timestamptz from want
          returning promotion_id
        )
        select (select count(*) from promotions_taken)::int + (select count(*) from promotions_shared)::int as promotions,
          (select count(*) from codes_taken)::int + (select count(*) from codes_free)::int as codes,
          (select count(*) from recorded)::int as recorded`.execute(tx);
      const taken = result.rows[0]!;
      const codes = want.filter((w) => w.code !== null).length;
      if (taken.promotions < want.length) {
        const names = applied.map((a) => a.name).join(', ');
        throw promotionError(
          'promotion.unavailable',
          `A promotion of this receipt (${names}) reached its budget or use limit since the calculation; calculate again: the receipt is not recorded`,
        );
      }
      if (taken.codes < codes) {
        throw promotionError('promo_code.used_up', 'A promo code of this receipt was used up since the calculation; calculate again: the receipt is not recorded');
      }
    },

    async reverse(loyaltyTx, reversal) {
      const tx = ownTx(loyaltyTx as never);
      const release = releases(reversal);
      if (release.length === 0) return;
      // The receipt's customer routes every statement below to one shard (docs/scale-out.md).
      const codes = reversal.applied.flatMap((a) => (typeof a.data?.code === 'string' ? [a.data.code] : []));
      const ofCustomer = reversal.customerId === null ? sql`d.customer_id is null` : sql`d.customer_id = ${reversal.customerId}`;
      const outcome = await sql<{ released: Array<{ id: string; minor: number; points: number; useBack: boolean }> | null; handled: string[] | null }>`/*ps:promotions_release*/
        with rel as (
          select * from unnest(${release.map((r) => r.id)}::text[], ${release.map((r) => r.minor)}::bigint[], ${release.map((r) => r.points)}::int[],
            ${release.map((r) => r.useBack)}::bool[]) as r(promotion_id, minor, points, use_back)
        ),
        -- Every part of one statement sees the rows as they were: "before" is the state ahead of this return.
        before as (
          select d.promotion_id, d.use_released, p.release_on_return from promotion_redemptions d join promotions p on p.id = d.promotion_id
          where d.receipt_id = ${reversal.receiptId} and ${ofCustomer}
        ),
        released as (
          update promotion_redemptions d
          set released_minor = d.released_minor + r.minor, released_points = d.released_points + r.points,
            use_released = d.use_released or (r.use_back and b.release_on_return)
          from rel r join before b on b.promotion_id = r.promotion_id
          where d.receipt_id = ${reversal.receiptId} and ${ofCustomer} and d.promotion_id = r.promotion_id and d.released_minor + r.minor <= d.discount_minor
            and d.released_points + r.points <= d.points
          returning d.promotion_id, d.code, r.minor, r.points, (r.use_back and b.release_on_return and not b.use_released) as use_back
        ),
        -- A limited promotion's counters get the share back. An unlimited one keeps none (its usage
        -- is the redemptions'), but the release holds its row shared, so a limit being added waits
        -- for it and counts what it released; a limit added first makes this update take it.
        promotions_back as (
          update promotions p set used_minor = p.used_minor - x.minor, used_points = p.used_points - x.points, uses = p.uses - (case when x.use_back then 1 else 0 end)
          from released x where p.id = x.promotion_id and ${limitedPromotion}
          returning p.id
        ),
        promotions_seen as (
          select p.id from promotions p join released x on x.promotion_id = p.id where not ${limitedPromotion} for share of p
        ),
        codes_back as (
          update promo_codes c set uses = c.uses - 1 from released x
          where x.use_back and x.code is not null and c.code = x.code and c.code = any(${codes}::text[]) and (c.uses_limit is not null or c.per_customer is not null)
          returning c.code
        )
        select (select json_agg(json_build_object('id', promotion_id, 'minor', minor, 'points', points, 'useBack', use_back)) from released) as released,
          (select array_agg(id) from (select id from promotions_back union all select id from promotions_seen) h) as handled`.execute(tx);
      // A limit added while this statement waited for the promotion's row: the statement's snapshot
      // is from before the limit, so the row was neither counted back (it looked unlimited) nor held
      // (the lock's re-check saw the limit). The limit's sums were taken before this release
      // committed, so the counters still hold its share: give it back now, in a statement that sees
      // the limit. (CI once saw counters 8 uses high when cancels raced a new budget.)
      const handled = new Set(outcome.rows[0]?.handled ?? []);
      const missed = (outcome.rows[0]?.released ?? []).filter((r) => !handled.has(r.id));
      if (missed.length > 0) {
        await sql`update promotions p set used_minor = p.used_minor - x.minor, used_points = p.used_points - x.points, uses = p.uses - (case when x.use_back then 1 else 0 end)
          from unnest(${missed.map((m) => m.id)}::text[], ${missed.map((m) => m.minor)}::bigint[], ${missed.map((m) => m.points)}::int[], ${missed.map((m) => m.useBack)}::bool[])
            as x(promotion_id, minor, points, use_back)
          where p.id = x.promotion_id and ${limitedPromotion}`.execute(tx);
      }
    },
  };
}

/** What a return gives back: each line's share of its discount, by cumulative rounding (all returns add up to the discount), and the use once the whole receipt is back. */
export function releases(reversal: AdjustmentReversal): Array<{ id: string; minor: number; points: number; useBack: boolean }> {
  const byLine = new Map(reversal.lines.map((line) => [line.lineNo - 1, line]));
  const wholeBack = reversal.cancel || reversal.lines.every((line) => line.refundedBeforeMilli + line.qtyMilli >= line.boughtMilli);
  return reversal.applied.map((adjustment) => {
    // Each line's share of an amount by cumulative rounding: all returns of the line add up to it.
    const returned = (lineNo: number, amount: number) => {
      const line = byLine.get(lineNo);
      if (!line || line.qtyMilli === 0) return 0;
      const share = (milli: number) => (milli >= line.boughtMilli ? amount : Number((BigInt(amount) * BigInt(milli)) / BigInt(line.boughtMilli)));
      return share(line.refundedBeforeMilli + line.qtyMilli) - share(line.refundedBeforeMilli);
    };
    const minor = adjustment.lines.reduce((sum, part) => sum + returned(part.line, part.discountMinor), 0);
    const points = (adjustment.points?.lines ?? []).reduce((sum, part) => sum + returned(part.line, part.points), 0);
    return { id: adjustment.id, minor, points, useBack: wholeBack };
  });
}

const reasonWords: Record<string, string> = {
  unknown: 'no such promo code',
  other_customer: 'the code is another customer\'s',
  not_started: 'not valid yet',
  expired: 'no longer valid',
  inactive: 'the promotion is not running',
  used_up: 'used up',
  customer_limit: 'this customer has used it as often as allowed',
  below_minimum: 'the receipt does not reach its minimum spend',
  not_combinable: 'does not combine with the promotions applied',
  wrong_store: 'not valid in this store',
  wrong_channel: 'not valid in this channel',
  wrong_time: 'not valid at this time',
  not_in_audience: 'not for this customer',
  needs_customer: 'needs an identified customer',
  no_matching_items: 'nothing on the receipt it applies to',
  budget_exhausted: 'its budget is spent',
  duplicate: 'another code of the same promotion is already applied',
  no_points: 'earns nothing on this receipt',
};

function rejection(id: string, reason: string, name: string, code?: string): Rejection {
  return { adjuster: ADJUSTER, id, reason, detail: `${code ? `Code ${code}` : name}: ${reasonWords[reason] ?? reason}`, ...(code ? { code } : {}) };
}

/** Pure: the candidates (eligible, not used up), the engine's choice among them, and every refusal with its reason. */
export function pricePromotions(ctx: CheckoutContext, lines: readonly PricedLine[], prepared: Prepared) {
  const rejected: Rejection[] = [];
  const facts: EligibilityFacts = {
    storeId: ctx.store.id,
    storeTimezone: ctx.store.timezone,
    channel: ctx.channel,
    occurredAt: ctx.occurredAt,
    customer: ctx.customer ? { id: ctx.customer.id, tierId: ctx.tier?.id ?? null, segments: ctx.segments, isNew: !ctx.customer.hasReceipts } : null,
  };
  const counters = new Map(prepared.counters.map((c) => [c.id, c]));
  const mine = (promotionId: string) => prepared.mine.filter((m) => m.promotionId === promotionId);
  const byId = new Map([...prepared.active, ...prepared.others].map((p) => [p.id, p]));

  /** Why the promotion cannot apply here at all, or null. */
  const blocked = (p: PromotionDefinition): string | null => {
    if (p.status !== 'active') return 'inactive';
    const ineligible = ineligibility(p, facts);
    if (ineligible) return ineligible;
    const counter = counters.get(p.id);
    if (p.limits.uses !== undefined && (counter?.uses ?? 0) >= p.limits.uses) return 'used_up';
    if (facts.customer) {
      const uses = mine(p.id);
      if (p.limits.perCustomer !== undefined && uses.reduce((s, m) => s + m.total, 0) >= p.limits.perCustomer) return 'customer_limit';
      if (p.limits.perCustomerPerDay !== undefined && uses.reduce((s, m) => s + m.today, 0) >= p.limits.perCustomerPerDay) return 'customer_limit';
    }
    return null;
  };
  const candidateOf = (p: PromotionDefinition, code?: string): Candidate => {
    const counter = counters.get(p.id);
    return {
      promotion: p,
      budgetLeftMinor: p.limits.budgetMinor === undefined ? null : p.limits.budgetMinor - (counter?.usedMinor ?? 0),
      budgetLeftPoints: p.limits.budgetPoints === undefined ? null : p.limits.budgetPoints - (counter?.usedPoints ?? 0),
      ...(code ? { code } : {}),
    };
  };

  const candidates: Candidate[] = [];
  const byCode = new Set<string>();
  const presented = [...new Set(ctx.promoCodes.map(normalizeCode))].filter((code) => code.length > 0);
  for (const code of presented) {
    const row = prepared.codes.find((c) => c.code === code);
    const promotion = row ? byId.get(row.promotionId) : undefined;
    if (!row || !promotion) {
      rejected.push(rejection(code, 'unknown', code, code));
      continue;
    }
    const at = ctx.occurredAt.getTime();
    let reason: string | null;
    if (row.customerId !== null && row.customerId !== facts.customer?.id) reason = facts.customer ? 'other_customer' : 'needs_customer';
    else if (row.validFrom && at < Date.parse(row.validFrom)) reason = 'not_started';
    else if (row.validTo && at >= Date.parse(row.validTo)) reason = 'expired';
    else if (row.usesLimit !== null && row.uses >= row.usesLimit) reason = 'used_up';
    else if (facts.customer && row.perCustomer !== null && mine(promotion.id).filter((m) => m.code === code).reduce((s, m) => s + m.total, 0) >= row.perCustomer) reason = 'used_up';
    else if (byCode.has(promotion.id)) reason = 'duplicate';
    else reason = blocked(promotion);
    if (reason) {
      rejected.push(rejection(promotion.id, reason, promotion.name, code));
      continue;
    }
    byCode.add(promotion.id);
    candidates.push(candidateOf(promotion, code));
  }
  for (const promotion of prepared.active) {
    if (promotion.requiresCode || byCode.has(promotion.id)) continue;
    const reason = blocked(promotion);
    // An automatic promotion for other stores, hours or customers is simply not in play; one used up is worth saying.
    if (reason === 'used_up' || reason === 'customer_limit') rejected.push(rejection(promotion.id, reason, promotion.name));
    else if (reason === null) candidates.push(candidateOf(promotion));
  }

  const excluded = new Set(ctx.program.excludedCategories);
  const engineLines: DiscountLine[] = lines.map((line) => ({
    index: line.index,
    sku: line.sku,
    categories: line.categories,
    brand: line.brand,
    qtyMilli: line.qtyMilli,
    priceMinor: line.priceMinor,
    netMinor: line.netMinor,
    excluded: line.categories.some((category) => excluded.has(category)),
  }));
  const { applied, passed } = choosePromotions(candidates.filter((c) => !isPointsBenefit(c.promotion.benefit)), engineLines);
  const points = choosePointsPromotions(candidates.filter((c) => isPointsBenefit(c.promotion.benefit)), engineLines, applied);
  for (const { candidate, reason } of [...passed, ...points.passed]) rejected.push(rejection(candidate.promotion.id, reason, candidate.promotion.name, candidate.code));
  const adjustments: Adjustment[] = applied.map(({ candidate, lines: parts, discountMinor }) => ({
    adjuster: ADJUSTER,
    id: candidate.promotion.id,
    name: candidate.promotion.name,
    discountMinor,
    lines: parts,
    ...(candidate.code ? { data: { code: candidate.code } } : {}),
  }));
  for (const candidate of points.applied) {
    adjustments.push({
      adjuster: ADJUSTER,
      id: candidate.promotion.id,
      name: candidate.promotion.name,
      discountMinor: 0,
      lines: [],
      ...(candidate.code ? { data: { code: candidate.code } } : {}),
      earningRule: earningRuleOf(candidate.promotion),
      ...(candidate.budgetLeftPoints != null ? { pointsLimit: candidate.budgetLeftPoints } : {}),
    });
  }
  return { applied: adjustments, rejected };
}

/**
 * A points promotion as the earn step sees it: a rule that adds to the others ('sum'), on the
 * target lines; the pipeline reports what it earned per line, and the budget counts that.
 */
function earningRuleOf(promotion: PromotionDefinition): EarningRule {
  const benefit = promotion.benefit;
  const target: LineTarget = 'target' in benefit && benefit.target ? benefit.target : {};
  const conditions = { ...(target.skus ? { skus: target.skus } : {}), ...(target.categories ? { categories: target.categories } : {}), ...(target.brands ? { brands: target.brands } : {}) };
  const base = { id: `promotion:${promotion.id}`, name: promotion.name, conditions, priority: 0, stacking: 'sum' as const, active: true };
  if (benefit.kind === 'points_multiplier') return { ...base, kind: 'multiplier', factor: benefit.factor };
  if (benefit.kind === 'bonus_points') return { ...base, kind: 'per_receipt', points: benefit.points };
  throw new Error(`promotion ${promotion.id}: ${benefit.kind} is not a points benefit`);
}
