import { stringify } from 'csv-stringify/sync';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import type { SegmentField } from '../../platform/segment-fields.ts';
import type { PurchaseFacts } from '../loyalty/index.ts';
import type { Db } from './clv.db.ts';
import { clvError } from './clv.errors.ts';
import type { Ids } from './clv.ids.ts';
import type { ClvParams, ClvResult } from './clv.tables.ts';
import { createRuns, runView, type ClvRunView } from './run.ts';
import { dayNumber, dayText } from './transactions.ts';

export { clvModule } from './clv.module.ts';
export { clvRoutes } from './clv.routes.ts';
export type { ClvRunView } from './run.ts';
// The models themselves, for the CLI (`patron clv fit`) and anyone fitting a file.
export { fitFile, type FileFitOptions, type FileFitResult } from './file-fit.ts';
export { TooLittleData } from './fit-models.ts';
export { TransactionFileError, type TransactionFormat } from './transaction-files.ts';
export { dayNumber, type TimeUnit } from './transactions.ts';

export type ClvDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Loyalty's purchase facts: the only way this module reads purchases. */
  facts: PurchaseFacts;
  /** After a fit completes: buildApp has the segments that use clv.* recompute. */
  onComputed?: (runId: string) => Promise<unknown>;
  log?: { error(obj: object, msg: string): void };
};

export type ClvReport = {
  run: ClvRunView;
  fittedAt: string;
  bgnbd: ClvResult['bgnbd'];
  gammaGamma: ClvResult['gammaGamma'];
  distribution: ClvResult['distribution'];
};

/** What the customer view shows of a customer's prediction in the latest completed fit. */
export type CustomerClv = {
  runId: string;
  expectedPurchases: number;
  pAlive: number;
  expectedSpendMinor: number;
  clvMinor: number;
  horizon: number;
  unit: ClvParams['unit'];
  calibrationEnd: string;
};

/** The latest completed fit's id as SQL: what the customer view and the segment fields read. */
const latestRun = sql`(select r.id from clv_runs r where r.status = 'completed' order by r.finished_at desc, r.id desc limit 1)`;

const field = (key: string, column: string, description: string): SegmentField => ({
  key,
  kind: 'number',
  description,
  value: (_params, ctx) => sql`(select ${sql.ref(`v.${column}`)} from customer_clv v where v.customer_id = ${ctx.id} and v.run_id = ${latestRun})`,
});

const clvFields: SegmentField[] = [
  field('clv.value', 'clv_minor', "The customer's predicted CLV in the latest completed CLV fit, minor units (GET /v1/analytics/clv says its horizon and margin); not set for a customer with no purchase by its calibration end"),
  field('clv.pAlive', 'p_alive', 'The probability the customer still buys (0–1), by the latest completed CLV fit'),
  field('clv.expectedPurchases', 'expected_purchases', 'Purchases (purchase days) the latest completed CLV fit expects of the customer over its horizon'),
];

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function checkParams(given: Partial<ClvParams>, now: Date): ClvParams {
  const unit = given.unit ?? 'week';
  const today = dayText(Math.floor(now.getTime() / 86_400_000));
  const calibrationEnd = given.calibrationEnd ?? today;
  const day = dayNumber(calibrationEnd);
  if (day === null || !/^\d{4}-\d{2}-\d{2}$/.test(calibrationEnd) || calibrationEnd < '1900-01-01') {
    throw clvError('clv.invalid', `calibrationEnd: must be a real date YYYY-MM-DD from 1900 on; got ${JSON.stringify(calibrationEnd)}`, [{ field: 'calibrationEnd', reason: 'must be a real date YYYY-MM-DD' }]);
  }
  if (calibrationEnd > today) {
    throw clvError('clv.invalid', `calibrationEnd: must be today (${today}) or earlier: purchases after it are the future; got ${calibrationEnd}`, [{ field: 'calibrationEnd', reason: `must be ${today} or earlier` }]);
  }
  const maxHorizon = unit === 'week' ? 520 : 3660;
  const horizon = given.horizon ?? (unit === 'week' ? 52 : 365);
  if (horizon > maxHorizon) {
    throw clvError('clv.invalid', `horizon: at most ${maxHorizon} ${unit}s (ten years); got ${horizon}`, [{ field: 'horizon', reason: `must be at most ${maxHorizon} when unit is ${unit}` }]);
  }
  return {
    calibrationEnd,
    unit,
    horizon,
    discountRatePerYear: given.discountRatePerYear ?? 0.1,
    marginPercent: given.marginPercent ?? 100,
    minRepeatCustomers: given.minRepeatCustomers ?? 20,
    seed: given.seed ?? 1,
  };
}

