import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from './actor.ts';
import { writeAudit } from './audit.ts';
import type { Clock } from './clock.ts';
import type { PlatformDb, PlatformTx } from './db-views.ts';
import { platformError } from './errors.ts';
import type { Ids } from './ids.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from './pagination.ts';
import type { ApiKeysTable } from './platform.tables.ts';
import type { Role } from './roles.ts';

export type ApiKeyView = {
  id: string;
  name: string;
  role: Role;
  hint: string;
  source: ApiKeysTable['source'];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** A partner key's partner: it acts only at that partner's stores (store-scope.ts). */
  partnerId: string | null;
};

/** partnerId: the partner a `partner` key is bound to (null for every other key, and for an unbound partner key). */
export type Principal = { keyId: string; name: string; role: Role; partnerId: string | null };

const SECRET_PREFIX = 'patron_';

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function generateSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

function hintOf(secret: string): string {
  return `${secret.slice(0, SECRET_PREFIX.length + 4)}…`;
}

type KeyRow = {
  id: string;
  name: string;
  role: string;
  hint: string;
  source: ApiKeysTable['source'];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  partnerId: string | null;
};

function toView(row: KeyRow): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    hint: row.hint,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    partnerId: row.partnerId,
  };
}

const viewColumns = ['id', 'name', 'role', 'hint', 'source', 'createdAt', 'lastUsedAt', 'revokedAt', 'partnerId'] as const;

export type ApiKeysDeps = {
  db: PlatformDb;
  clock: Clock;
  ids: Ids;
  /** Longest a key revoked elsewhere keeps working here (default 1 s); the process's monotonic clock. */
  revocationCheckMs?: number;
  now?: () => number;
};

// Requests authenticate on every call; a short cache spares the database. A revoke in this
// process clears it at once; a revoke anywhere else (another instance, `patron keys revoke`,
// SQL) bumps api_key_version, which the cache compares at most once per revocationCheckMs.
const CACHE_TTL_MS = 30_000;
const REVOCATION_CHECK_MS = 1000;
// last_used_at is for a person deciding which key to revoke: minute precision is plenty.
const LAST_USED_RESOLUTION_MS = 60_000;

