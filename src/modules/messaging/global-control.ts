import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../platform/actor.ts';
import { writeAudit } from '../../platform/audit.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from './messaging.db.ts';
import { messagingError } from './messaging.errors.ts';

/**
 * The global control group: a share of customers held out of all marketing (every campaign and
 * journey), chosen by hashing each customer with a salt of its own, so that what the program's
 * marketing as a whole adds can be measured against them. Redrawn (a new salt) every N days when
 * asked, so no one is held out for ever; service messages still reach them.
 */
export type GlobalControl = { shareBp: number; redrawEveryDays: number | null; drawnAt: string };

export function createGlobalControl(deps: { db: Db; clock: Clock }) {
  const { db, clock } = deps;
  const read = async (): Promise<GlobalControl> => {
    const row = await db.selectFrom('messagingPolicy').select(['globalControlBp', 'globalControlRedrawDays', 'globalControlDrawnAt']).where('id', '=', 1).executeTakeFirstOrThrow();
    return { shareBp: row.globalControlBp, redrawEveryDays: row.globalControlRedrawDays, drawnAt: row.globalControlDrawnAt.toISOString() };
  };
  return {
    get: read,
    /** Changes the share or the redraw period; `redraw` draws new members now. */
    async put(input: { shareBp: number; redrawEveryDays?: number | null; redraw?: boolean }, actor: Actor): Promise<GlobalControl> {
      if (!Number.isInteger(input.shareBp) || input.shareBp < 0 || input.shareBp > 5000) {
        throw messagingError('messaging.invalid_policy', 'shareBp: must be whole basis points from 0 to 5000 (0 % to 50 %)', [{ field: 'shareBp', reason: 'must be whole basis points from 0 to 5000' }]);
      }
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('messagingPolicy')
          .set({
            globalControlBp: input.shareBp,
            globalControlRedrawDays: input.redrawEveryDays ?? null,
            ...(input.redraw ? { globalControlSalt: randomBytes(12).toString('base64url'), globalControlDrawnAt: clock.now() } : {}),
            updatedAt: clock.now(),
          })
          .where('id', '=', 1)
          .execute();
        await writeAudit(tx, clock, actor, { action: 'messaging.global_control', entityType: 'messaging_policy', entityId: null, details: { shareBp: input.shareBp, redraw: input.redraw ?? false } });
      });
      return read();
    },
    /** The daily job: a new draw once the period has passed. */
    async redrawIfDue(): Promise<{ redrawn: number }> {
      const done = await sql<{ id: number }>`
        update messaging_policy set global_control_salt = ${randomBytes(12).toString('base64url')}, global_control_drawn_at = ${clock.now()}
        where id = 1 and global_control_redraw_days is not null
          and global_control_drawn_at + global_control_redraw_days * interval '1 day' <= ${clock.now()}
        returning id`.execute(db);
      return { redrawn: done.rows.length };
    },
  };
}
