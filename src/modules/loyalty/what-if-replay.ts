import { sql } from 'kysely';
import { canonicalJson } from '../../platform/canonical-json.ts';
import { proportionalPart } from '../../platform/money.ts';
import { queryWithoutJit } from '../../platform/report-query.ts';
import { tierRules, type EngineLine } from './calculate.ts';
import type { EarningRule, EarningRuleSet, ProgramSettings, Tier, TierConfig } from './config-types.ts';
import type { DbOrTx } from './loyalty.db.ts';
import { adjustLines, earnAfter, earningAtStore, runPipeline, type Adjuster, type AdjusterReplay, type CheckoutContext, type CheckoutExtensions, type PipelineResult, type StoreRate } from './pipeline.ts';
import { hasLineConditions } from './rule-conditions.ts';
import { tierIndexOf } from './tiers.ts';

/**
 * The what-if replay: stored receipts run through the checkout pipeline again — the same
 * runPipeline that calculate and confirm run, so no second copy of the arithmetic — under a
 * changed configuration, writing nothing (no ledger, no reservations, no outbox). It lives here,
 * beside the pipeline, because it rebuilds each receipt's context from loyalty's own tables; the
 * what-if module runs it as a job and adds up the report.
 *
 * Each receipt's context is what was stored: lines (with the till's own discounts: the stored
 * discount less what adjusters took), store, channel, purchase time, customer, the tier the
 * confirm used (its answer names it), the points redeemed (taken as the ask, with a balance that
 * covers it) and the promo codes presented (the answer lists them, applied or not). What is not
 * kept is today's: segment memberships, a partner store's rate. Promotions price as if every
 * budget and use limit had room (the replay reserves nothing). A receipt loaded in bulk runs as
 * its load ran it: the entry tier, no adjusters, no segments, no redemption, earning only if it
 * earned.
 *
 * Returns count by quantity: each line's figures count for the share of it not returned, by the
 * refund's own cumulative rule (money.ts proportionalPart), so the actual side is what the ledger
 * kept. A cancelled receipt counts nothing.
 */

/** A configuration to replay with: the program's settings, earning rules, tiers and each adjuster's input. */
export type ReplayScenario = {
  program: ProgramSettings;
  rules: EarningRuleSet;
  tiers: TierConfig;
  /** Each adjuster's what-if input by adjuster name, as its own module made it (promotions: the definitions to price with). */
  adjusters: Record<string, unknown>;
};

export type ReplayWindow = { from: Date; to: Date };
/** Where a replay stands: the last receipt done, by purchase time (as the database writes it) and id. */
export type ReplayCursor = { at: string; id: string };

/** One receipt's figures, net of returns. Money in minor units, points whole. */
export type ReceiptFigures = {
  pointsIssued: number;
  /** Of pointsIssued, what base rates earned: percent rules on every line (no SKU, category or brand condition), a tier's rate, a partner's rate. */
  pointsBase: number;
  /** What promotions (adjusters) took off; the till's own discounts are not the program's. */
  discountMinor: number;
  pointsRedeemed: number;
  redeemedMinor: number;
  /** What was paid in money: totals less discounts less points. */
  revenueMinor: number;
};

export type ReplayedReceipt = {
  id: string;
  storeId: string;
  /** The tier the receipt was priced at (null: no customer). */
  tierId: string | null;
  /** What was stored; its base part is the live configuration's split of it. */
  actual: ReceiptFigures;
  whatIf: ReceiptFigures;
  /** The live configuration's replay differs from what was stored (the configuration changed since, a limit ran out, a segment moved). */
  mismatch: boolean;
};

/** [line_no, qty_milli, price_minor, total_minor, discount_minor, points_earned, points_redeemed, redeemed_minor, refunded_qty_milli, [sku, name, category, brand]] */
type StoredLine = [number, number, number, number, number, number, number, number, number, [string, string | null, string | null, string | null]];
const QTY = 1, PRICE = 2, TOTAL = 3, DISCOUNT = 4, EARNED = 5, REDEEMED = 6, REDEEMED_MINOR = 7, REFUNDED = 8, TEXTS = 9;

