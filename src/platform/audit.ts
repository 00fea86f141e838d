import type { DbOrTx } from '../db/database.ts';
import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string | null;
  /** Field names and ids only: never personal values, which must vanish on erase. */
  details?: Record<string, unknown>;
};

/** Records a change in the same transaction as the change itself. */
export async function writeAudit(db: DbOrTx, clock: Clock, actor: Actor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('auditLog')
    .values({
      occurredAt: clock.now(),
      actorKeyId: actor.keyId,
      actorName: actor.name,
      actorRole: actor.role,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId,
      details: JSON.stringify(entry.details ?? {}),
      requestId: actor.requestId ?? null,
    })
    .execute();
}
