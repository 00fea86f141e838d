import pg from 'pg';
import { confirmSource } from '../harness/checkout-workload.ts';
import { closedLoop, describeFailures, latencies } from '../harness/http-load.ts';
import { startOutboxPoller } from '../harness/outbox-poller.ts';
import { fmt } from '../harness/report.ts';
import type { Scenario } from '../harness/scenario.ts';

const CLIENTS = 8;
const SECONDS = 30;
/** The consumers whose lag is reported; the first is the table's figure (journeys enter from it). */
const CONSUMERS = ['journeys', 'webhooks', 'segment-membership'] as const;

/**
 * Outbox dispatch lag under confirm load: confirms run in closed loops (`CLIENTS` clients for
 * `SECONDS` s) while the server's own consumers read the outbox; the lag of an event is from its
 * `occurred_at` (written by the confirm's transaction) to the consumer marking it handled
 * (`outbox_seen.seen_at`). The limit reference, in the same run and under the same load: a
 * bare reader in the bench process polling the outbox every 20 ms for rows past the last it saw,
 * the lag being the database's clock when it first saw the row — how soon any reader can see an
 * event at all (its transaction committed, the server not busy elsewhere).
 */
export const outboxLag: Scenario = {
  name: 'outbox-lag',
  title: 'outbox dispatch lag: from a confirm writing receipt.confirmed to its consumers handling it, under confirm load',
  goal: 'none in figures (issue 11 asks for it to be measured): reported beside the reference',
  reference: 'a bare poller reading new outbox rows every 20 ms, in the same run under the same load',
  sharedServer: true,
  async run(ctx) {
    const { client, posKey, data } = await ctx.sharedServer();
    const direct = new pg.Client({ connectionString: data.url });
    await direct.connect();
    try {
      const { firstId, stop: stopPoller } = await startOutboxPoller(direct);
      const source = confirmSource(data.workload, `lag-${ctx.runId}`);
      ctx.say(`  ${CLIENTS} clients confirming for ${SECONDS} s while the server's consumers read the outbox`);
      const load = await ctx.underLoad('confirm load, outbox lag', () =>
        closedLoop({
          concurrency: CLIENTS,
          seconds: SECONDS,
          send: async () => {
            const { input, customer, asked } = source.next();
            const reply = await client.post('/v1/checkout/confirm', JSON.stringify(input), posKey).catch(() => ({ status: 0, body: '' }));
            const redeemed = asked > 0 && reply.status === 201 ? (JSON.parse(reply.body) as { pointsRedeemed: number }).pointsRedeemed : 0;
            source.settle(customer, asked, redeemed);
            return { status: reply.status };
          },
        }),
      );
      const endId = Number((await direct.query<{ id: string | null }>('select max(id) as id from outbox_events')).rows[0]!.id ?? 0);
      // Every event of the load handled by the first consumer (or a minute more at most).
      const deadline = Date.now() + 60_000;
      const unhandled = async (consumer: string) =>
        Number(
          (
            await direct.query<{ n: string }>(
              `select count(*) as n from outbox_events o where o.id > $1 and o.id <= $2 and o.type = 'receipt.confirmed'
               and not exists (select 1 from outbox_seen s where s.consumer = $3 and s.outbox_id = o.id)`,
              [firstId, endId, consumer],
            )
          ).rows[0]!.n,
        );
      while (Date.now() < deadline && (await unhandled(CONSUMERS[0])) > 0) await new Promise((resolve) => setTimeout(resolve, 250));
      const pollLags = await stopPoller();
      const lagOf = async (consumer: string) => {
        const rows = (
          await direct.query<{ lag_ms: number }>(
            `select extract(epoch from s.seen_at - o.occurred_at) * 1000 as lag_ms from outbox_events o
             join outbox_seen s on s.consumer = $3 and s.outbox_id = o.id
             where o.id > $1 and o.id <= $2 and o.type = 'receipt.confirmed'`,
            [firstId, endId, consumer],
          )
        ).rows.map((row) => Number(row.lag_ms));
        return { consumer, handled: rows.length, missing: await unhandled(consumer), ...latencies(rows) };
      };
      const consumers = [];
      for (const consumer of CONSUMERS) consumers.push(await lagOf(consumer));
      const reference = latencies(pollLags);
      const events = (await direct.query<{ n: string }>(`select count(*) as n from outbox_events where id > $1 and id <= $2 and type = 'receipt.confirmed'`, [firstId, endId])).rows[0]!.n;
      ctx.say(`  confirms: ${fmt(load.perSecond, 0)}/s, p99 ${load.latency.p99.toFixed(1)} ms, failures ${describeFailures(load.failed)}; ${fmt(Number(events))} receipt.confirmed events`);
      for (const c of consumers) ctx.say(`  ${c.consumer}: ${fmt(c.handled)} handled (${fmt(c.missing)} not yet), lag p50 ${fmt(c.p50, 0)} ms, p99 ${fmt(c.p99, 0)} ms, max ${fmt(c.max, 0)} ms`);
      ctx.say(`  bare poller (20 ms): lag p50 ${fmt(reference.p50, 0)} ms, p99 ${fmt(reference.p99, 0)} ms`);
      ctx.details['outbox-lag'] = { clients: CLIENTS, seconds: SECONDS, confirmsPerSecond: load.perSecond, confirmP99: load.latency.p99, events: Number(events), consumers, reference };
      const first = consumers[0]!;
      return [
        {
          scenario: 'outbox-lag',
          figure: `outbox lag p50, receipt.confirmed to the ${first.consumer} consumer (${CLIENTS} clients confirming, ${fmt(load.perSecond, 0)}/s)`,
          value: first.p50,
          unit: 'ms',
          reference: { what: 'a bare poller every 20 ms, p50', value: reference.p50 },
        },
        {
          scenario: 'outbox-lag',
          figure: `outbox lag p99, receipt.confirmed to the ${first.consumer} consumer`,
          value: first.p99,
          unit: 'ms',
          ...(first.missing > 0 ? { detail: `${fmt(first.missing)} events not handled a minute after the load` } : {}),
          reference: { what: 'a bare poller every 20 ms, p99', value: reference.p99 },
        },
      ];
    } finally {
      await direct.end();
    }
  },
};
