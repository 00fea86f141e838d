import pg from 'pg';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_MS = 60_000;
const DAYS = 30;

type Run = { id: string; status: string; phase: string; receipts: number; processed: number; failure?: string; result?: { mismatched: number; total: { difference: { pointsIssued: number; costMinor: number } } } };

/**
 * A what-if run over the last 30 days of receipts with the base rate doubled (POST
 * /v1/analytics/what-if to completed: every receipt of the window read a batch at a time, priced
 * by the pipeline under the live and the changed rules, summed by store and tier), beside reading
 * the same receipts and lines hand-written in SQL on the same database in the same run (counted,
 * not priced): what the replay costs over the read any replay has to make.
 */
const handWritten = `
  select count(distinct r.id)::int as receipts, count(*)::int as lines
  from receipts r join receipt_lines l on l.receipt_id = r.id
  where r.occurred_at >= now() - interval '${DAYS} days'`;

export const whatIf: Scenario = {
  name: 'what-if',
  title: `what-if replay: the last ${DAYS} days of receipts priced again with the base rate doubled`,
  goal: `< ${GOAL_MS / 1000} s for 30 days at 10 M receipts a year (~800 k receipts)`,
  reference: 'reading the window\'s receipts and lines hand-written in SQL (counted), on the same database in the same run',
  sharedServer: true,
  async run(ctx) {
    const { server, client, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    try {
      const sqlStarted = performance.now();
      const read = (await direct.query<{ receipts: number; lines: number }>(handWritten)).rows[0]!;
      const sqlMs = performance.now() - sqlStarted;
      const rules = JSON.parse((await client.get('/v1/earning-rules', server.adminKey)).body) as { rules: Array<{ kind: string; rateBp?: number; conditions: Record<string, unknown> }> };
      const doubled = rules.rules.map((rule) => (rule.kind === 'percent' && Object.keys(rule.conditions).length === 0 ? { ...rule, rateBp: (rule.rateBp ?? 0) * 2 } : rule));
      const started = performance.now();
      const reply = await client.post('/v1/analytics/what-if', JSON.stringify({ days: DAYS, rules: { rules: doubled } }), server.adminKey);
      if (reply.status !== 202) throw new Error(`what-if: ${reply.status} ${reply.body}`);
      const id = (JSON.parse(reply.body) as Run).id;
      let run: Run;
      for (;;) {
        run = JSON.parse((await client.get(`/v1/analytics/what-if/${id}`, server.adminKey)).body) as Run;
        if (run.status !== 'running') break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const ms = performance.now() - started;
      if (run.status !== 'completed') throw new Error(`the what-if run ${run.status}: ${run.failure ?? ''}`);
      const perSecond = run.processed / (ms / 1000);
      ctx.say(`  what-if: ${fmt(run.processed)} receipts in ${fmt(ms, 0)} ms (${fmt(perSecond, 0)}/s), ${fmt(run.result?.mismatched ?? 0)} mismatched, +${fmt(run.result?.total.difference.pointsIssued ?? 0)} points; the read alone: ${fmt(read.receipts)} receipts, ${fmt(read.lines)} lines in ${fmt(sqlMs, 0)} ms`);
      ctx.details['what-if'] = { receipts: run.processed, ms, perSecond, sqlMs, lines: read.lines, mismatched: run.result?.mismatched };
      // The goal is for the window of a 10 M-a-year retailer; at smaller scales, the rate tells.
      const atScale = run.processed >= 700_000;
      return [
        {
          scenario: 'what-if',
          figure: `a what-if run over ${fmt(run.processed)} receipts (${DAYS} days), request to completed`,
          value: ms,
          unit: 'ms',
          ...(atScale ? { goal: { text: `< ${GOAL_MS / 1000} s`, met: ms < GOAL_MS } } : {}),
          reference: { what: 'the window\'s receipts and lines read alone (counted)', value: sqlMs },
        },
        { scenario: 'what-if', figure: 'receipts replayed per second', value: perSecond, unit: 'receipts/s' },
      ];
    } finally {
      await direct.end();
    }
  },
};
