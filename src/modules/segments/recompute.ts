import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import { cursorPosition } from '../../platform/outbox-consumer.ts';
import { CONSUMER as LIVE_CONSUMER } from './live.ts';
import { customersNamedAfter } from './named-after.ts';
import { lockSegment, matchingQuery, prepareFields, writeDiff, type Compiler, type Diff } from './membership.ts';
import { recomputeView, type RecomputeView } from './segment-store.ts';
import type { Db, Tx } from './segments.db.ts';
import { segmentError } from './segments.errors.ts';
import type { Ids } from './segments.ids.ts';

/**
 * A recompute first finds everyone the rules match in one statement (segment_recompute_matches):
 * over everyone, a purchase condition is one pass over the window's receipts, where a lookup per
 * customer reads their receipts one by one (at 10 M receipts, 40 s against a quarter of an hour).
 * Then it walks every customer in id order, a page at a time; each page, in a short transaction
 * under the segment's lock, writes the difference between those matches and the members of its id
 * range, its position saved with it. So it has progress, a stop after the page under way, and a
 * resume from the saved position after a restart; a page run twice writes nothing new.
 *
 * Live updates go on meanwhile and are never undone: a customer some event named after the
 * matches were found (the live consumer's cursor then, `events_after`) may have been written
 * since by live membership from fresher data, so a page runs the rules again for those of them
 * its difference touches, rather than trust the matches.
 */
/**
 * Customers a page walks. Each page pays a fixed cost (finding its end, looking up the events
 * since the matches, counting its customers) whatever it changes: at 1 M customers 20,000 a page
 * took 14.2 s for a 47,000-member segment, 100,000 a page 9.6 s. A page holds the segment's lock
 * while it writes, so live updates of the segment wait up to that page's time.
 */
export const PAGE = 100_000;

export type RecomputeDeps = { db: Db; clock: Clock; ids: Ids; compiler: Compiler; log?: { error(obj: object, msg: string): void } };

const noDiff = (): Diff => ({ entered: [], left: [] });

