import pg from 'pg';
import { fmt, type ResultRow } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const goals = { kpis: 2_000, cohorts: 5_000, economics: 2_000 } as const;

/**
 * The analyst's reports over a year (GET /v1/analytics/kpis with the period before, cohorts by
 * month, the economics of the points), each timed request to answer, beside the least any of
 * them must do measured on the same database in the same run: one pass over the year's
 * receipts, counted and summed, hand-written in SQL.
 */
const handWritten = `
  select count(*)::bigint as n, sum(paid_minor - refunded_minor)::bigint as revenue, count(distinct customer_id)::bigint as buyers
  from receipts where status = 'confirmed' and occurred_at >= $1::date and occurred_at < $2::date + 1`;

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const analytics: Scenario = {
  name: 'analytics',
  title: 'KPIs, cohorts and economics for a year',
  goal: `KPIs < ${goals.kpis / 1000} s, cohorts < ${goals.cohorts / 1000} s, economics < ${goals.economics / 1000} s at 1 M customers / 10 M receipts`,
  reference: "one pass over the year's receipts (count, revenue, distinct buyers) hand-written in SQL, on the same database in the same run",
  sharedServer: true,
  async run(ctx) {
    const { server, client, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    try {
      const to = isoDay(Date.now());
      const from = isoDay(Date.now() - 364 * 86_400_000);
      const sqlStarted = performance.now();
      const scan = (await direct.query<{ n: string }>(handWritten, [from, to])).rows[0]!;
      const sqlMs = performance.now() - sqlStarted;
      ctx.say(`  one pass over the year's receipts: ${fmt(Number(scan.n))} receipts in ${fmt(sqlMs, 0)} ms`);
      const atScale = data.customers >= 1_000_000;
      const figures: ResultRow[] = [];
      const urls = {
        kpis: `/v1/analytics/kpis?from=${from}&to=${to}&compare=previous`,
        cohorts: `/v1/analytics/cohorts?from=${from}&to=${to}`,
        economics: `/v1/analytics/economics?from=${from}&to=${to}`,
      } as const;
      for (const [report, url] of Object.entries(urls) as Array<[keyof typeof goals, string]>) {
        const started = performance.now();
        const reply = await client.get(url, server.adminKey);
        const ms = performance.now() - started;
        if (reply.status !== 200) throw new Error(`${report}: ${reply.status} ${reply.body.slice(0, 300)}`);
        // The reports say up to when they read the hourly rollups (null: raw rows only, e.g. while the backfill runs).
        const rolledUpTo = (JSON.parse(reply.body) as { rolledUpTo?: string | null }).rolledUpTo ?? null;
        ctx.say(`  ${report} for a year: ${fmt(ms, 0)} ms (rolled up to ${rolledUpTo ?? 'nothing: raw rows'})`);
        ctx.details[`analytics.${report}`] = { ms, sqlMs, rolledUpTo };
        figures.push({
          scenario: 'analytics',
          figure: `${report} over a year (${fmt(Number(scan.n))} receipts), request to answer`,
          value: ms,
          unit: 'ms',
          ...(atScale ? { goal: { text: `< ${goals[report] / 1000} s`, met: ms < goals[report] } } : {}),
          reference: { what: "one pass over the year's receipts, hand-written", value: sqlMs },
        });
      }
      return figures;
    } finally {
      await direct.end();
    }
  },
};
