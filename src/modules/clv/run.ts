import { sql, type Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import { seededRandom } from '../../platform/seeded-random.ts';
import type { PurchaseFacts } from '../loyalty/index.ts';
import type { Db } from './clv.db.ts';
import { clvError } from './clv.errors.ts';
import type { Ids } from './clv.ids.ts';
import type { ClvParams, ClvResult, ClvRunsTable } from './clv.tables.ts';
import { discountSchedule, purchaseOutlook } from './clv-value.ts';
import { distributionOf } from './distribution.ts';
import { checkFitData, TooLittleData } from './fit-models.ts';
import { conditionalExpectedSpend, fitGammaGammaAsync } from './gamma-gamma.ts';
import { fitBgnbdAsync, probabilityAlive } from './bgnbd.ts';
import { countRepeatCustomers, loadSummary, type PurchaseSummary } from './summary-query.ts';
import { unitDays } from './transactions.ts';

/**
 * A CLV fit, as a background job with progress (its row's `phase` and `processed`):
 * summary — every customer's (x, tₓ, T, repeat spend) by the calibration end, aggregated in SQL;
 * fitting — BG/NBD on the distinct histories with their counts, Gamma-Gamma on the repeat customers;
 * predicting — every customer's expected purchases over the horizon, P(alive), expected spend, CLV;
 * writing — stored a batch at a time (processed counts them);
 * done — parameters and distribution on the run, the older fits' customer rows cleared, and
 *   whoever waits on new values (segments on clv.*) told.
 * A fit stopped or killed half-way starts again from its first phase when the process resumes
 * it: its calibration end and seed are saved, so it gives the same predictions.
 */
const BATCH = 10_000;
const PREDICT_CHUNK = 50_000;
/**
 * Each model is fitted on a seeded random sample of at most this many customers (every customer
 * is then predicted). Nelder–Mead takes 1,500–10,000 likelihood evaluations, each a pass over the
 * rows (about 30–60 ns a row here): over a million rows that is minutes, over 50,000 seconds; and
 * a sample of 50,000 pins 4 and 3 parameters down far below the spread between customers (their
 * standard errors shrink as 1/√n). The CLI fits every customer of its file.
 */
const FIT_SAMPLE = 50_000;

export type ClvRunView = {
  id: string;
  status: ClvRunsTable['status'];
  phase: ClvRunsTable['phase'];
  params: ClvParams;
  customers: number;
  repeatCustomers: number;
  processed: number;
  failure?: string;
  requestedBy: string | null;
  startedAt: string;
  finishedAt?: string;
};

export function runView(row: Selectable<ClvRunsTable>): ClvRunView {
  return {
    id: row.id,
    status: row.status,
    phase: row.phase,
    params: row.params,
    customers: row.customers,
    repeatCustomers: row.repeatCustomers,
    processed: row.processed,
    ...(row.failure ? { failure: row.failure } : {}),
    requestedBy: row.requestedBy,
    startedAt: row.startedAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
  };
}

/** At most `size` of 0…n−1, drawn without replacement by a seeded partial Fisher–Yates (all of them, in order, when n ≤ size). */
function sampleRows(n: number, size: number, seed: number, keep: (i: number) => boolean = () => true): Uint32Array {
  const candidates: number[] = [];
  for (let i = 0; i < n; i++) if (keep(i)) candidates.push(i);
  if (candidates.length <= size) return Uint32Array.from(candidates);
  const random = seededRandom(seed);
  for (let k = 0; k < size; k++) {
    const j = k + Math.floor(random() * (candidates.length - k));
    [candidates[k], candidates[j]] = [candidates[j]!, candidates[k]!];
  }
  return Uint32Array.from(candidates.slice(0, size));
}

/** A refusal the run records in plain words (too few repeat customers), as against an unexpected error. */
class RunRefused extends Error {}

export type RunDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  facts: PurchaseFacts;
  onComputed?: (runId: string) => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

const yieldToEventLoop = () => new Promise((resolve) => setImmediate(resolve));
const seconds = (from: number) => Math.round((performance.now() - from) / 10) / 100;

/**
 * BG/NBD's data: the distinct (x, tₓ, T) with how many customers have each. Days are whole
 * numbers, so a million customers of a year have far fewer distinct histories, and the fit's
 * cost follows those. The key packs the three integers below 2⁵³ (x, recency and age < 2¹⁷
 * days each would take 359 years; x < 2¹⁹ purchase days).
 */
function groupedHistories(summary: PurchaseSummary, unit: number, rows?: Uint32Array) {
  const index = new Map<number, number>();
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  const weight: number[] = [];
  const count = rows ? rows.length : summary.x.length;
  for (let k = 0; k < count; k++) {
    const i = rows ? rows[k]! : k;
    const key = (summary.x[i]! * 131_072 + summary.recencyDays[i]!) * 131_072 + summary.ageDays[i]!;
    const at = index.get(key);
    if (at !== undefined) weight[at]!++;
    else {
      index.set(key, x.length);
      x.push(summary.x[i]!);
      tx.push(summary.recencyDays[i]! / unit);
      T.push(summary.ageDays[i]! / unit);
      weight.push(1);
    }
  }
  return { index, x: Float64Array.from(x), tx: Float64Array.from(tx), T: Float64Array.from(T), weight: Float64Array.from(weight) };
}

export function createRuns(deps: RunDeps) {
  const { db, clock, ids } = deps;

  const setPhase = (runId: string, phase: ClvRunsTable['phase'], more: Partial<Pick<ClvRunsTable, 'customers' | 'repeatCustomers' | 'processed'>> = {}) =>
    db.updateTable('clvRuns').set({ phase, ...more }).where('id', '=', runId).execute();

  async function execute(runId: string, signal: AbortSignal): Promise<void> {
    const row = await db.selectFrom('clvRuns').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row || row.status !== 'running') return;
    const params = row.params;
    const took: Record<string, number> = {};
    // A resumed fit starts over: what a stopped attempt wrote is cleared first.
    await db.deleteFrom('customerClv').where('runId', '=', runId).execute();
    await setPhase(runId, 'summary', { customers: 0, repeatCustomers: 0, processed: 0 });
    let started = performance.now();
    const summary = await loadSummary(db, deps.facts, params.calibrationEnd, signal);
    if (!summary) return;
    took.summary = seconds(started);
    const n = summary.customerIds.length;
    const unit = unitDays[params.unit];
    const zbar = new Float64Array(n);
    let repeatCustomers = 0;
    for (let i = 0; i < n; i++) {
      if (summary.x[i]! > 0) {
        zbar[i] = summary.repeatMinor[i]! / summary.x[i]!;
        repeatCustomers++;
      }
    }
    await setPhase(runId, 'fitting', { customers: n, repeatCustomers });
    if (signal.aborted) return;
    started = performance.now();
    const histories = groupedHistories(summary, unit);
    // BG/NBD on a sample's distinct histories with their counts; the spend model on a sample of the repeat customers (zbar unused by BG/NBD).
    const sampled = groupedHistories(summary, unit, sampleRows(n, FIT_SAMPLE, params.seed));
    const historyData = { x: sampled.x, tx: sampled.tx, T: sampled.T, weight: sampled.weight, zbar: new Float64Array(sampled.x.length) };
    const spenders = sampleRows(n, FIT_SAMPLE, params.seed + 1, (i) => summary.x[i]! > 0 && zbar[i]! > 0);
    const pick = (from: Float64Array) => Float64Array.from(spenders, (i) => from[i]!);
    const spendData = { x: pick(summary.x), tx: pick(summary.recencyDays), T: pick(summary.ageDays), zbar: pick(zbar), weight: new Float64Array(spenders.length).fill(1) };
    try {
      if (repeatCustomers < params.minRepeatCustomers) {
        throw new TooLittleData(`${repeatCustomers} of ${n} customers bought again (on a later day); the fit needs at least ${params.minRepeatCustomers} (minRepeatCustomers)`);
      }
      checkFitData(historyData, { spend: spendData });
    } catch (error) {
      if (error instanceof TooLittleData) throw new RunRefused(`${error.message}; the calibration period ends ${params.calibrationEnd}`);
      throw error;
    }
    // Each fit takes seconds at a million customers: it pauses for the event loop as it goes, so requests are served meanwhile.
    const bgnbd = await fitBgnbdAsync(historyData, { seed: params.seed });
    if (signal.aborted) return;
    const gammaGamma = await fitGammaGammaAsync(spendData, { seed: params.seed });
    const fit = { bgnbd, gammaGamma };
    took.fitting = seconds(started);
    await setPhase(runId, 'predicting');
    if (signal.aborted) return;
    started = performance.now();
    const schedule = discountSchedule(params);
    const outlook = new Float64Array(histories.x.length * 3);
    for (let g = 0; g < histories.x.length; g++) {
      const o = purchaseOutlook(fit.bgnbd.params, schedule, histories.x[g]!, histories.tx[g]!, histories.T[g]!);
      outlook[g * 3] = o.expected;
      outlook[g * 3 + 1] = o.discounted;
      outlook[g * 3 + 2] = probabilityAlive(fit.bgnbd.params, histories.x[g]!, histories.tx[g]!, histories.T[g]!);
      if (g % PREDICT_CHUNK === PREDICT_CHUNK - 1) await yieldToEventLoop();
    }
    const predicted = { expectedPurchases: new Float64Array(n), pAlive: new Float64Array(n), expectedSpendMinor: new Float64Array(n), clvMinor: new Float64Array(n) };
    const margin = params.marginPercent / 100;
    for (let i = 0; i < n; i++) {
      const g = histories.index.get((summary.x[i]! * 131_072 + summary.recencyDays[i]!) * 131_072 + summary.ageDays[i]!)!;
      const spend = conditionalExpectedSpend(fit.gammaGamma.params, summary.x[i]!, zbar[i]!);
      predicted.expectedPurchases[i] = outlook[g * 3]!;
      predicted.pAlive[i] = outlook[g * 3 + 2]!;
      // Money leaves the model here: whole minor units, half away from zero (both are ≥ 0).
      predicted.expectedSpendMinor[i] = Math.round(spend);
      predicted.clvMinor[i] = Math.round(margin * spend * outlook[g * 3 + 1]!);
    }
    // A fit on very few or very alike customers can run to the edge of its parameters, where the
    // predictions are not numbers (BG/NBD's mean needs a + b + x > 1): that is said in words,
    // never written as NaN.
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(predicted.clvMinor[i]!) || !Number.isFinite(predicted.expectedPurchases[i]!)) {
        const { r, alpha, a, b } = fit.bgnbd.params;
        throw new RunRefused(
          `The models fitted to these ${n} customers (${repeatCustomers} of them repeat) sit at the edge of what they can describe (r ${r.toPrecision(3)}, alpha ${alpha.toPrecision(3)}, a ${a.toPrecision(3)}, b ${b.toPrecision(3)}) and predict no number for some customers; fit again when more customers have bought on several days`,
        );
      }
    }
    took.predicting = seconds(started);
    await setPhase(runId, 'writing');
    started = performance.now();
    for (let start = 0; start < n; start += BATCH) {
      if (signal.aborted) return;
      const end = Math.min(n, start + BATCH);
      const slice = <T extends Float64Array>(a: T) => Array.from(a.subarray(start, end));
      await db.transaction().execute(async (tx) => {
        await sql`insert into customer_clv (customer_id, run_id, x, recency_days, age_days, expected_purchases, p_alive, expected_spend_minor, clv_minor)
          select t.customer_id, ${runId}, t.x, t.recency, t.age, t.purchases, t.alive, t.spend, t.clv
          from unnest(${summary.customerIds.slice(start, end)}::text[], ${slice(summary.x)}::int[], ${slice(summary.recencyDays)}::int[], ${slice(summary.ageDays)}::int[],
            ${slice(predicted.expectedPurchases)}::float8[], ${slice(predicted.pAlive)}::float8[], ${slice(predicted.expectedSpendMinor)}::bigint[], ${slice(predicted.clvMinor)}::bigint[])
            as t(customer_id, x, recency, age, purchases, alive, spend, clv)`.execute(tx);
        await tx.updateTable('clvRuns').set({ processed: end }).where('id', '=', runId).execute();
      });
    }
    took.writing = seconds(started);
    const result: ClvResult = {
      bgnbd: { ...fit.bgnbd.params, logLikelihood: fit.bgnbd.logLikelihood, converged: fit.bgnbd.converged },
      gammaGamma: { ...fit.gammaGamma.params, logLikelihood: fit.gammaGamma.logLikelihood, converged: fit.gammaGamma.converged },
      distribution: distributionOf({ clvMinor: predicted.clvMinor, pAlive: predicted.pAlive, expectedPurchases: predicted.expectedPurchases }),
      seconds: took,
    };
    await db.transaction().execute(async (tx) => {
      await tx.updateTable('clvRuns').set({ status: 'completed', phase: 'done', result: JSON.stringify(result), finishedAt: clock.now() }).where('id', '=', runId).execute();
      // Only the latest completed fit's customers are read (the customer view, segments): the older ones go.
      await tx.deleteFrom('customerClv').where('runId', '<>', runId).execute();
    });
    if (deps.onComputed) {
      await deps.onComputed(runId).catch((error: unknown) => deps.log?.error({ err: error, runId }, 'after a CLV fit: the segments on clv.* did not start recomputing'));
    }
  }

  async function work(runId: string, signal: AbortSignal): Promise<void> {
    try {
      await execute(runId, signal);
    } catch (error) {
      if (!(error instanceof RunRefused)) deps.log?.error({ err: error, runId }, 'CLV fit failed');
      const failure = error instanceof RunRefused ? error.message : 'The fit stopped on an error; start another (POST /v1/analytics/clv/fit)';
      await db.updateTable('clvRuns').set({ status: 'failed', failure, finishedAt: clock.now() }).where('id', '=', runId).execute().catch(() => undefined);
    }
  }

  const runs = backgroundRuns(work, (error, id) => deps.log?.error({ err: error, runId: id }, 'CLV fit failed'));

  return {
    /** Starts a fit (one already running is answered instead of a second). */
    async start(params: ClvParams, actor: Actor | null): Promise<ClvRunView> {
      const running = await db.selectFrom('clvRuns').selectAll().where('status', '=', 'running').executeTakeFirst();
      if (running) return runView(running);
      // Too few repeat customers is said at once, in words, rather than as a fit that fails a moment
      // later (the fit checks again: purchases can be returned in between). The count stops at enough.
      const repeat = await countRepeatCustomers(db, deps.facts, params.calibrationEnd, params.minRepeatCustomers);
      if (repeat < params.minRepeatCustomers) {
        throw clvError(
          'clv.too_few_customers',
          `${repeat} customers bought on two or more different days by ${params.calibrationEnd}; fitting the CLV models needs at least ${params.minRepeatCustomers} (minRepeatCustomers), so wait for more purchases, move calibrationEnd later or lower minRepeatCustomers (at least 2)`,
        );
      }
      const inserted = await db
        .insertInto('clvRuns')
        .values({
          id: ids.next('clv'),
          status: 'running',
          phase: 'summary',
          params: JSON.stringify(params),
          customers: 0,
          repeatCustomers: 0,
          processed: 0,
          result: null,
          failure: null,
          requestedBy: actor ? (actor.keyId ?? actor.name) : null,
          startedAt: clock.now(),
          finishedAt: null,
        })
        .onConflict((oc) => oc.column('status').where('status', '=', 'running').doNothing())
        .returningAll()
        .executeTakeFirst();
      const row = inserted ?? (await db.selectFrom('clvRuns').selectAll().where('status', '=', 'running').executeTakeFirst());
      if (!row) throw new Error('a CLV fit neither started nor was running');
      runs.start(row.id);
      return runView(row);
    },
    async get(runId: string): Promise<ClvRunView> {
      const row = await db.selectFrom('clvRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row) throw clvError('clv.run_not_found', `No CLV fit ${runId}; POST /v1/analytics/clv/fit starts one`);
      return runView(row);
    },
    /** Takes up fits left running by a stopped or killed process (each starts over; see above). */
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('clvRuns').select('id').where('status', '=', 'running').execute();
      return runs.resume(rows.map((r) => r.id));
    },
    idle: runs.idle,
    stop: runs.stop,
  };
}

export type Runs = ReturnType<typeof createRuns>;