type StoredReceipt = {
  id: string;
  storeId: string;
  channel: 'offline' | 'online';
  source: 'checkout' | 'bulk';
  customerId: string | null;
  occurredAt: Date;
  atText: string;
  pointsRedeemed: number;
  pointsEarned: number;
  tierId: string | null;
  codes: string[] | null;
  /** Read only when an adjuster asks it (AdjusterReplay.needsHistory); false otherwise. */
  hasEarlier: boolean;
  lines: StoredLine[];
  adjusted: Array<Array<{ line: number; discountMinor: number }>> | null;
};

/** A receipt as read: its lines still the JSON text the statement wrote (parsed when priced, see CHUNK). */
type ReadReceipt = Omit<StoredReceipt, 'lines'> & { lines: string | null };

const none: ReadonlySet<string> = new Set();

/** The rules whose points are the base part: percent rules on every line, and tier and partner rates (they stand in for the base rate). */
function baseRuleIds(rules: EarningRule[], tier: Tier | null): string[] {
  const isBase = (rule: EarningRule) => rule.kind === 'percent' && !hasLineConditions(rule) && !rule.id.startsWith('promotion:');
  return [...rules, ...tierRules(tier)].filter(isBase).map((rule) => rule.id);
}

/** What is left of an amount of a line once its returns took their share. */
function kept(line: StoredLine, amount: number): number {
  const qty = line[QTY];
  const refunded = Math.min(line[REFUNDED], qty);
  return refunded === 0 ? amount : amount - proportionalPart(amount, 0, refunded, qty);
}

function actualFigures(receipt: StoredReceipt): Omit<ReceiptFigures, 'pointsBase'> {
  const figures = { pointsIssued: 0, discountMinor: 0, pointsRedeemed: 0, redeemedMinor: 0, revenueMinor: 0 };
  for (const line of receipt.lines) {
    figures.pointsIssued += kept(line, line[EARNED]);
    figures.pointsRedeemed += kept(line, line[REDEEMED]);
    figures.redeemedMinor += kept(line, line[REDEEMED_MINOR]);
    figures.revenueMinor += kept(line, line[TOTAL] - line[DISCOUNT] - line[REDEEMED_MINOR]);
  }
  for (const parts of receipt.adjusted ?? []) {
    for (const part of parts) {
      const line = receipt.lines[part.line];
      if (line) figures.discountMinor += kept(line, part.discountMinor);
    }
  }
  return figures;
}

function replayedFigures(receipt: StoredReceipt, result: PipelineResult, base: string[]): ReceiptFigures {
  const figures = { pointsIssued: 0, pointsBase: 0, discountMinor: 0, pointsRedeemed: 0, redeemedMinor: 0, revenueMinor: 0 };
  result.lines.forEach((answer, index) => {
    const line = receipt.lines[index]!;
    figures.pointsIssued += kept(line, answer.pointsEarned);
    figures.pointsRedeemed += kept(line, answer.pointsRedeemed);
    figures.redeemedMinor += kept(line, answer.redeemedMinor);
    figures.revenueMinor += kept(line, answer.payable);
    let basePoints = 0;
    for (const id of base) basePoints += result.tracked?.[id]?.[index] ?? 0;
    figures.pointsBase += kept(line, basePoints);
  });
  for (const adjustment of result.adjustments.applied) {
    for (const part of adjustment.lines) {
      const line = receipt.lines[part.line];
      if (line) figures.discountMinor += kept(line, part.discountMinor);
    }
  }
  return figures;
}

/**
 * A batch of stored receipts in the window after the cursor, with their lines and adjustments: one
 * statement. `history`: whether to read if each customer had an earlier receipt (an index probe
 * of the customer's receipts, most of the statement's time on a large database), only when an
 * adjuster asks it. `skip`: receipts after the cursor passed over first (a read ahead of a batch
 * whose own cursor is not known yet; see `read` in createReplayer).
 */
