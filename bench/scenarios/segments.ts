import pg from 'pg';
import { fmt } from '../harness/report.ts';
import type { ResultRow } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const GOAL_MS = 5_000;
const GOAL_RATIO = 1.5;

/**
 * A five-condition segment over the loyalty database: women outside Moscow who bought coffee in
 * the last 90 days, spent at least 2,000.00 in a year and are at least 25. Timed as a preview
 * (POST /v1/segments/preview: count and sample) and as a recompute of a saved segment (request
 * to completed, its members written), each beside the same filter hand-written in SQL, run
 * directly on the same database in the same run (count of matching customers).
 */
const rules = {
  all: [
    { field: 'profile.gender', op: 'eq', value: 'female' },
    { field: 'profile.city', op: 'ne', value: 'Moscow' },
    { field: 'purchases.bought', window: { days: 90 }, filter: { categories: ['coffee'] }, op: 'eq', value: true },
    { field: 'purchases.spentMinor', window: { days: 365 }, op: 'gte', value: 200_000 },
    { field: 'profile.age', op: 'gte', value: 25 },
  ],
};

/** The same filter as a person would write it for this database (no merges in generated data, so a customer's own receipts). */
const handWritten = `
  select count(*)::int as n from customers c
  where c.status = 'active' and c.gender = 'female' and c.city is distinct from 'Moscow'
    and date_part('year', age(current_date, c.birth_date)) >= 25
    and exists (select 1 from receipts r join receipt_lines l on l.receipt_id = r.id
      where r.customer_id = c.id and r.status = 'confirmed' and r.occurred_at >= now() - interval '90 days'
        and l.refunded_qty_milli < l.qty_milli and string_to_array(l.category, '/') && array['coffee'])
    and (select coalesce(sum(r.paid_minor - r.refunded_minor), 0) from receipts r
      where r.customer_id = c.id and r.status = 'confirmed' and r.occurred_at >= now() - interval '365 days') >= 200000`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

export const segments: Scenario = {
  name: 'segments',
  title: 'a five-condition segment: preview and recompute',
  goal: `< ${GOAL_MS / 1000} s each at 1 M customers, ≤ ${GOAL_RATIO}× the same filter hand-written in SQL`,
  reference: 'the same filter hand-written in SQL, run on the same database in the same run',
  sharedServer: true,
  async run(ctx) {
    const { server, client, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    let segmentId: string | null = null;
    try {
      // Each measured twice, the second kept: the first warms the caches for both sides alike.
      const sqlRun = async () => (await direct.query<{ n: number }>(handWritten)).rows[0]!.n;
      await sqlRun();
      const reference = await timed(sqlRun);
      // Not through the harness's load client: it gives up on an answer after 30 s, and this
      // figure is worth having when it is longer (fetch waits up to 300 s for the headers).
      const preview = async () => {
        const reply = await fetch(`http://127.0.0.1:${server.port}/v1/segments/preview`, {
          method: 'POST',
          headers: { authorization: `Bearer ${server.adminKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ rules }),
        });
        const body = await reply.text();
        if (reply.status !== 200) throw new Error(`preview: ${reply.status} ${body}`);
        return (JSON.parse(body) as { count: number }).count;
      };
      await preview();
      const previewed = await timed(preview);
      ctx.say(`  preview: ${fmt(previewed.value)} customers in ${fmt(previewed.ms, 0)} ms; hand-written SQL: ${fmt(reference.value)} in ${fmt(reference.ms, 0)} ms`);
      const recompute = await timed(async () => {
        const reply = await client.post('/v1/segments', JSON.stringify({ name: `Bench segment ${Date.now()}`, rules }), server.adminKey);
        if (reply.status !== 201) throw new Error(`create: ${reply.status} ${reply.body}`);
        const created = JSON.parse(reply.body) as { id: string; lastRecompute: { id: string } };
        segmentId = created.id;
        for (;;) {
          const job = JSON.parse((await client.get(`/v1/segments/${created.id}/recomputes/${created.lastRecompute.id}`, server.adminKey)).body) as { status: string };
          if (job.status === 'completed') break;
          if (job.status === 'failed') throw new Error('the recompute failed');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return (JSON.parse((await client.get(`/v1/segments/${created.id}`, server.adminKey)).body) as { memberCount: number }).memberCount;
      });
      ctx.say(`  recompute: ${fmt(recompute.value)} members written in ${fmt(recompute.ms, 0)} ms`);
      if (previewed.value !== reference.value || recompute.value !== reference.value) {
        ctx.say(`  ! the counts differ: preview ${previewed.value}, recompute ${recompute.value}, hand-written ${reference.value}`);
      }
      ctx.details.segments = { customers: data.customers, members: reference.value, previewMs: previewed.ms, recomputeMs: recompute.ms, sqlMs: reference.ms };
      const atScale = data.customers >= 1_000_000;
      const row = (figure: string, ms: number): ResultRow => ({
        scenario: 'segments',
        figure,
        value: ms,
        unit: 'ms',
        ...(atScale ? { goal: { text: `< ${GOAL_MS / 1000} s, ≤ ${GOAL_RATIO}× SQL`, met: ms < GOAL_MS && ms <= GOAL_RATIO * reference.ms } } : {}),
        reference: { what: 'the filter hand-written in SQL (count)', value: reference.ms },
      });
      return [row(`preview of 5 conditions over ${fmt(data.customers)} customers`, previewed.ms), row('recompute of the saved segment, request to completed', recompute.ms)];
    } finally {
      // Gone again, so the shared server's live membership job has no segment to keep for the scenarios after this one (the harness has no DELETE; the rows cascade).
      if (segmentId) await direct.query('delete from segments where id = $1', [segmentId]).catch(() => undefined);
      await direct.end();
    }
  },
};
