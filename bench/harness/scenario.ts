import type { BenchContext } from './context.ts';
import type { ResultRow } from './report.ts';

/**
 * One benchmark scenario: a module in bench/scenarios/ and a line in its index.ts. `run` prints
 * its progress through `ctx.say`, returns its rows for the table, and may leave more figures
 * for the JSON in `ctx.details[name]`. It asserts nothing: a missed goal is a row, not an error.
 */
export type Scenario = {
  name: string;
  /** What is measured, in a few words. */
  title: string;
  /** The goal on this machine, in words. */
  goal: string;
  /** What the limit reference is, one line: printed under the table. */
  reference: string;
  /** Runs on the shared server on the loyalty database (it is stopped once no later scenario needs it). */
  sharedServer?: boolean;
  run(ctx: BenchContext): Promise<ResultRow[]>;
};