async function readBatch(db: DbOrTx, window: ReplayWindow, after: ReplayCursor | null, limit: number, history: boolean, skip = 0): Promise<ReadReceipt[]> {
  // The keyset is (occurred_at, id); `occurred_at >= cursor` keeps the index range short, the row comparison skips what was done.
  const from = after ? sql`r.occurred_at >= ${after.at}::timestamptz and (r.occurred_at, r.id) > (${after.at}::timestamptz, ${after.id}::text)` : sql`r.occurred_at >= ${window.from}::timestamptz`;
  // A new customer's offers ask whether an earlier receipt was recorded before this one.
  const hasEarlier = history
    ? sql`case when r.source = 'checkout' and r.customer_id is not null
        then exists (select 1 from receipts e where e.customer_id = r.customer_id and e.created_at < r.created_at) else false end`
    : sql`false`;
  // Without JIT: the planner's estimate for a thousand receipts with their subqueries passes
  // jit_above_cost, and compiling the plan took ~30 ms of the ~60 ms the statement runs on a
  // million customers' data.
  return queryWithoutJit(
    db,
    sql<ReadReceipt>`/*ps:what_if_batch*/
    select r.id, r.store_id, r.channel, r.source, r.customer_id, r.occurred_at, r.occurred_at::text as at_text, r.points_redeemed, r.points_earned,
      r.response #>> '{customer,tier,id}' as tier_id,
      -- The subquery only where the answer lists promotions: started for every receipt, it cost more
      -- than the rest of the receipt's own columns (an empty function scan and aggregate each time).
      case when jsonb_typeof(r.response->'promotions') = 'array'
        then (select array_agg(distinct p->>'code') from jsonb_array_elements(r.response->'promotions') p where p->>'code' is not null) end as codes,
      ${hasEarlier} as has_earlier,
      -- JSON written by hand: numbers as they print, the texts through to_json. json_build_array looks up
      -- each argument's type on every call, and the aggregate's own sort by line_no sorts every receipt:
      -- together they took twice as long (the lines are sorted here, when the index did not).
      (select '[' || string_agg('[' || concat_ws(',', l.line_no, l.qty_milli, l.price_minor, l.total_minor, l.discount_minor, l.points_earned, l.points_redeemed,
          l.redeemed_minor, l.refunded_qty_milli, to_json(array[l.sku, l.name, l.category, l.brand])) || ']', ',') || ']'
        from receipt_lines l where l.receipt_id = r.id) as lines,
      (select json_agg(a.lines order by a.seq) from receipt_adjustments a where a.receipt_id = r.id) as adjusted
    -- The receipts first, then their lines: the receipts skipped over cost an index entry each, not their lines.
    from (select * from receipts r where ${from} and r.occurred_at < ${window.to}::timestamptz order by r.occurred_at, r.id offset ${skip} limit ${limit}) r
    order by r.occurred_at, r.id`,
    { serial: true },
  );
}

function parsed(row: ReadReceipt): StoredReceipt {
  const lines = row.lines === null ? [] : (JSON.parse(row.lines) as StoredLine[]);
  if (lines.some((line, i) => i > 0 && line[0] < lines[i - 1]![0])) lines.sort((a, b) => a[0] - b[0]);
  return { ...row, lines };
}

// A category path split once, not once a line: a catalogue has few of them. The arrays are shared,
// and nothing changes a line's categories. Bounded, should a catalogue have very many.
const categoryPaths = new Map<string, string[]>();
function categoriesOf(path: string): string[] {
  let parts = categoryPaths.get(path);
  if (!parts) {
    if (categoryPaths.size >= 10_000) categoryPaths.clear();
    categoryPaths.set(path, (parts = path.split('/').filter((part) => part !== '')));
  }
  return parts;
}