export function createRecomputes(deps: RecomputeDeps) {
  const { db, clock, ids } = deps;
  const { population } = deps.compiler;

  async function nextUpto(after: string): Promise<string | null> {
    const row = await sql<{ id: string }>`select c.id from ${population.from} where c.id > ${after} order by c.id offset ${PAGE - 1} limit 1`.execute(db);
    return row.rows[0]?.id ?? null;
  }

  /** Finds every match of the segment's rules now; false when the segment is gone. */
  async function match(recomputeId: string, segmentId: string): Promise<boolean> {
    const prepared = await prepareFields(deps.compiler);
    return db.transaction().execute(async (tx) => {
      // No lock: pages take it; this only reads. The cursor is read before the matches, so every event at or below it is in them.
      const segment = await tx.selectFrom('segments').select('rules').where('id', '=', segmentId).executeTakeFirst();
      if (!segment) return false;
      // Read before the matches: a request for fresh ones counted after this is not answered by them.
      const requested = await tx.selectFrom('segmentRecomputes').select('rematchRequests').where('id', '=', recomputeId).executeTakeFirstOrThrow();
      const eventsAfter = await cursorPosition(tx, LIVE_CONSUMER);
      await tx.deleteFrom('segmentRecomputeMatches').where('recomputeId', '=', recomputeId).execute();
      const matched = matchingQuery(deps.compiler, segment.rules as never, clock.now(), { kind: 'all' }, prepared);
      // Through a temporary table: PostgreSQL runs the select of an INSERT … SELECT on one process,
      // a CREATE TABLE … AS with its parallel workers (at 10 M receipts, the most of a recompute).
      await sql`create temporary table segment_matched on commit drop as ${matched}`.execute(tx);
      await sql`insert into segment_recompute_matches (recompute_id, customer_id) select ${recomputeId}, id from segment_matched order by id`.execute(tx);
      await tx
        .updateTable('segmentRecomputes')
        .set({ matchedAt: clock.now(), eventsAfter: String(eventsAfter), matchedRules: JSON.stringify(segment.rules), matchedRequests: requested.rematchRequests, position: null, processed: 0 })
        .where('id', '=', recomputeId)
        .execute();
      return true;
    });
  }

  /** The customers of the range whose membership the matches would change: matched and not a member, or a member not matched. */
  async function changing(tx: Tx, recomputeId: string, segmentId: string, after: string, upto: string | null): Promise<string[]> {
    const upper = (column: string) => (upto === null ? sql`` : sql`and ${sql.ref(column)} <= ${upto}`);
    const rows = await sql<{ id: string }>`
      select coalesce(x.customer_id, m.customer_id) as id
      from (select customer_id from segment_recompute_matches where recompute_id = ${recomputeId} and customer_id > ${after} ${upper('customer_id')}) x
      full join (select customer_id from segment_members where segment_id = ${segmentId} and customer_id > ${after} ${upper('customer_id')}) m
        on m.customer_id = x.customer_id
      where x.customer_id is null or m.customer_id is null`.execute(tx);
    return rows.rows.map((row) => row.id);
  }

  /**
   * Whether the matches still answer the segment: found for its rules as they are, and after every
   * request for fresh ones. When not, they are dropped (matchedAt null) and found again from the
   * first customer. Under the segment's lock, as startAfterRunning counts its request.
   */
  async function stillCurrent(tx: Tx, recomputeId: string, rules: unknown): Promise<boolean> {
    const row = await sql<{ current: boolean }>`select matched_rules = ${JSON.stringify(rules)}::jsonb and matched_requests >= rematch_requests as current
      from segment_recomputes where id = ${recomputeId}`.execute(tx);
    if (row.rows[0]?.current === true) return true;
    await tx.updateTable('segmentRecomputes').set({ matchedAt: null }).where('id', '=', recomputeId).execute();
    return false;
  }

  /** One page; null when the segment is gone (the walk ends), `again` when its rules changed, or fresh matches were asked for, since the matches were found. */
  async function page(recomputeId: string, segmentId: string, after: string, eventsAfter: number): Promise<{ upto: string | null } | { again: true } | null> {
    const upto = await nextUpto(after);
    const prepared = await prepareFields(deps.compiler);
    return db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (!segment) return null;
      if (!(await stillCurrent(tx, recomputeId, segment.rules))) return { again: true as const };
      const candidates = await changing(tx, recomputeId, segmentId, after, upto);
      const named = new Set(await customersNamedAfter(tx, eventsAfter, candidates));
      const trusted = candidates.filter((id) => !named.has(id));
      const found = sql<{ id: string }>`select customer_id as id from segment_recompute_matches where recompute_id = ${recomputeId} and customer_id = any(${trusted}::text[])`;
      const fromMatches = trusted.length > 0 ? await writeDiff(tx, deps, segment, { kind: 'ids', ids: trusted }, 'recompute', found) : noDiff();
      const afresh = named.size > 0 ? await writeDiff(tx, deps, segment, { kind: 'ids', ids: [...named] }, 'recompute', undefined, prepared) : noDiff();
      const counted = await sql<{ n: number }>`select count(*)::int as n from ${population.from} where ${population.where} and c.id > ${after} ${upto === null ? sql`` : sql`and c.id <= ${upto}`}`.execute(tx);
      await tx
        .updateTable('segmentRecomputes')
        .set((eb) => ({
          position: upto,
          processed: eb('processed', '+', counted.rows[0]!.n),
          entered: eb('entered', '+', fromMatches.entered.length + afresh.entered.length),
          leftCount: eb('leftCount', '+', fromMatches.left.length + afresh.left.length),
        }))
        .where('id', '=', recomputeId)
        .execute();
      return { upto };
    });
  }

  /** Completes the recompute; false (the walk goes on) when fresh matches were asked for since its own were found. */
  async function finish(recomputeId: string, segmentId: string): Promise<boolean> {
    const now = clock.now();
    return db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (segment && !(await stillCurrent(tx, recomputeId, segment.rules))) return false;
      await tx.updateTable('segmentRecomputes').set({ status: 'completed', finishedAt: now }).where('id', '=', recomputeId).execute();
      await tx.deleteFrom('segmentRecomputeMatches').where('recomputeId', '=', recomputeId).execute();
      if (!segment) return true;
      // The count kept by every diff, set once more from the rows themselves.
      await sql`update segments set computed_at = ${now}::timestamptz,
        member_count = (select count(*) from segment_members where segment_id = ${segmentId}) where id = ${segmentId}`.execute(tx);
      return true;
    });
  }

  async function walk(recomputeId: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        if (signal.aborted) return;
        const job = await db
          .selectFrom('segmentRecomputes')
          .select(['segmentId', 'position', 'status', 'processed', 'matchedAt', 'eventsAfter'])
          .where('id', '=', recomputeId)
          .executeTakeFirst();
        if (!job || job.status !== 'running') return;
        if (job.matchedAt === null) {
          if (!(await match(recomputeId, job.segmentId))) return void (await finish(recomputeId, job.segmentId));
          continue;
        }
        // The first page starts before every id ('' sorts first); a null position after pages were written means the last one was (killed before finishing).
        const last = job.position === null && job.processed > 0;
        const result = last ? null : await page(recomputeId, job.segmentId, job.position ?? '', Number(job.eventsAfter ?? 0));
        // At the end, fresh matches asked for meanwhile send the walk round again.
        if (result === null || ('upto' in result && result.upto === null)) {
          if (await finish(recomputeId, job.segmentId)) return;
        }
      }
    } catch (error) {
      deps.log?.error({ err: error, recomputeId }, 'segment recompute failed');
      await db
        .updateTable('segmentRecomputes')
        .set({ status: 'failed', failure: 'The recompute stopped on an error; start another (POST /v1/segments/{id}/recompute)', finishedAt: clock.now() })
        .where('id', '=', recomputeId)
        .execute()
        .catch(() => undefined);
    }
  }

  // A walk records its own failure on its row; this only logs what even that could not record.
  const runs = backgroundRuns(walk, (error, id) => deps.log?.error({ err: error, recomputeId: id }, 'segment recompute failed'));

  /** Starts a recompute of the segment (one already running is answered instead of a second). */
  async function start(segmentId: string, actor: Actor | null): Promise<RecomputeView> {
    const row = await db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (!segment) throw segmentError('segment.not_found', `No segment ${segmentId}; GET /v1/segments lists them`);
      const current = await tx.selectFrom('segmentRecomputes').selectAll().where('segmentId', '=', segmentId).where('status', '=', 'running').executeTakeFirst();
      if (current) return current;
      const total = await sql<{ n: number }>`select count(*)::int as n from ${population.from} where ${population.where}`.execute(tx);
      return tx
        .insertInto('segmentRecomputes')
        .values({ id: ids.next('sgr'), segmentId, status: 'running', position: null, total: total.rows[0]!.n, failure: null, requestedBy: actor ? (actor.keyId ?? actor.name) : null, startedAt: clock.now(), finishedAt: null })
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    runs.start(row.id);
    return recomputeView(row);
  }

  return {
    start,
    /**
     * Starts a recompute whose matches are found after now, for data that changed under the rules
     * without an event (a new RFM or clustering run). One already running, here or on another
     * instance, is asked on its row instead: its walker finds the matches again (at its next page,
     * or before it completes) and walks from the first customer. Under the segment's lock, as the
     * walker's check, so a walk about to complete either sees the request or has completed and a
     * new recompute starts.
     */
    async startAfterRunning(segmentId: string, actor: Actor | null): Promise<RecomputeView> {
      const asked = await db.transaction().execute(async (tx) => {
        if (!(await lockSegment(tx, segmentId))) return null;
        return tx
          .updateTable('segmentRecomputes')
          .set((eb) => ({ rematchRequests: eb('rematchRequests', '+', 1) }))
          .where('segmentId', '=', segmentId)
          .where('status', '=', 'running')
          .returningAll()
          .executeTakeFirst();
      });
      return asked ? recomputeView(asked) : start(segmentId, actor);
    },
    async get(segmentId: string, recomputeId: string): Promise<RecomputeView> {
      const row = await db.selectFrom('segmentRecomputes').selectAll().where('id', '=', recomputeId).where('segmentId', '=', segmentId).executeTakeFirst();
      if (!row) throw segmentError('segment.recompute_not_found', `Segment ${segmentId} has no recompute ${recomputeId}`);
      return recomputeView(row);
    },
    /** Takes up recomputes left running by a stopped or killed process. */
    async resumePending(): Promise<string[]> {
      const rows = await db.selectFrom('segmentRecomputes').select('id').where('status', '=', 'running').orderBy('startedAt').execute();
      return runs.resume(rows.map((row) => row.id));
    },
    idle: runs.idle,
    /** Stops after the pages under way; their positions are saved, so a restart goes on from there. */
    stop: runs.stop,
  };
}

export type Recomputes = ReturnType<typeof createRecomputes>;