export function createApiKeys({ db, clock, ids, revocationCheckMs = REVOCATION_CHECK_MS, now = () => performance.now() }: ApiKeysDeps) {
  const cache = new Map<string, { principal: Principal; until: number }>();

  // The same pattern as checkout's cache (src/modules/loyalty/checkout-cache.ts): one counter
  // row, read at most once per interval, one read in flight; requests meanwhile use the cache.
  let version: string | null = null;
  let checkedAt = -Infinity;
  let checking: Promise<void> | null = null;
  async function dropIfRevokedElsewhere(): Promise<void> {
    if (now() - checkedAt < revocationCheckMs) return;
    checking ??= (async () => {
      try {
        const row = await sql<{ version: string }>`/*ps:api_key_version*/ select version::text as version from api_key_version`.execute(db);
        const current = row.rows[0]?.version ?? null;
        if (current !== version) cache.clear();
        version = current;
        checkedAt = now();
      } finally {
        checking = null;
      }
    })();
    await checking;
  }

  async function insertKey(
    tx: PlatformDb | PlatformTx,
    input: { name: string; role: Role; source: ApiKeysTable['source']; createdBy: string | null; partnerId?: string | null },
    secret: string,
  ): Promise<ApiKeyView> {
    const row = await tx
      .insertInto('apiKeys')
      .values({
        id: ids.next('key'),
        name: input.name,
        role: input.role,
        secretHash: hashSecret(secret),
        hint: hintOf(secret),
        source: input.source,
        createdAt: clock.now(),
        createdBy: input.createdBy,
        partnerId: input.partnerId ?? null,
      })
      .returning(viewColumns)
      .executeTakeFirstOrThrow();
    return toView(row);
  }

  return {
    /** Creates a key; the secret is returned once and only its hash is stored. A partner key names its partner (partnerId). */
    async create(
      input: { name: string; role: Role; source: ApiKeysTable['source']; partnerId?: string },
      actor: Actor,
    ): Promise<{ key: ApiKeyView; secret: string }> {
      const secret = generateSecret();
      const key = await db.transaction().execute(async (tx) => {
        const created = await insertKey(tx, { ...input, createdBy: actor.keyId ?? actor.name }, secret);
        await writeAudit(tx, clock, actor, {
          action: 'api_key.create',
          entityType: 'api_key',
          entityId: created.id,
          details: { role: input.role, name: input.name, ...(input.partnerId ? { partnerId: input.partnerId } : {}) },
        });
        return created;
      });
      return { key, secret };
    },

    /** Oldest first (ids are UUIDv7: id order is creation order). */
    async list(limit: number, cursor?: string): Promise<Page<ApiKeyView>> {
      const after = decodeCursor(cursor, isIdKey('key'));
      let query = db.selectFrom('apiKeys').select(viewColumns).orderBy('id').limit(limit + 1);
      if (after !== undefined) query = query.where('id', '>', after);
      const page = pageOf(await query.execute(), limit, (row) => row.id);
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    },

    async revoke(id: string, actor: Actor): Promise<ApiKeyView> {
      const key = await db.transaction().execute(async (tx) => {
        const row = await tx.selectFrom('apiKeys').select(viewColumns).where('id', '=', id).forUpdate().executeTakeFirst();
        if (!row) throw platformError('apikey.not_found', `No API key ${id}`);
        if (row.revokedAt) return row;
        if (row.role === 'owner') {
          // Lock every active owner key so two concurrent revokes cannot remove the last two.
          const owners = await tx
            .selectFrom('apiKeys')
            .select('id')
            .where('role', '=', 'owner')
            .where('revokedAt', 'is', null)
            .forUpdate()
            .execute();
          if (owners.length <= 1) throw platformError('apikey.last_owner', 'Create another owner key before revoking this one');
        }
        const revoked = await tx
          .updateTable('apiKeys')
          .set({ revokedAt: clock.now() })
          .where('id', '=', id)
          .returning(viewColumns)
          .executeTakeFirstOrThrow();
        await writeAudit(tx, clock, actor, { action: 'api_key.revoke', entityType: 'api_key', entityId: id });
        return revoked;
      });
      cache.clear();
      return toView(key);
    },

    /** The principal behind a secret, or null when the secret is unknown or revoked. */
    async authenticate(secret: string): Promise<Principal | null> {
      const hash = hashSecret(secret);
      await dropIfRevokedElsewhere();
      const nowMs = clock.now().getTime();
      const cached = cache.get(hash);
      if (cached && cached.until > nowMs) return cached.principal;
      const row = await db
        .selectFrom('apiKeys')
        .select(['id', 'name', 'role', 'lastUsedAt', 'partnerId'])
        .where('secretHash', '=', hash)
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      if (!row) {
        cache.delete(hash);
        return null;
      }
      const principal: Principal = { keyId: row.id, name: row.name, role: row.role as Role, partnerId: row.partnerId };
      const lastUsed = row.lastUsedAt?.getTime() ?? 0;
      if (nowMs - lastUsed > LAST_USED_RESOLUTION_MS) {
        await db.updateTable('apiKeys').set({ lastUsedAt: new Date(nowMs) }).where('id', '=', row.id).execute();
      }
      cache.set(hash, { principal, until: nowMs + CACHE_TTL_MS });
      return principal;
    },

    /**
     * PATRON_ADMIN_KEY: an owner key for automation, kept in step with the environment. A key
     * from an earlier value of the variable is revoked so a rotated secret stops working.
     */
    async ensureEnvAdminKey(secret: string): Promise<void> {
      const hash = hashSecret(secret);
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('apiKeys')
          .set({ revokedAt: clock.now() })
          .where('source', '=', 'env')
          .where('secretHash', '<>', hash)
          .where('revokedAt', 'is', null)
          .execute();
        const existing = await tx.selectFrom('apiKeys').select(['id', 'revokedAt', 'role']).where('secretHash', '=', hash).executeTakeFirst();
        if (!existing) {
          await insertKey(tx, { name: 'PATRON_ADMIN_KEY', role: 'owner', source: 'env', createdBy: 'environment' }, secret);
        } else if (existing.revokedAt || existing.role !== 'owner') {
          await tx.updateTable('apiKeys').set({ revokedAt: null, role: 'owner' }).where('id', '=', existing.id).execute();
        }
      });
      cache.clear();
    },

    /** Whether any owner key can still sign in; a fresh install has none. */
    async hasActiveOwner(): Promise<boolean> {
      const row = await db
        .selectFrom('apiKeys')
        .select('id')
        .where('role', '=', 'owner')
        .where('revokedAt', 'is', null)
        .executeTakeFirst();
      return row !== undefined;
    },
  };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
