import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openPgliteDir, pgliteOptions, wrapPglite } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { generateLoyaltyData, pgliteRunner } from '../generate/loyalty-data.ts';
import { assignTiers, loadWorkload, timeCheckoutInProcess, type Workload } from '../harness/checkout-workload.ts';
import { confirmLevels } from '../harness/confirm-loop.ts';
import { withCpu } from '../harness/cpu.ts';
import { httpClient } from '../harness/http-load.ts';
import { printPhaseTimings } from '../harness/phase-timings.ts';
import { pgliteTpcb } from '../harness/pglite-tpcb.ts';
import { fmt } from '../harness/report.ts';
import { peakRssDuring } from '../harness/rss.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_PER_SECOND = 300;

/**
 * POST /v1/checkout/confirm against a server on the embedded database (no DATABASE_URL,
 * PATRON_DATA_DIR), filled before it starts with a smaller data set by the same generator SQL
 * (PGlite's files belong to one process at a time). Beside it, pgbench's TPC-B-like
 * transaction run by hand on a file-backed PGlite in the harness process: what the embedded
 * engine itself sustains for five statements in a transaction on this machine.
 */
export const pgliteConfirm: Scenario = {
  name: 'pglite-confirm',
  title: 'POST /v1/checkout/confirm on the embedded PGlite database, closed loops',
  goal: `≥ ${GOAL_PER_SECOND}/s`,
  reference: "pgbench's TPC-B-like transaction (same five statements) on a file-backed PGlite in the harness process, one after another",
  async run(ctx) {
    const dir = path.join(ctx.tmp, 'server-pglite');
    fs.mkdirSync(dir, { recursive: true });
    const { pgliteCustomers: customers, pgliteReceipts: receipts } = ctx.scale;
    const pglite = await PGlite.create(path.join(dir, 'pglite'), pgliteOptions());
    const setup = wrapPglite(pglite);
    let workload: Workload;
    try {
      const at = performance.now();
      await migrate(setup);
      const run = pgliteRunner(pglite);
      await generateLoyaltyData(run, { customers, receipts, memory: 'small' });
      await assignTiers(run);
      workload = await loadWorkload(run);
      ctx.say(`  PGlite in ${dir}: ${fmt(customers)} customers, ${fmt(receipts)} receipts generated in ${fmt((performance.now() - at) / 1000, 1)} s`);
    } finally {
      await setup.close();
    }

    const server = await ctx.startServer('pglite', { dataDir: dir });
    const client = httpClient(server.port);
    let result: Awaited<ReturnType<typeof confirmLevels>>;
    let peakMb: number | null;
    try {
      const posKey = await ctx.configure(client, server);
      ctx.say(`  server pid ${server.pid} on 127.0.0.1:${server.port}; closed loops of ${ctx.scale.pgliteLevels.join(', ')} clients, ${ctx.scale.confirmSeconds} s each`);
      const measured = await peakRssDuring(server.pid, () =>
        confirmLevels({
          client,
          posKey,
          workload,
          levels: ctx.scale.pgliteLevels,
          seconds: ctx.scale.confirmSeconds,
          runId: `pglite-${ctx.runId}`,
          say: ctx.say,
          around: (work) => withCpu(server, null, null, work),
        }),
      );
      result = measured.value;
      peakMb = measured.peakMb;
      ctx.say(`    server RSS peak ${peakMb === null ? 'n/a' : `${fmt(peakMb)} MB`} (the database runs inside the server process)`);
    } finally {
      client.close();
      await server.stop();
    }

    if (ctx.options.breakdown) {
      ctx.say('  where the time goes on PGlite: calculate and confirm one at a time in the harness process, every SQL statement timed');
      const database = await openPgliteDir(dir);
      try {
        printPhaseTimings(await timeCheckoutInProcess(database, workload, { count: 300, dataDir: path.join(ctx.tmp, 'in-process-pglite') }), ctx.say);
      } finally {
        await database.close();
      }
    }

    const referenceDir = path.join(ctx.tmp, 'pglite-tpcb');
    fs.mkdirSync(referenceDir, { recursive: true });
    const reference = await pgliteTpcb(referenceDir, { seconds: ctx.scale.confirmSeconds });
    ctx.say(`  reference: TPC-B-like on PGlite, one at a time, ${ctx.scale.confirmSeconds} s: ${fmt(reference.tps)} transactions/s (p50 ${reference.latency.p50.toFixed(2)} ms, p99 ${reference.latency.p99.toFixed(2)} ms)`);
    fs.rmSync(referenceDir, { recursive: true, force: true });

    ctx.details['pglite-confirm'] = { customers, receipts, levels: result.levels, peakRssMb: peakMb, pgliteTpcb: reference };
    const { best } = result;
    return [
      {
        scenario: 'pglite-confirm',
        figure: 'highest sustained confirms/s',
        value: best.perSecond,
        unit: '/s',
        detail: `${best.clients} client${best.clients === 1 ? '' : 's'}, p99 ${best.p99.toFixed(1)} ms, ${fmt(customers)} customers${best.failures === 'none' ? '' : `, failures ${best.failures}`}`,
        goal: { text: `≥ ${GOAL_PER_SECOND}/s`, met: best.perSecond >= GOAL_PER_SECOND },
        reference: { what: 'TPC-B-like on PGlite, in process', value: reference.tps },
      },
    ];
  },
};
