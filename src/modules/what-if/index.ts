import type { Actor } from '../../platform/actor.ts';
import type { Clock } from '../../platform/clock.ts';
import { reportCsv } from './report.ts';
import { createRuns, type RunDeps, type WhatIfRequest } from './run.ts';
import type { Db } from './what-if.db.ts';
import { whatIfError } from './what-if.errors.ts';
import type { Ids } from './what-if.ids.ts';

export { whatIfModule } from './what-if.module.ts';
export { whatIfRoutes } from './what-if.routes.ts';
export type { WhatIfReport } from './report.ts';
export type { WhatIfRequest, WhatIfRunView } from './run.ts';

/**
 * What-if replay of rule changes (issue 10): the last N days of receipts priced again under
 * changed earning rules, tiers and promotions, against what actually happened. The replay itself
 * is loyalty's (loyalty/what-if-replay.ts, beside the pipeline it runs, over loyalty's receipts);
 * this module owns the run as a job, the report and the routes, and reads receipts only through
 * loyalty's index.
 */
export type WhatIfDeps = { db: Db; clock: Clock; ids: Ids } & Pick<RunDeps, 'loyalty' | 'promotions' | 'log' | 'batchSize'>;

export function createWhatIf(deps: WhatIfDeps) {
  const runs = createRuns(deps);
  return {
    runs,
    start: (request: WhatIfRequest, actor: Actor | null) => runs.start(request, actor),
    get: (id: string) => runs.get(id),
    /** The by-store and by-tier table of a completed run as CSV. */
    async csv(id: string): Promise<string> {
      const run = await runs.get(id);
      if (!run.result) throw whatIfError('what_if.not_completed', `What-if run ${id} is ${run.status} (${run.processed} of ${run.receipts} receipts); its table is there once it has completed`);
      return reportCsv(run.result);
    },
  };
}

export type WhatIf = ReturnType<typeof createWhatIf>;
