import type { Selectable } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import type { FieldProblem } from '../../platform/errors.ts';
import type { EarningRuleSet, Loyalty, ReplayScenario, TierConfig } from '../loyalty/index.ts';
import type { PromotionChange, Promotions } from '../promotions/index.ts';
import { addReceipts, emptySums, reportOf, type WhatIfReport } from './report.ts';
import type { Db } from './what-if.db.ts';
import { whatIfError } from './what-if.errors.ts';
import type { Ids } from './what-if.ids.ts';
import type { WhatIfChanges, WhatIfRunsTable } from './what-if.tables.ts';

/**
 * A what-if run, as a background job with progress (its row's `phase`, `receipts`, `processed`):
 * counting — the receipts bought in the window;
 * replaying — a batch of receipts at a time read (one statement), priced by loyalty's replay under
 *   the live and the changed configuration, added to the sums; the sums and the last receipt done
 *   are saved with each batch, in one statement, so a run stopped or killed half-way resumes after
 *   the last batch it saved, and counts each receipt once;
 * done — the report made from the sums.
 * The window and both configurations are fixed when the run is asked for, so a resumed run
 * replays what the first attempt would have.
 */
export const BATCH = 1_000;
/** Runs at once: each keeps a core busy for as long as it takes. */
export const MAX_RUNNING = 2;
const DAY_MS = 86_400_000;

export type WhatIfRequest = {
  days: number;
  rules?: EarningRuleSet & { version?: number; updatedAt?: string | null };
  tiers?: TierConfig & { version?: number; updatedAt?: string | null };
  promotions?: PromotionChange[];
};

export type WhatIfRunView = {
  id: string;
  status: WhatIfRunsTable['status'];
  phase: WhatIfRunsTable['phase'];
  days: number;
  window: { from: string; to: string };
  changes: WhatIfChanges;
  receipts: number;
  processed: number;
  failure?: string;
  startedAt: string;
  finishedAt?: string;
  result?: WhatIfReport;
};

export function runView(row: Selectable<WhatIfRunsTable>): WhatIfRunView {
  return {
    id: row.id,
    status: row.status,
    phase: row.phase,
    days: row.days,
    window: { from: row.windowFrom.toISOString(), to: row.windowTo.toISOString() },
    changes: row.changes,
    receipts: row.receipts,
    processed: row.processed,
    ...(row.failure ? { failure: row.failure } : {}),
    startedAt: row.startedAt.toISOString(),
    ...(row.finishedAt ? { finishedAt: row.finishedAt.toISOString() } : {}),
    ...(row.result ? { result: row.result } : {}),
  };
}

export type RunDeps = {
  db: Db;
  clock: Clock;
  ids: Ids;
  /** Loyalty's replay and configuration checks: the only way this module reads receipts. */
  loyalty: Pick<Loyalty, 'whatIf'>;
  /** The promotions module's what-if set (null: no promotions wired, no adjuster input). */
  promotions: Pick<Promotions, 'whatIf'> | null;
  log?: { error(obj: object, msg: string): void };
  /** Receipts a batch reads and saves (BATCH; tests make it small to stop a run between batches). */
  batchSize?: number;
};

const under = (prefix: string, problems: FieldProblem[]) => problems.map((p) => ({ field: `${prefix}.${p.field}`, reason: p.reason }));

