import { sql, type RawBuilder } from 'kysely';
import { armSql, campaignArms, CONTROL } from './campaign-arms.ts';
import type { CampaignRunDeps } from './campaign-run.ts';
import type { CampaignRow } from './campaigns.ts';
import type { Db, Tx } from './messaging.db.ts';

/**
 * A campaign's start: its audience taken as it is now, each customer given an arm by hashing
 * with the campaign's salt, written to `campaign_recipients`, and the campaign made running
 * with its counts.
 *
 * A large audience is taken in customer-id ranges, one statement a range. Each statement hashes
 * and inserts on one CPU while the job waits, so on PostgreSQL the ranges run at once, each in
 * a transaction of its own on a connection of its own, while the transaction that claimed the
 * campaign (its row locked in `scheduled`) waits to make it running. That makes the start
 * several transactions: a crash can leave some ranges' recipients of a campaign still
 * `scheduled`. Its next start (here or on another instance, once the claim's connection is gone)
 * deletes them first and takes every range again, so a campaign's recipients are always the
 * ranges of the one attempt that made it running. A range's rows commit only with its own
 * `commit`, which a killed process never sends: a statement the database was still running for
 * it is rolled back when it ends. On PGlite (one connection, which the claim holds) the ranges run
 * one after another inside the claim's transaction.
 */

/** Where the audience is cut: `cuts` ascending; range i runs from cut i − 1 (inclusive) to cut i. */
type Range = { from: string | null; to: string | null };

export type StartDeps = Pick<CampaignRunDeps, 'db' | 'clock' | 'secrets' | 'segmentMembers'> & {
  /** Ranges taken at once, and the fewest recipients a range (below that, fewer ranges). */
  parts: number;
  minPart: number;
  /** Statements on connections of their own at once (PostgreSQL); PGlite serves one connection. */
  separateConnections: boolean;
};

/** The ranges of `parts` nearly equal shares of the audience (fewer when it is small): every customer id is in exactly one. */
async function rangesOf(tx: Tx, audience: RawBuilder<unknown>, parts: number, minPart: number): Promise<Range[]> {
  const whole: Range[] = [{ from: null, to: null }];
  if (parts < 2) return whole;
  const { n } = (await sql<{ n: number }>`select count(*)::int as n from (${audience}) a`.execute(tx)).rows[0]!;
  const count = Math.min(parts, Math.floor(n / minPart));
  if (count < 2) return whole;
  // The customer at each cut's place, read from the audience's own index in customer-id order.
  const offsets = Array.from({ length: count - 1 }, (_, k) => Math.floor((n * (k + 1)) / count));
  const found = await sql<{ id: string | null }>`
    select (select a.customer_id from (${audience}) a order by a.customer_id offset o limit 1) as id
    from unnest(${offsets}::int[]) as o order by o`.execute(tx);
  // The audience may have changed since it was counted: a cut not found, or found twice, is dropped.
  const cuts = [...new Set(found.rows.flatMap((row) => (row.id === null ? [] : [row.id])))];
  return [...cuts, null].map((to, i) => ({ from: i === 0 ? null : cuts[i - 1]!, to }));
}

export async function startCampaign(deps: StartDeps, id: string): Promise<boolean> {
  const { db, clock } = deps;
  const { globalControl } = await deps.secrets();
  return db.transaction().execute(async (tx) => {
    // SKIP LOCKED: another instance starting it right now has it; it is not started twice. NO KEY
    // UPDATE, not UPDATE: the ranges' inserts check their campaign with a KEY SHARE lock, which
    // must not wait for this one.
    const row = (await sql<{ id: string }>`select id from campaigns where id = ${id} and status = 'scheduled' for no key update skip locked`.execute(tx)).rows[0];
    if (!row) return false;
    const campaign = (await tx.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirstOrThrow()) as unknown as CampaignRow;
    const arms = campaignArms(campaign.controlShareBp, campaign.variants);
    const audience =
      campaign.audience.kind === 'segment'
        ? deps.segmentMembers(campaign.audience.segmentId)
        : sql`select customer_id from campaign_list_members where campaign_id = ${id}`;
    // The global control group is held out of all marketing: not in any campaign's audience at all.
    const outsideGlobal =
      globalControl.shareBp > 0
        ? sql`and ${armSql(sql`a.customer_id`, globalControl.salt, [{ key: 'global', weight: globalControl.shareBp }, { key: 'rest', weight: 10_000 - globalControl.shareBp }])} <> 'global'`
        : sql``;
    // A plain insert (no ON CONFLICT): both audiences name each customer once (segment members and
    // list members are keyed by customer), the ranges do not overlap, and only the attempt holding
    // the campaign's row in 'scheduled' inserts its recipients (what an earlier one left is deleted
    // first); a speculative insert a row is paid for nothing. In customer-id order, so each range
    // writes its part of the key page after page. Counted from what the insert returns: reading
    // the rows back was a second pass over them.
    const takeRange = (on: Db | Tx, range: Range) =>
      sql<{ total: number; control: number }>`
        with taken as (
          insert into campaign_recipients (campaign_id, customer_id, arm)
          select ${id}, a.customer_id, ${armSql(sql`a.customer_id`, campaign.salt, arms)} from (${audience}) a
          where true ${range.from === null ? sql`` : sql`and a.customer_id >= ${range.from}`} ${range.to === null ? sql`` : sql`and a.customer_id < ${range.to}`} ${outsideGlobal}
          order by a.customer_id
          returning arm)
        select count(*)::int as total, (count(*) filter (where arm = ${CONTROL}))::int as control from taken`.execute(on).then((result) => result.rows[0]!);

    const ranges = await rangesOf(tx, audience, deps.parts, deps.minPart);
    let counts: Array<{ total: number; control: number }>;
    if (deps.separateConnections && ranges.length > 1) {
      // Committed before the ranges start: they insert on other connections, which would wait on
      // this transaction's delete of the same keys while it waits on them.
      await sql`delete from campaign_recipients where campaign_id = ${id}`.execute(db);
      // Every range settles before the start answers; one failed fails the start, and the claim's
      // rollback leaves the campaign scheduled for the next attempt.
      const settled = await Promise.allSettled(ranges.map((range) => db.transaction().execute((own) => takeRange(own, range))));
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      counts = settled.map((outcome) => (outcome as PromiseFulfilledResult<{ total: number; control: number }>).value);
    } else {
      await sql`delete from campaign_recipients where campaign_id = ${id}`.execute(tx);
      counts = [];
      for (const range of ranges) counts.push(await takeRange(tx, range));
    }
    const total = counts.reduce((sum, c) => sum + c.total, 0);
    const control = counts.reduce((sum, c) => sum + c.control, 0);
    await tx.deleteFrom('campaignListMembers').where('campaignId', '=', id).execute();
    await tx.updateTable('campaigns').set({ status: 'running', startedAt: clock.now(), audienceSize: total, controlSize: control, updatedAt: clock.now() }).where('id', '=', id).execute();
    return true;
  });
}
