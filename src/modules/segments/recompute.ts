import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import type { PreparedFields } from '../../platform/segment-fields.ts';
import { cursorPosition } from '../../platform/outbox-consumer.ts';
import { CONSUMER as LIVE_CONSUMER } from './live.ts';
import { customersNamedAfter } from './named-after.ts';
import { lockSegment, matchingQuery, prepareFields, writeDiff, type Compiler, type Diff } from './membership.ts';
import { recomputeView, type RecomputeView } from './segment-store.ts';
import type { RuleNode } from './rules.ts';
import type { Db, Tx } from './segments.db.ts';
import { segmentError } from './segments.errors.ts';
import type { Ids } from './segments.ids.ts';

/**
 * A recompute first finds everyone the rules match in one statement, into a temporary table: over
 * everyone, a purchase condition is one pass over the window's receipts, where a lookup per
 * customer reads their receipts one by one (at 10 M receipts, 40 s against a quarter of an hour).
 *
 * When the difference from the members is at most a page (PAGE_CHANGES entries and exits), it is
 * written at once in the same transaction, under the segment's lock: no copy of the matches is
 * kept, and no page pays its fixed cost again. A larger difference is walked in pages instead: the
 * matches are kept (segment_recompute_matches), and each page, in a short transaction under the
 * segment's lock, writes the next PAGE_CHANGES of the difference in customer id order, its position
 * saved with it. So a large recompute has progress, a stop after the page under way, and a resume
 * from the saved position after a restart; a page run twice writes nothing new.
 *
 * Live updates go on meanwhile and are never undone: a customer some event named after the
 * matches were found (the live consumer's cursor then, `events_after`) may have been written
 * since by live membership from fresher data, so the rules are run again for those of them the
 * difference touches, rather than trust the matches.
 */
/**
 * Entries and exits a page writes at most. Pages were cut by customers (100,000 a page), and each
 * paid a fixed cost again (finding its end, reading every event since the matches, counting its
 * customers): ten pages for a 47,000-member segment at 1 M customers, the events alone 0.2–0.6 s
 * a page, more with a backlog in the outbox. A page holds the segment's lock while it writes, so
 * live updates of the segment wait up to a page's time (47,000 changes took 1.4–3.6 s there).
 */
export const PAGE_CHANGES = 100_000;

export type RecomputeDeps = { db: Db; clock: Clock; ids: Ids; compiler: Compiler; log?: { error(obj: object, msg: string): void }; /** PAGE_CHANGES unless given (tests walk pages of a few). */ pageChanges?: number };

const noDiff = (): Diff => ({ entered: [], left: [] });

