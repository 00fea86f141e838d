import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_MS = 120_000;

type Run = { id: string; status: string; phase: string; customers: number; processed: number; chosenK: number | null; meanAdjustedRand: number | null; failure?: string };

/**
 * A full clustering run over the loyalty database's customers (POST /v1/clusters/runs with the
 * defaults: a year of purchases, k from 2 to 8 on a 20,000-customer sample, 15 bootstrap
 * samples), timed from the request to `completed`, every customer's cluster written. The time
 * of each phase is taken from the run's progress as it is polled.
 */
export const clusters: Scenario = {
  name: 'clusters',
  title: 'customer clusters: a full run (k by silhouette, bootstrap stability, every customer assigned)',
  goal: `< ${GOAL_MS / 1000} s at 1 M customers`,
  reference: 'none: the goal of issue 9 (clustering 1 M customers in under 120 s)',
  sharedServer: true,
  async run(ctx) {
    const { server, client, data } = await ctx.sharedServer();
    const started = performance.now();
    const reply = await client.post('/v1/clusters/runs', JSON.stringify({}), server.adminKey);
    if (reply.status !== 202) throw new Error(`start: ${reply.status} ${reply.body}`);
    const id = (JSON.parse(reply.body) as Run).id;
    const phases = new Map<string, number>();
    let run: Run;
    for (;;) {
      run = JSON.parse((await client.get(`/v1/clusters/runs/${id}`, server.adminKey)).body) as Run;
      if (!phases.has(run.phase)) phases.set(run.phase, performance.now() - started);
      if (run.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const ms = performance.now() - started;
    if (run.status !== 'completed') throw new Error(`the run ${run.status}: ${run.failure ?? ''}`);
    ctx.say(`  ${fmt(run.customers)} customers clustered into ${run.chosenK} in ${fmt(ms, 0)} ms (mean adjusted Rand ${run.meanAdjustedRand}); phases began at ${[...phases].map(([p, t]) => `${p} ${fmt(t, 0)} ms`).join(', ')}`);
    ctx.details.clusters = { customers: run.customers, k: run.chosenK, ms, phases: Object.fromEntries(phases) };
    const atScale = data.customers >= 1_000_000;
    return [{
      scenario: 'clusters',
      figure: `a full run over ${fmt(run.customers)} customers who bought, request to completed`,
      value: ms,
      unit: 'ms',
      ...(atScale ? { goal: { text: `< ${GOAL_MS / 1000} s`, met: ms < GOAL_MS } } : {}),
    }];
  },
};