export function createRuns(deps: RunDeps) {
  const { db, clock, ids, loyalty, promotions } = deps;

  /** The live configuration and the changed one, each change checked as the route that saves it checks it. */
  async function scenariosOf(request: WhatIfRequest): Promise<{ baseline: ReplayScenario; scenario: ReplayScenario }> {
    const problems: FieldProblem[] = [];
    if (!Number.isInteger(request.days) || request.days < 1 || request.days > 366) {
      problems.push({ field: 'days', reason: `must be a whole number of days from 1 to 366; got ${request.days}` });
    }
    const live = await loyalty.whatIf.live();
    const baseline: ReplayScenario = { ...live, adjusters: {} };
    const scenario: ReplayScenario = { ...live, adjusters: {} };
    if (request.rules) {
      const rules: EarningRuleSet = { rules: request.rules.rules };
      problems.push(...under('rules', await loyalty.whatIf.problems('earning_rules', rules)));
      scenario.rules = rules;
    }
    if (request.tiers) {
      const { version: _version, updatedAt: _updatedAt, ...tiers } = request.tiers;
      problems.push(...under('tiers', await loyalty.whatIf.problems('tiers', tiers)));
      scenario.tiers = tiers;
    }
    if (promotions) {
      const name = promotions.whatIf.adjuster;
      baseline.adjusters[name] = await promotions.whatIf.live();
      if (request.promotions?.length) {
        const changed = await promotions.whatIf.withChanges(request.promotions);
        problems.push(...changed.problems);
        scenario.adjusters[name] = changed.scenario;
      } else {
        scenario.adjusters[name] = baseline.adjusters[name];
      }
    } else if (request.promotions?.length) {
      problems.push({ field: 'promotions', reason: 'no promotions module is wired into this server' });
    }
    if (problems.length > 0) throw whatIfError('what_if.invalid', problems.map((p) => `${p.field}: ${p.reason}`).join('; '), problems);
    return { baseline, scenario };
  }

  async function execute(runId: string, signal: AbortSignal): Promise<void> {
    const row = await db.selectFrom('whatIfRuns').selectAll().where('id', '=', runId).executeTakeFirst();
    if (!row || row.status !== 'running') return;
    const window = { from: row.windowFrom, to: row.windowTo };
    const replayer = await loyalty.whatIf.replayer({ baseline: row.baseline, whatIf: row.scenario });
    if (row.phase === 'counting') {
      const receipts = await replayer.count(window);
      await db.updateTable('whatIfRuns').set({ phase: 'replaying', receipts }).where('id', '=', runId).execute();
    }
    // Resumed: the sums and the cursor are those of the last batch saved; nothing after it was counted.
    const sums = row.phase === 'counting' ? emptySums() : row.sums;
    let cursor = row.phase === 'counting' ? null : row.cursor;
    let processed = row.phase === 'counting' ? 0 : row.processed;
    // Each batch's save is written while the next batch is priced, one save after another: the
    // row always holds the sums and cursor of a whole batch, and pricing does not wait for a
    // round trip and a commit a batch (800 of them for a month at 10 M receipts a year).
    let saved: Promise<unknown> = Promise.resolve();
    try {
      for (;;) {
        if (signal.aborted) return;
        const batch = await replayer.batch(window, cursor, deps.batchSize ?? BATCH);
        if (batch.receipts.length > 0) {
          addReceipts(sums, batch.receipts);
          processed += batch.receipts.length;
          cursor = batch.next;
          if (batch.next) {
            const values = { sums: JSON.stringify(sums), cursor: JSON.stringify(batch.next), processed };
            await saved;
            saved = db.updateTable('whatIfRuns').set(values).where('id', '=', runId).execute();
            // Handled here, so a failure while the next batch is priced is not an unhandled rejection (which ends the process); it is thrown where the save is awaited.
            saved.catch(() => undefined);
          }
        }
        if (!batch.next) break;
        // A batch is CPU work: let requests in between.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      // A run stopped or failed still leaves its last batch saved (or its save's failure reported) before it returns.
      await saved;
    }
    const result = reportOf(sums, row.baseline.program, row.baseline.tiers.tiers.map((tier) => tier.id));
    await db
      .updateTable('whatIfRuns')
      .set({ status: 'completed', phase: 'done', sums: JSON.stringify(sums), processed, result: JSON.stringify(result), finishedAt: clock.now() })
      .where('id', '=', runId)
      .execute();
  }

  async function work(runId: string, signal: AbortSignal): Promise<void> {
    try {
      await execute(runId, signal);
    } catch (error) {
      deps.log?.error({ err: error, runId }, 'what-if run failed');
      const failure = 'The run stopped on an error; start another (POST /v1/analytics/what-if)';
      await db.updateTable('whatIfRuns').set({ status: 'failed', failure, finishedAt: clock.now() }).where('id', '=', runId).execute().catch(() => undefined);
    }
  }

  const runs = backgroundRuns(work, (error, id) => deps.log?.error({ err: error, runId: id }, 'what-if run failed'));

  return {
    /** Checks the request, fixes the window and both configurations, and starts the run (202: follow it with get). */
    async start(request: WhatIfRequest, actor: Actor | null): Promise<WhatIfRunView> {
      const { baseline, scenario } = await scenariosOf(request);
      // A soft limit (two requests at once may both pass): it keeps a marketer's clicks from taking every core.
      const running = await db.selectFrom('whatIfRuns').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'running').executeTakeFirstOrThrow();
      if (Number(running.n) >= MAX_RUNNING) {
        throw whatIfError('what_if.busy', `${MAX_RUNNING} what-if runs are running, the most at once; follow one with GET /v1/analytics/what-if/{id} and start this when it has finished`);
      }
      const now = clock.now();
      const row = await db
        .insertInto('whatIfRuns')
        .values({
          id: ids.next('wif'),
          status: 'running',
          phase: 'counting',
          days: request.days,
          // The window ends when the run was asked for (that instant included), so a resumed run sees the same purchases.
          windowFrom: new Date(now.getTime() - request.days * DAY_MS),
          windowTo: new Date(now.getTime() + 1),
          changes: JSON.stringify({ rules: request.rules !== undefined, tiers: request.tiers !== undefined, promotions: request.promotions?.length ?? 0 }),
          baseline: JSON.stringify(baseline),
          scenario: JSON.stringify(scenario),
          receipts: 0,
          processed: 0,
          cursor: null,
          sums: JSON.stringify(emptySums()),
          result: null,
          failure: null,
          requestedBy: actor ? (actor.keyId ?? actor.name) : null,
          startedAt: now,
          finishedAt: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      runs.start(row.id);
      return runView(row);
    },
    async get(runId: string): Promise<WhatIfRunView> {
      const row = await db.selectFrom('whatIfRuns').selectAll().where('id', '=', runId).executeTakeFirst();
      if (!row) throw whatIfError('what_if.run_not_found', `No what-if run ${runId}; POST /v1/analytics/what-if starts one`);
      return runView(row);
    },
    /** Takes up runs left running by a stopped or killed process, each after the last batch it saved. */
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('whatIfRuns').select('id').where('status', '=', 'running').orderBy('id').execute();
      return runs.resume(rows.map((r) => r.id));
    },
    idle: runs.idle,
    stop: runs.stop,
  };
}

export type Runs = ReturnType<typeof createRuns>;
