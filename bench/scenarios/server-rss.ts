import { confirmLevels } from '../harness/confirm-loop.ts';
import { openLoop } from '../harness/http-load.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_MB = 300;

/**
 * The server's resident memory (VmRSS of the `node bin/patron.mjs serve` process, sampled every
 * 100 ms) during the loads on the shared server: calculate, confirm and lookup when they ran in
 * this run; run alone, it puts on its own short calculate and confirm load. Beside it, the
 * same process idle right after start-up and configuration.
 */
export const serverRss: Scenario = {
  name: 'server-rss',
  title: "the server's peak RSS under the checkout loads",
  goal: `< ${GOAL_MB} MB`,
  reference: 'the same server process idle, right after start-up and configuration (before any load)',
  sharedServer: true,
  async run(ctx) {
    const { client, posKey, data, idleRssMb, calculateBody } = await ctx.sharedServer();
    if (ctx.rssPeaks.length === 0) {
      ctx.say('  no load ran on the server yet in this run: calculate at 500/s, then confirm at 16 clients');
      await ctx.underLoad('calculate at 500/s', () => openLoop({ rate: 500, seconds: ctx.scale.fixedRateSeconds, send: (i) => client.post('/v1/checkout/calculate', calculateBody(i), posKey) }));
      await ctx.underLoad('confirm, 16 clients', () =>
        confirmLevels({ client, posKey, workload: data.workload, levels: [16], seconds: ctx.scale.confirmSeconds, runId: `rss-${ctx.runId}`, say: ctx.say }),
      );
    }
    for (const peak of ctx.rssPeaks) ctx.say(`    ${peak.label.padEnd(28)} peak ${peak.peakMb === null ? 'n/a' : `${fmt(peak.peakMb)} MB`}`);
    const measured = ctx.rssPeaks.map((p) => p.peakMb).filter((mb): mb is number => mb !== null);
    const peak = measured.length > 0 ? Math.max(...measured) : null;
    const worst = ctx.rssPeaks.find((p) => p.peakMb === peak);
    ctx.details['server-rss'] = { idleMb: idleRssMb, peaks: ctx.rssPeaks };
    return [
      {
        scenario: 'server-rss',
        figure: `peak RSS under load, ${fmt(data.customers)} customers`,
        value: peak,
        unit: 'MB',
        ...(worst ? { detail: `during ${worst.label}` } : { detail: 'not measurable here (no /proc)' }),
        goal: { text: `< ${GOAL_MB} MB`, met: peak !== null && peak < GOAL_MB },
        reference: { what: 'same server idle after start', value: idleRssMb },
      },
    ];
  },
};