export function createRecomputes(deps: RecomputeDeps) {
  const { db, clock, ids } = deps;
  const { population } = deps.compiler;
  const pageChanges = deps.pageChanges ?? PAGE_CHANGES;

  /**
   * Finds every match of the segment's rules now. `completed`: the difference was at most a page,
   * and is written with the recompute completed; `matched`: the matches are kept for the pages; `again`: the
   * rules changed, or fresh matches were asked for, before the lock was taken; `gone`: no segment.
   */
  async function match(recomputeId: string, segmentId: string): Promise<'completed' | 'matched' | 'again' | 'gone'> {
    const prepared = await prepareFields(deps.compiler);
    return db.transaction().execute(async (tx) => {
      // No lock while the rules run (seconds at 1 M customers); it is taken to write. The cursor is read before the matches, so every event at or below it is in them.
      const segment = await tx.selectFrom('segments').select('rules').where('id', '=', segmentId).executeTakeFirst();
      if (!segment) return 'gone';
      // Read before the matches: a request for fresh ones counted after this is not answered by them.
      const job = await tx.selectFrom('segmentRecomputes').select(['rematchRequests', 'total']).where('id', '=', recomputeId).executeTakeFirstOrThrow();
      const eventsAfter = await cursorPosition(tx, LIVE_CONSUMER);
      await tx.deleteFrom('segmentRecomputeMatches').where('recomputeId', '=', recomputeId).execute();
      const matched = matchingQuery(deps.compiler, segment.rules as never, clock.now(), { kind: 'all' }, prepared);
      // Through a temporary table: PostgreSQL runs the select of an INSERT … SELECT on one process,
      // a CREATE TABLE … AS with its parallel workers (at 10 M receipts, the most of a recompute).
      await sql`create temporary table segment_matched on commit drop as ${matched}`.execute(tx);
      const temporary = sql<{ id: string }>`select id from segment_matched`;
      await tx
        .updateTable('segmentRecomputes')
        .set({ matchedAt: clock.now(), eventsAfter: String(eventsAfter), matchedRules: JSON.stringify(segment.rules), matchedRequests: job.rematchRequests, position: null, processed: 0 })
        .where('id', '=', recomputeId)
        .execute();

      // Counted before the lock, to choose; the difference written is found again under it.
      if ((await changing(tx, temporary, segmentId, '', pageChanges + 1)).length <= pageChanges) {
        const locked = await lockSegment(tx, segmentId);
        if (!locked) return 'gone';
        if (!(await stillCurrent(tx, recomputeId, locked.rules))) return 'again';
        const candidates = await changing(tx, temporary, segmentId, '', null);
        const diff = await writeChanges(tx, locked, candidates, eventsAfter, (trusted) => sql<{ id: string }>`select id from segment_matched where id = any(${trusted}::text[])`, prepared);
        // Every customer walked (as counted at the start), and nothing kept for pages: complete in the same transaction.
        await tx
          .updateTable('segmentRecomputes')
          .set({ processed: job.total, entered: diff.entered, leftCount: diff.left })
          .where('id', '=', recomputeId)
          .execute();
        await complete(tx, recomputeId, segmentId);
        return 'completed';
      }
      await sql`insert into segment_recompute_matches (recompute_id, customer_id) select ${recomputeId}, id from segment_matched order by id`.execute(tx);
      return 'matched';
    });
  }

  /**
   * The customers after `after` whose membership `matches` would change (matched and not a member,
   * or a member not matched), in id order; the first `limit` of them when given.
   */
  async function changing(tx: Tx, matches: RawBuilder<{ id: string }>, segmentId: string, after: string, limit: number | null): Promise<string[]> {
    const rows = await sql<{ id: string }>`
      select coalesce(x.id, m.customer_id) as id
      from (select id from (${matches}) as found where id > ${after}) x
      full join (select customer_id from segment_members where segment_id = ${segmentId} and customer_id > ${after}) m
        on m.customer_id = x.id
      where x.id is null or m.customer_id is null
      order by 1 ${limit === null ? sql`` : sql`limit ${limit}`}`.execute(tx);
    return rows.rows.map((row) => row.id);
  }

  /**
   * Writes the difference for `candidates`: what `found` says for those no event named after the
   * matches, the rules run afresh for the others (live membership may have written them since).
   */
  async function writeChanges(
    tx: Tx,
    segment: { id: string; rules: RuleNode },
    candidates: string[],
    eventsAfter: number,
    found: (trusted: string[]) => RawBuilder<{ id: string }>,
    prepared: PreparedFields,
  ): Promise<{ entered: number; left: number }> {
    const named = new Set(await customersNamedAfter(tx, eventsAfter, candidates));
    const trusted = candidates.filter((id) => !named.has(id));
    const fromMatches = trusted.length > 0 ? await writeDiff(tx, deps, segment, { kind: 'ids', ids: trusted }, 'recompute', found(trusted)) : noDiff();
    const afresh = named.size > 0 ? await writeDiff(tx, deps, segment, { kind: 'ids', ids: [...named] }, 'recompute', undefined, prepared) : noDiff();
    return { entered: fromMatches.entered.length + afresh.entered.length, left: fromMatches.left.length + afresh.left.length };
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

  /**
   * One page: the next `pageChanges` of the difference after `after`. Null when the segment is gone
   * (the walk ends), `again` when its rules changed, or fresh matches were asked for, since the
   * matches were found; `upto` null after the last page.
   */
  async function page(recomputeId: string, segmentId: string, after: string, eventsAfter: number): Promise<{ upto: string | null } | { again: true } | null> {
    const prepared = await prepareFields(deps.compiler);
    return db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (!segment) return null;
      if (!(await stillCurrent(tx, recomputeId, segment.rules))) return { again: true as const };
      const kept = sql<{ id: string }>`select customer_id as id from segment_recompute_matches where recompute_id = ${recomputeId}`;
      const candidates = await changing(tx, kept, segmentId, after, pageChanges);
      // A full page may have more after it; a short one is the last, and reaches past every customer.
      const upto = candidates.length === pageChanges ? candidates[candidates.length - 1]! : null;
      const diff = await writeChanges(tx, segment, candidates, eventsAfter, (trusted) => sql<{ id: string }>`${kept} and customer_id = any(${trusted}::text[])`, prepared);
      const counted = await sql<{ n: number }>`select count(*)::int as n from ${population.from} where ${population.where} and c.id > ${after} ${upto === null ? sql`` : sql`and c.id <= ${upto}`}`.execute(tx);
      await tx
        .updateTable('segmentRecomputes')
        .set((eb) => ({
          position: upto,
          processed: eb('processed', '+', counted.rows[0]!.n),
          entered: eb('entered', '+', diff.entered),
          leftCount: eb('leftCount', '+', diff.left),
        }))
        .where('id', '=', recomputeId)
        .execute();
      return { upto };
    });
  }

  /** Completes the recompute; false (the walk goes on) when fresh matches were asked for since its own were found. */
  async function finish(recomputeId: string, segmentId: string): Promise<boolean> {
    return db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (segment && !(await stillCurrent(tx, recomputeId, segment.rules))) return false;
      await complete(tx, recomputeId, segment ? segmentId : null);
      return true;
    });
  }

  /** Marks the recompute completed and drops its matches; the segment's count and time set from its rows. */
  async function complete(tx: Tx, recomputeId: string, segmentId: string | null): Promise<void> {
    const now = clock.now();
    await tx.updateTable('segmentRecomputes').set({ status: 'completed', finishedAt: now }).where('id', '=', recomputeId).execute();
    await tx.deleteFrom('segmentRecomputeMatches').where('recomputeId', '=', recomputeId).execute();
    if (segmentId === null) return;
    // The count kept by every diff, set once more from the rows themselves.
    await sql`update segments set computed_at = ${now}::timestamptz,
      member_count = (select count(*) from segment_members where segment_id = ${segmentId}) where id = ${segmentId}`.execute(tx);
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
          const matched = await match(recomputeId, job.segmentId);
          if (matched === 'completed') return;
          if (matched === 'gone') return void (await finish(recomputeId, job.segmentId));
          // `matched` goes on to the pages, `again` finds the matches again.
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
