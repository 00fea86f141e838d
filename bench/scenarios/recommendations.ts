import pg from 'pg';
import { latencies } from '../harness/http-load.ts';
import { fmt } from '../harness/report.ts';
import type { ResultRow } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const SAMPLE = 200;

/**
 * Next best offers over the loyalty database: a model run (POST /v1/recommendations/runs, request
 * to completed: the served model, the holdout model and the holdout evaluation, SKUs and
 * categories) and the per-customer answer (GET /v1/customers/{id}/recommendations) for a
 * sample of customers with purchases, one after another, p50 and p99. The run's own holdout
 * figures (hit rate at 5, model and popularity) are printed beside them: generated baskets have
 * no planted pattern, so they say how the model does on that data, not that it is right.
 */
export const recommendations: Scenario = {
  name: 'recommendations',
  title: 'next best offers: the model run and the per-customer answer',
  goal: 'none set by the issue; the run is set-based SQL, the answer one indexed statement',
  reference: 'none',
  sharedServer: true,
  async run(ctx) {
    const { server, client, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    try {
      const started = performance.now();
      const reply = await client.post('/v1/recommendations/runs', JSON.stringify({}), server.adminKey);
      if (reply.status !== 202) throw new Error(`run: ${reply.status} ${reply.body}`);
      const runId = (JSON.parse(reply.body) as { id: string }).id;
      type Run = { status: string; phase: string; model: { baskets: number; items: number; pairs: number; categoryPairs: number } | null; evaluation: { products: Record<string, number>; categories: Record<string, number> } | null };
      let run: Run;
      for (;;) {
        run = JSON.parse((await client.get(`/v1/recommendations/runs/${runId}`, server.adminKey)).body) as Run;
        if (run.status === 'completed') break;
        if (run.status === 'failed') throw new Error('the recommendation run failed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const runMs = performance.now() - started;
      const model = run.model!;
      const products = run.evaluation!.products;
      ctx.say(`  run: ${fmt(model.baskets)} baskets, ${fmt(model.items)} SKUs, ${fmt(model.pairs)} SKU pairs, ${fmt(model.categoryPairs)} category pairs in ${fmt(runMs, 0)} ms`);
      ctx.say(`  holdout: ${fmt(products.customers!)} customers, hit rate at 5 ${products.modelHitRate} (model) against ${products.popularityHitRate} (popularity)`);

      const ids = (await direct.query<{ customer_id: string }>(
        `select distinct customer_id from receipts where customer_id is not null and status = 'confirmed' order by customer_id limit ${SAMPLE}`,
      )).rows.map((row) => row.customer_id);
      const samples: number[] = [];
      for (const id of ids) {
        const at = performance.now();
        const answer = await client.get(`/v1/customers/${id}/recommendations`, server.adminKey);
        if (answer.status !== 200) throw new Error(`recommendations of ${id}: ${answer.status} ${answer.body}`);
        samples.push(performance.now() - at);
      }
      const answered = latencies(samples);
      ctx.say(`  per customer (${answered.count} customers, one at a time): p50 ${answered.p50.toFixed(1)} ms, p99 ${answered.p99.toFixed(1)} ms`);
      ctx.details.recommendations = { customers: data.customers, runMs, model, evaluation: run.evaluation, answer: answered };
      const rows: ResultRow[] = [
        { scenario: 'recommendations', figure: `model run (build, holdout, evaluation) over ${fmt(data.customers)} customers`, value: runMs, unit: 'ms', detail: `${fmt(model.baskets)} baskets` },
        { scenario: 'recommendations', figure: 'one customer\'s offers, p50', value: answered.p50, unit: 'ms' },
        { scenario: 'recommendations', figure: 'one customer\'s offers, p99', value: answered.p99, unit: 'ms', detail: `${answered.count} customers` },
      ];
      return rows;
    } finally {
      await direct.end();
    }
  },
};