/** The lines as the engine takes them: the till's own discount is the stored one less what adjusters took. */
function engineLines(receipt: StoredReceipt): EngineLine[] {
  const taken = new Map<number, number>();
  for (const parts of receipt.adjusted ?? []) for (const part of parts) taken.set(part.line, (taken.get(part.line) ?? 0) + part.discountMinor);
  return receipt.lines.map((line, index) => {
    const [sku, name, category, brand] = line[TEXTS];
    return {
      sku,
      name,
      categories: category ? categoriesOf(category) : [],
      brand,
      qtyMilli: line[QTY],
      priceMinor: line[PRICE],
      discountMinor: Math.max(0, line[DISCOUNT] - (taken.get(index) ?? 0)),
    };
  });
}

type Prepared = { adjusters: Adjuster[]; replays: Map<string, AdjusterReplay>; segments: boolean; history: boolean; base: BaseRules };

/**
 * The ids of the base rules for a receipt's rules and tier, worked out once per rules list and
 * tier rather than once a receipt (the lists are the scenario's own, or a partner store's, so a
 * run meets a handful of them).
 */
type BaseRules = (rules: EarningRule[], tier: Tier | null) => string[];

function baseRulesOf(): BaseRules {
  const known = new WeakMap<EarningRule[], Map<Tier | null, string[]>>();
  return (rules, tier) => {
    let byTier = known.get(rules);
    if (!byTier) known.set(rules, (byTier = new Map()));
    let ids = byTier.get(tier);
    if (!ids) byTier.set(tier, (ids = baseRuleIds(rules, tier)));
    return ids;
  };
}

/**
 * Receipts parsed and priced together, then the event loop's turn (about 10 ms of work). Small
 * so that what pricing makes (parsed lines, contexts, the engine's answers) dies young: priced a
 * batch of a thousand at a time, each scavenge found the batch's objects alive, copied them and
 * moved them to the old generation, and the garbage collector took a third of the replay's CPU.
 */
const CHUNK = 100;

/**
 * A read started ahead: the `limit` receipts after `after` with `skip` passed over first. With skip
 * 0 it is the batch after `after`; with skip > 0 it reads one receipt more, the one before the batch
 * it is for, so whoever takes it can check it follows on from the batch before it (see `read`).
 */
type Read = { window: ReplayWindow; limit: number; after: ReplayCursor | null; skip: number; batch: Promise<ReadReceipt[]> };

/** Reads in flight while a batch is priced: each on a connection of its own, so the database reads two batches at once. */
const READ_AHEAD = 2;

/**
 * A replay of stored receipts under two configurations: the live one (`baseline`: it splits the
 * actual points into base and bonus and says which receipts it no longer reproduces) and the
 * changed one (`whatIf`). Built once per run: adjusters load their sets here.
 */
export type ReplayerOptions = {
  /** Each configuration priced on its own from its context up, even when they differ only in earning rules (the equality test's reference). */
  plain?: boolean;
  /** Receipts priced together (CHUNK unless given; tests make it small to price a batch in several). */
  chunk?: number;
};

