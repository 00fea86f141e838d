import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { backgroundRuns } from '../../platform/background-runs.ts';
import type { Clock } from '../../platform/clock.ts';
import { lockSegment, writeDiff, type Compiler } from './membership.ts';
import { recomputeView, type RecomputeView } from './segment-store.ts';
import type { Db } from './segments.db.ts';
import { segmentError } from './segments.errors.ts';
import type { Ids } from './segments.ids.ts';

/**
 * A recompute walks every customer in id order, a page at a time; each page is one statement
 * (the compiled rules restricted to the page's id range, the difference written) in a short
 * transaction under the segment's lock, and its position saved with it. So it has progress, a
 * stop after the page under way, and a resume from the saved position after a restart; a page
 * run twice writes nothing new. Live updates go on between pages.
 */
export const PAGE = 20_000;

export type RecomputeDeps = { db: Db; clock: Clock; ids: Ids; compiler: Compiler; log?: { error(obj: object, msg: string): void } };

export function createRecomputes(deps: RecomputeDeps) {
  const { db, clock, ids } = deps;
  const { population } = deps.compiler;

  async function nextUpto(after: string): Promise<string | null> {
    const row = await sql<{ id: string }>`select c.id from ${population.from} where c.id > ${after} order by c.id offset ${PAGE - 1} limit 1`.execute(db);
    return row.rows[0]?.id ?? null;
  }

  /** One page; null when the segment is gone (the walk ends). */
  async function page(recomputeId: string, segmentId: string, after: string): Promise<{ upto: string | null } | null> {
    const upto = await nextUpto(after);
    return db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      if (!segment) return null;
      const diff = await writeDiff(tx, deps, segment, { kind: 'range', after, upto }, 'recompute');
      const counted = await sql<{ n: number }>`select count(*)::int as n from ${population.from} where ${population.where} and c.id > ${after} ${upto === null ? sql`` : sql`and c.id <= ${upto}`}`.execute(tx);
      await tx
        .updateTable('segmentRecomputes')
        .set((eb) => ({
          position: upto,
          processed: eb('processed', '+', counted.rows[0]!.n),
          entered: eb('entered', '+', diff.entered.length),
          leftCount: eb('leftCount', '+', diff.left.length),
        }))
        .where('id', '=', recomputeId)
        .execute();
      return { upto };
    });
  }

  async function finish(recomputeId: string, segmentId: string): Promise<void> {
    const now = clock.now();
    await db.transaction().execute(async (tx) => {
      const segment = await lockSegment(tx, segmentId);
      await tx.updateTable('segmentRecomputes').set({ status: 'completed', finishedAt: now }).where('id', '=', recomputeId).execute();
      if (!segment) return;
      // The count kept by every diff, set once more from the rows themselves.
      await sql`update segments set computed_at = ${now}::timestamptz,
        member_count = (select count(*) from segment_members where segment_id = ${segmentId}) where id = ${segmentId}`.execute(tx);
    });
  }

  async function walk(recomputeId: string, signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        if (signal.aborted) return;
        const job = await db.selectFrom('segmentRecomputes').select(['segmentId', 'position', 'status', 'processed']).where('id', '=', recomputeId).executeTakeFirst();
        if (!job || job.status !== 'running') return;
        // The first page starts before every id ('' sorts first); a null position after pages were written means the last one was (killed before finishing).
        if (job.position === null && job.processed > 0) return finish(recomputeId, job.segmentId);
        const result = await page(recomputeId, job.segmentId, job.position ?? '');
        if (result === null || result.upto === null) return finish(recomputeId, job.segmentId);
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

  return {
    /** Starts a recompute of the segment (one already running is answered instead of a second). */
    async start(segmentId: string, actor: Actor | null): Promise<RecomputeView> {
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
