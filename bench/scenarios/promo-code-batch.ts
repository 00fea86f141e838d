import fs from 'node:fs';
import path from 'node:path';
import { randomCode } from '../../src/modules/promotions/promo-codes.ts';
import { plainCopy } from '../harness/copy-reference.ts';
import { httpClient } from '../harness/http-load.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_SECONDS = 10;

/**
 * POST /v1/promo-codes/batches of `csvRows` codes (1 M at full scale) on a server over an empty
 * database, timed from the request to the batch's finishedAt. Beside it: COPY of the same
 * number of codes (made the same way) into a bare table of the same columns, the fastest
 * PostgreSQL takes such rows at all.
 */
export const promoCodeBatch: Scenario = {
  name: 'promo-code-batch',
  title: 'a batch of unique promo codes generated in the background',
  goal: `1 M codes in < ${GOAL_SECONDS} s`,
  reference: 'COPY of as many codes into a bare table with the same columns',
  async run(ctx) {
    const count = ctx.scale.csvRows;
    const target = await ctx.scratchDatabase('patron_bench_codes');
    const server = await ctx.startServer('codes', { databaseUrl: target.url, dataDir: path.join(ctx.tmp, 'server-codes') });
    const client = httpClient(server.port, 4);
    let ms: number | null = null;
    let detail = '';
    try {
      const promotion = await client.post('/v1/promotions', JSON.stringify({ name: 'Bench flyer', requiresCode: true, benefit: { kind: 'amount_off', amountMinor: 10000 } }), server.adminKey);
      const promotionId = (JSON.parse(promotion.body) as { id: string }).id;
      const started = performance.now();
      const created = await client.post('/v1/promo-codes/batches', JSON.stringify({ promotionId, count, prefix: 'BN' }), server.adminKey);
      const batchId = (JSON.parse(created.body) as { id: string }).id;
      for (;;) {
        const reply = await client.get(`/v1/promo-codes/batches/${batchId}`, server.adminKey);
        const batch = JSON.parse(reply.body) as { status: string; generated: number; failure: string | null };
        if (batch.status === 'completed') {
          ms = performance.now() - started;
          break;
        }
        if (batch.status === 'failed') {
          detail = `failed: ${batch.failure}`;
          break;
        }
        const seconds = (performance.now() - started) / 1000;
        if (Math.floor(seconds) > Math.floor(seconds - 0.1)) ctx.say(`    … ${fmt(batch.generated)} codes in ${fmt(seconds, 1)} s`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      client.close();
      await server.stop();
    }
    if (ms !== null) ctx.say(`  batch: ${fmt(count)} codes in ${fmt(ms / 1000, 2)} s → ${fmt((count * 1000) / ms)} codes/s`);

    const file = path.join(ctx.tmp, `codes-${count}.csv`);
    const out = fs.createWriteStream(file);
    const now = new Date().toISOString();
    for (let i = 0; i < count; i++) out.write(`BN${randomCode(7, '', false)}${i.toString(32)},prm_bench,pcb_bench,1,${now}\n`);
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const copied = await plainCopy(target.url, {
      file,
      table: 'bench_copy_codes',
      columns: 'code text primary key, promotion_id text not null, batch_id text, uses_limit integer, created_at timestamptz not null',
      copyOptions: 'format csv',
    });
    const copyMs = copied.ms;
    ctx.say(`  COPY of ${fmt(copied.rows)} codes into a bare table (primary key on code): ${fmt(copyMs / 1000, 2)} s`);
    ctx.details['promo-code-batch'] = { count, ms, copyMs };
    return [
      {
        scenario: 'promo-code-batch',
        figure: `${fmt(count)} codes, request to completed`,
        value: ms,
        unit: 'ms',
        ...(detail ? { detail } : {}),
        ...(count >= 1_000_000 ? { goal: { text: `< ${GOAL_SECONDS} s`, met: ms !== null && ms < GOAL_SECONDS * 1000 } } : {}),
        reference: { what: 'COPY of as many rows, bare table with a primary key', value: copyMs },
      },
    ];
  },
};
