import type { Actor } from './actor.ts';
import type { Clock } from './clock.ts';
import { platformDb, type AnyDb } from './db-views.ts';
import type { PlatformTables } from './platform.tables.ts';

export type AuditEntry = {
  action: string;
  entityType: string;
  entityId: string | null;
  /** Field names and ids only: never personal values, which must vanish on erase. */
  details?: Record<string, unknown>;
};

/** Records a change in the same transaction as the change itself, whichever module's view it runs in. */
export async function writeAudit<V extends PlatformTables>(db: AnyDb<V>, clock: Clock, actor: Actor, entry: AuditEntry): Promise<void> {
  await platformDb(db)
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