/** The CLV module's public face: fits, the latest fit, a customer's prediction, the segment fields. */
export function createClv(deps: ClvDeps) {
  const { db, clock } = deps;
  const runs = createRuns(deps);

  async function latest(): Promise<ClvReport> {
    const run = await db.selectFrom('clvRuns').selectAll().where('status', '=', 'completed').orderBy('finishedAt', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (!run || !run.result) throw clvError('clv.no_fit', 'No CLV fit has completed yet; POST /v1/analytics/clv/fit starts one');
    const { bgnbd, gammaGamma, distribution } = run.result;
    const six = (value: number) => round(value, 6);
    return {
      run: runView(run),
      fittedAt: run.finishedAt!.toISOString(),
      bgnbd: { r: six(bgnbd.r), alpha: six(bgnbd.alpha), a: six(bgnbd.a), b: six(bgnbd.b), logLikelihood: round(bgnbd.logLikelihood, 4), converged: bgnbd.converged },
      gammaGamma: { p: six(gammaGamma.p), q: six(gammaGamma.q), v: six(gammaGamma.v), logLikelihood: round(gammaGamma.logLikelihood, 4), converged: gammaGamma.converged },
      distribution,
    };
  }

  return {
    runs,
    start: (given: Partial<ClvParams>, actor: Actor | null) => runs.start(checkParams(given, clock.now()), actor),
    latest,
    /** The latest fit's deciles as CSV: one row a tenth of the customers by CLV, the highest first. */
    async latestCsv(): Promise<string> {
      const report = await latest();
      const header = ['decile', 'customers', 'clv_minor_from', 'clv_minor_to', 'clv_minor_total', 'p_alive_mean', 'expected_purchases_mean'];
      const rows = report.distribution.deciles.map((d) => [d.decile, d.customers, d.clvMinorFrom, d.clvMinorTo, d.clvMinorTotal, d.pAliveMean, d.expectedPurchasesMean].map(String));
      return stringify([header, ...rows]);
    },
    /** The customer's prediction in the latest completed fit; null when they have none. */
    async ofCustomer(customerId: string): Promise<CustomerClv | null> {
      const rows = await sql<{ runId: string; expectedPurchases: number; pAlive: number; expectedSpendMinor: string; clvMinor: string; params: ClvParams }>`select v.run_id, v.expected_purchases, v.p_alive, v.expected_spend_minor, v.clv_minor, r.params
        from customer_clv v join clv_runs r on r.id = v.run_id
        where v.customer_id = ${customerId} and v.run_id = ${latestRun}`.execute(db);
      const found = rows.rows[0];
      if (!found) return null;
      return {
        runId: found.runId,
        expectedPurchases: round(found.expectedPurchases, 4),
        pAlive: round(found.pAlive, 4),
        expectedSpendMinor: Number(found.expectedSpendMinor),
        clvMinor: Number(found.clvMinor),
        horizon: found.params.horizon,
        unit: found.params.unit,
        calibrationEnd: found.params.calibrationEnd,
      };
    },
    segmentFields: (): SegmentField[] => clvFields,
  };
}

export type Clv = ReturnType<typeof createClv>;