export async function createReplayer(db: DbOrTx, extensions: CheckoutExtensions, scenarios: { baseline: ReplayScenario; whatIf: ReplayScenario }, options: ReplayerOptions = {}) {
  const adjusters = extensions.adjusters.filter((adjuster) => adjuster.replay);
  const namesSegments = (scenario: ReplayScenario) => scenario.rules.rules.some((rule) => (rule.conditions.segments?.length ?? 0) > 0);
  const prepare = async (scenario: ReplayScenario): Promise<Prepared> => {
    const replays = new Map<string, AdjusterReplay>();
    for (const adjuster of adjusters) replays.set(adjuster.name, await adjuster.replay!(db, scenario.adjusters[adjuster.name]));
    const asked = [...replays.values()];
    return { adjusters, replays, segments: namesSegments(scenario) || asked.some((r) => r.needsSegments), history: asked.some((r) => r.needsHistory), base: baseRulesOf() };
  };
  const baseline = await prepare(scenarios.baseline);
  const same = canonicalJson(scenarios.baseline) === canonicalJson(scenarios.whatIf);
  // Only the earning rules changed (the usual what-if): everything before the earn step — the
  // context's tier, the adjusters' loading and pricing — is the same for both configurations, so
  // it is done once and each configuration runs only its own earn step on the adjusted lines.
  const withoutRules = (scenario: ReplayScenario) => canonicalJson({ ...scenario, rules: null });
  const shared = !same && !options.plain && withoutRules(scenarios.baseline) === withoutRules(scenarios.whatIf);
  const whatIf = same ? baseline : shared ? { ...baseline, segments: baseline.segments || namesSegments(scenarios.whatIf) } : await prepare(scenarios.whatIf);
  // Whether a customer had an earlier receipt is read only when an adjuster of either configuration asks it.
  const history = baseline.history || whatIf.history;
  const stores = new Map<string, { id: string; timezone: string }>();
  const rates = new Map<string, StoreRate | null>();
  // The reads of the batches the caller will ask for next, started while this one is priced: the
  // database reads while this process computes (a run asks batch after batch, each after the last).
  // In order: the first is the batch after the one last given, the next the one after that, …
  let ahead: Read[] = [];
  const depth = options.plain ? 1 : READ_AHEAD;
  const chunkSize = options.chunk ?? CHUNK;

  async function storesOf(batch: ReadReceipt[]): Promise<void> {
    const missing = [...new Set(batch.map((r) => r.storeId))].filter((id) => !stores.has(id));
    if (missing.length > 0) {
      const rows = await db.selectFrom('stores').select(['id', 'timezone']).where('id', 'in', missing).execute();
      for (const row of rows) stores.set(row.id, row);
    }
    for (const id of missing) {
      if (!rates.has(id)) rates.set(id, extensions.storeRates ? await extensions.storeRates.rateAt(db, id) : null);
    }
  }

  async function segmentsOf(batch: ReadReceipt[]): Promise<Map<string, ReadonlySet<string>>> {
    const found = new Map<string, ReadonlySet<string>>();
    if (!extensions.membership || !(baseline.segments || whatIf.segments)) return found;
    // Today's memberships (no history is kept); one index read per customer, only when a rule or promotion names a segment.
    for (const id of new Set(batch.flatMap((r) => (r.source === 'checkout' && r.customerId ? [r.customerId] : [])))) {
      found.set(id, await extensions.membership.segmentsOf(db, id));
    }
    return found;
  }

  function contextOf(receipt: StoredReceipt, scenario: ReplayScenario, lines: EngineLine[], segments: Map<string, ReadonlySet<string>>): CheckoutContext {
    const store = stores.get(receipt.storeId) ?? { id: receipt.storeId, timezone: 'UTC' };
    if (receipt.source === 'bulk') {
      // As historical-receipts.ts ran it: the entry tier, the rules as they are, earning only if the load earned.
      const customer = receipt.customerId && receipt.pointsEarned > 0 ? { id: receipt.customerId, balance: 0, pending: 0, birthDate: null, timezone: null, expiringSoon: null, hasReceipts: true } : null;
      return {
        store, channel: receipt.channel, occurredAt: receipt.occurredAt, lines, program: scenario.program, extensions: {},
        customer, tier: scenario.tiers.tiers[0] ?? null, segments: none, redeemRequested: 0, promoCodes: [], rules: scenario.rules.rules,
      };
    }
    // hasReceipts is read only when an adjuster asks it (`history`); otherwise nothing looks at it.
    const customer = receipt.customerId
      ? { id: receipt.customerId, balance: receipt.pointsRedeemed, pending: 0, birthDate: null, timezone: null, expiringSoon: null, hasReceipts: receipt.hasEarlier }
      : null;
    const tier = customer ? scenario.tiers.tiers[tierIndexOf(scenario.tiers, receipt.tierId)]! : null;
    const earning = earningAtStore(scenario.rules.rules, tier, store.id, rates.get(store.id) ?? null);
    return {
      store, channel: receipt.channel, occurredAt: receipt.occurredAt, lines, program: scenario.program, extensions: {},
      customer,
      tier: earning.tier,
      segments: customer ? (segments.get(customer.id) ?? none) : none,
      redeemRequested: receipt.pointsRedeemed,
      promoCodes: receipt.codes ?? [],
      rules: earning.rules,
    };
  }

  /** The batch's contexts under one configuration, with what each adjuster loaded for them (one query a batch at most). */
  async function contextsOf(batch: StoredReceipt[], lines: EngineLine[][], scenario: ReplayScenario, prepared: Prepared, segments: Map<string, ReadonlySet<string>>) {
    const contexts = batch.map((receipt, i) => contextOf(receipt, scenario, lines[i]!, segments));
    const checkout = contexts.filter((_ctx, i) => batch[i]!.source === 'checkout');
    if (prepared.adjusters.length > 0) {
      // The contexts are this replay's own: each adjuster's answer goes straight into its receipt's extensions.
      const loaded = checkout.map(() => ({}) as Record<string, unknown>);
      for (const adjuster of prepared.adjusters) {
        const answers = await prepared.replays.get(adjuster.name)!.prepare(db, checkout);
        checkout.forEach((_ctx, i) => (loaded[i]![adjuster.name] = answers[i]));
      }
      checkout.forEach((ctx, i) => (ctx.extensions = loaded[i]!));
    }
    return contexts;
  }

  /** Every receipt of the batch priced under one configuration: adjusters prepare the batch in one go, then the pure pipeline runs. */
  async function price(batch: StoredReceipt[], lines: EngineLine[][], scenario: ReplayScenario, prepared: Prepared, segments: Map<string, ReadonlySet<string>>) {
    const contexts = await contextsOf(batch, lines, scenario, prepared, segments);
    const figures: ReceiptFigures[] = [];
    for (let i = 0; i < contexts.length; i++) {
      const ctx = contexts[i]!;
      const base = prepared.base(ctx.rules, ctx.tier);
      const result = runPipeline(ctx, batch[i]!.source === 'checkout' ? prepared.adjusters : [], base);
      figures.push(replayedFigures(batch[i]!, result, base));
    }
    return figures;
  }

  /**
   * Both configurations when they differ only in earning rules: one context (the live one) and one
   * adjust step a receipt, then each configuration's earn step on the adjusted lines with its own
   * rules (as at its store). What runPipeline does for each, less the part they share.
   */
  async function priceShared(batch: StoredReceipt[], lines: EngineLine[][], segments: Map<string, ReadonlySet<string>>) {
    const contexts = await contextsOf(batch, lines, scenarios.baseline, baseline, segments);
    const live: ReceiptFigures[] = [];
    const changed: ReceiptFigures[] = [];
    for (let i = 0; i < contexts.length; i++) {
      const ctx = contexts[i]!;
      const receipt = batch[i]!;
      const adjusted = adjustLines(ctx, receipt.source === 'checkout' ? baseline.adjusters : []);
      const liveBase = baseline.base(ctx.rules, ctx.tier);
      live.push(replayedFigures(receipt, earnAfter(ctx, adjusted, liveBase), liveBase));
      // The changed rules as contextOf would set them (a partner's store has its own); the tier is the same configuration's.
      const rules = receipt.source === 'bulk' ? scenarios.whatIf.rules.rules : earningAtStore(scenarios.whatIf.rules.rules, ctx.tier, ctx.store.id, rates.get(ctx.store.id) ?? null).rules;
      const other: CheckoutContext = { ...ctx, rules };
      const changedBase = whatIf.base(other.rules, other.tier);
      changed.push(replayedFigures(receipt, earnAfter(other, adjusted, changedBase), changedBase));
    }
    return { live, changed };
  }

  /** Receipts priced under both configurations, with what was stored. */
  async function priceChunk(chunk: StoredReceipt[], segments: Map<string, ReadonlySet<string>>): Promise<ReplayedReceipt[]> {
    const lines = chunk.map(engineLines);
    let live: ReceiptFigures[];
    let changed: ReceiptFigures[];
    if (shared) ({ live, changed } = await priceShared(chunk, lines, segments));
    else {
      live = await price(chunk, lines, scenarios.baseline, baseline, segments);
      changed = same ? live : await price(chunk, lines, scenarios.whatIf, whatIf, segments);
    }
    const entry = scenarios.baseline.tiers.tiers[0]?.id ?? null;
    return chunk.map((receipt, i): ReplayedReceipt => {
      const stored = actualFigures(receipt);
      const replayed = live[i]!;
      const tierId = receipt.customerId ? (receipt.source === 'bulk' ? entry : (receipt.tierId ?? entry)) : null;
      return {
        id: receipt.id,
        storeId: receipt.storeId,
        tierId,
        actual: { ...stored, pointsBase: Math.min(replayed.pointsBase, stored.pointsIssued) },
        whatIf: changed[i]!,
        mismatch: replayed.pointsIssued !== stored.pointsIssued || replayed.discountMinor !== stored.discountMinor || replayed.pointsRedeemed !== stored.pointsRedeemed,
      };
    });
  }

  /**
   * The batch after `after`: read ahead by an earlier call when it asked for it, else read now; and
   * the reads of the batches after it started. A batch's keyset cursor is its predecessor's last
   * receipt, known only once that is read; so a read two batches ahead starts from the last cursor
   * known and skips the batch in between (skip − 1 receipts), reading also the receipt just before
   * its own: when that one is the last of the batch in between, the rest is exactly what the keyset
   * read after it gives (receipts bought or removed between the two statements included, as each
   * statement sees them). When it is not (the window's receipts changed between the two reads),
   * the read is dropped and the batch is read after its own cursor.
   */
  async function read(window: ReplayWindow, after: ReplayCursor | null, limit: number): Promise<ReadReceipt[]> {
    const head = ahead[0];
    let batch: ReadReceipt[] | null = null;
    if (head && head.window === window && head.limit === limit) {
      if (head.skip === 0 && head.after?.at === after?.at && head.after?.id === after?.id) batch = await head.batch;
      else if (head.skip > 0 && after) {
        const rows = await head.batch;
        if (rows[0]?.id === after.id) batch = rows.slice(1);
      }
    }
    if (batch) ahead.shift();
    else ahead = [];
    batch ??= await readBatch(db, window, after, limit, history);
    if (batch.length < limit) {
      // The window is done: nothing after it to read.
      ahead = [];
      return batch;
    }
    const last = batch[batch.length - 1]!;
    const next = { at: last.atText, id: last.id };
    while (ahead.length < depth) {
      const skip = ahead.length * limit;
      const pending = skip === 0 ? readBatch(db, window, next, limit, history) : readBatch(db, window, next, limit + 1, history, skip - 1);
      // A run stopped before it asks for this batch leaves it unread: its failure is nobody's.
      pending.catch(() => undefined);
      ahead.push({ window, limit, after: next, skip, batch: pending });
    }
    return batch;
  }

  return {
    /** Receipts in the window: the run's total. */
    async count(window: ReplayWindow): Promise<number> {
      const row = await sql<{ n: number }>`select count(*)::int as n from receipts where occurred_at >= ${window.from}::timestamptz and occurred_at < ${window.to}::timestamptz`.execute(db);
      return row.rows[0]!.n;
    },
    /** The next `limit` receipts after `after`, replayed; `next` is null when the window is done. */
    async batch(window: ReplayWindow, after: ReplayCursor | null, limit: number): Promise<{ receipts: ReplayedReceipt[]; next: ReplayCursor | null }> {
      const rows = await read(window, after, limit);
      if (rows.length === 0) return { receipts: [], next: null };
      await storesOf(rows);
      const segments = await segmentsOf(rows);
      const receipts: ReplayedReceipt[] = [];
      for (let from = 0; from < rows.length; from += chunkSize) {
        // The event loop's turn between chunks: the reads ahead (their BEGIN, SET, SELECT and COMMIT each wait for one) go on, and so do requests.
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        receipts.push(...(await priceChunk(rows.slice(from, from + chunkSize).map(parsed), segments)));
      }
      const last = rows[rows.length - 1]!;
      return { receipts, next: rows.length < limit ? null : { at: last.atText, id: last.id } };
    },
  };
}

export type Replayer = Awaited<ReturnType<typeof createReplayer>>;
