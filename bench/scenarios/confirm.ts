import { confirmLevels } from '../harness/confirm-loop.ts';
import { withCpu } from '../harness/cpu.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_PER_SECOND = 1_000;
const GOAL_SHARE_OF_PGBENCH = 0.15;

/**
 * POST /v1/checkout/confirm on PostgreSQL in closed loops of rising concurrency; the figure is
 * the best level. Beside it, pgbench's TPC-B-like script (five statements in a transaction:
 * three updates, a select, an insert) on the same server: what PostgreSQL itself sustains
 * for a small write transaction on this machine, which a confirm (more statements, the HTTP
 * layer, the ledger) can only approach.
 */
export const confirm: Scenario = {
  name: 'confirm',
  title: 'POST /v1/checkout/confirm on PostgreSQL, closed loops',
  goal: `≥ ${GOAL_PER_SECOND.toLocaleString('en-US')}/s and ≥ ${GOAL_SHARE_OF_PGBENCH * 100} % of pgbench TPC-B-like`,
  reference: 'pgbench TPC-B-like (default script) on the same PostgreSQL server, best of its client counts',
  sharedServer: true,
  async run(ctx) {
    const { server, client, posKey, database, data } = await ctx.sharedServer();
    ctx.say(`  closed loops of ${ctx.scale.confirmLevels.join(', ')} clients, ${ctx.scale.confirmSeconds} s each (unique posReceiptId; ~20 % redeem points)`);
    const { best, levels } = await ctx.underLoad('confirm, closed loops', () =>
      confirmLevels({
        client,
        posKey,
        workload: data.workload,
        levels: ctx.scale.confirmLevels,
        seconds: ctx.scale.confirmSeconds,
        runId: `pg-${ctx.runId}`,
        say: ctx.say,
        around: (work) => withCpu(server, ctx.admin, database, work),
      }),
    );
    await ctx.pause(2_000);
    const pgbench = await (await ctx.pgbench()).tpcb();
    ctx.details.confirm = { levels, pgbench: pgbench.runs };
    const share = best.perSecond / pgbench.best.tps;
    return [
      {
        scenario: 'confirm',
        figure: 'highest sustained confirms/s',
        value: best.perSecond,
        unit: '/s',
        detail: `${best.clients} client${best.clients === 1 ? '' : 's'}, p99 ${best.p99.toFixed(1)} ms${best.failures === 'none' ? '' : `, failures ${best.failures}`}`,
        goal: { text: `≥ ${GOAL_PER_SECOND.toLocaleString('en-US')}/s and ≥ ${GOAL_SHARE_OF_PGBENCH * 100} %`, met: best.perSecond >= GOAL_PER_SECOND && share >= GOAL_SHARE_OF_PGBENCH },
        reference: { what: `pgbench TPC-B-like, ${pgbench.best.clients} clients`, value: pgbench.best.tps },
      },
    ];
  },
};
