import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../actor.ts';
import { writeAudit } from '../audit.ts';
import type { Clock } from '../clock.ts';
import type { PlatformDb, PlatformTx } from '../db-views.ts';
import { platformError } from '../errors.ts';
import type { Ids } from '../ids.ts';
import { decodeCursor, isIdKey, pageOf, type Page } from '../pagination.ts';
import type { Role } from '../roles.ts';
import { defaultPasswordCost, generatePassword, hashPassword, needsRehash, passwordProblem, verifyPassword, type PasswordCost } from './passwords.ts';

import type { StaffRole } from './staff-roles.ts';

export { staffRoles, type StaffRole } from './staff-roles.ts';

export type StaffUserView = {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  disabled: boolean;
  /** Until when sign-in is refused after repeated wrong passwords; null when not locked. */
  lockedUntil: string | null;
  createdAt: string;
  passwordChangedAt: string;
  lastSignInAt: string | null;
};

/** A console session as the auth hook sees it: who, and the CSRF token changes must echo. */
export type StaffSession = { user: StaffUserView; csrfToken: string; expiresAt: string };

/** Consecutive wrong passwords before an account is locked, and for how long. */
export const MAX_FAILED_SIGN_INS = 5;
export const LOCKOUT_MS = 15 * 60_000;
/** A session ends after 12 hours without a request, and 7 days after sign-in whatever happens. */
export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
// last_seen_at (which slides the idle limit) is written at most once a minute per session.
const SEEN_RESOLUTION_MS = 60_000;

const columns = ['id', 'email', 'name', 'role', 'disabledAt', 'lockedUntil', 'createdAt', 'passwordChangedAt', 'lastSignInAt'] as const;
type Row = {
  id: string;
  email: string;
  name: string;
  role: string;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  createdAt: Date;
  passwordChangedAt: Date;
  lastSignInAt: Date | null;
};

function toView(row: Row, now: Date): StaffUserView {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role as StaffRole,
    disabled: row.disabledAt !== null,
    lockedUntil: row.lockedUntil && row.lockedUntil > now ? row.lockedUntil.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    passwordChangedAt: row.passwordChangedAt.toISOString(),
    lastSignInAt: row.lastSignInAt?.toISOString() ?? null,
  };
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');
const normaliseEmail = (email: string) => email.trim().toLowerCase();

export type StaffDeps = { db: PlatformDb; clock: Clock; ids: Ids; passwordCost?: PasswordCost };

export function createStaff({ db, clock, ids, passwordCost = defaultPasswordCost }: StaffDeps) {
  function checkPassword(password: string, email: string): void {
    const problem = passwordProblem(password, email);
    if (problem) throw platformError('staff.weak_password', problem, [{ field: 'password', reason: problem }]);
  }

  async function lockRow(tx: PlatformTx, id: string): Promise<Row> {
    const row = await tx.selectFrom('staffUsers').select(columns).where('id', '=', id).forUpdate().executeTakeFirst();
    if (!row) throw platformError('staff.not_found', `No staff user ${id}`);
    return row;
  }

  /** Refuses a change that would leave no enabled owner: the console would have nobody to manage it. */
  async function keepAnOwner(tx: PlatformTx, exceptId: string): Promise<void> {
    // Lock every enabled owner, so two concurrent demotions cannot remove the last two.
    const owners = await tx.selectFrom('staffUsers').select('id').where('role', '=', 'owner').where('disabledAt', 'is', null).forUpdate().execute();
    if (owners.every((owner) => owner.id === exceptId)) {
      throw platformError('staff.last_owner', 'This is the last enabled owner: make another staff user an owner first');
    }
  }

  async function endSessions(tx: PlatformDb | PlatformTx, userId: string, keepTokenHash?: string): Promise<void> {
    let query = tx.deleteFrom('staffSessions').where('staffUserId', '=', userId);
    if (keepTokenHash) query = query.where('tokenHash', '<>', keepTokenHash);
    await query.execute();
  }

  async function get(id: string): Promise<StaffUserView> {
    const row = await db.selectFrom('staffUsers').select(columns).where('id', '=', id).executeTakeFirst();
    if (!row) throw platformError('staff.not_found', `No staff user ${id}`);
    return toView(row, clock.now());
  }

  // A hash of a password nobody has, checked when the e-mail is unknown, at the same cost as
  // real ones, so the time taken does not tell a known e-mail from an unknown one.
  let dummyHash: Promise<string> | null = null;

  return {
    /** Adds a staff user; without a password one is generated and returned, once. */
    async create(
      input: { email: string; name: string; role: StaffRole; password?: string | undefined },
      actor: Actor,
    ): Promise<{ user: StaffUserView; password: string | null }> {
      const email = normaliseEmail(input.email);
      const password = input.password ?? generatePassword();
      checkPassword(password, email);
      const hash = await hashPassword(password, passwordCost);
      const now = clock.now();
      const user = await db.transaction().execute(async (tx) => {
        const taken = await tx.selectFrom('staffUsers').select('id').where('email', '=', email).executeTakeFirst();
        if (taken) throw platformError('staff.email_taken', `A staff user with the e-mail ${email} exists already`, [{ field: 'email', reason: 'taken' }]);
        const row = await tx
          .insertInto('staffUsers')
          .values({ id: ids.next('stf'), email, name: input.name.trim(), role: input.role, passwordHash: hash, createdAt: now, createdBy: actor.keyId ?? actor.name, passwordChangedAt: now })
          .onConflict((oc) => oc.column('email').doNothing())
          .returning(columns)
          .executeTakeFirst();
        if (!row) throw platformError('staff.email_taken', `A staff user with the e-mail ${email} exists already`, [{ field: 'email', reason: 'taken' }]);
        await writeAudit(tx, clock, actor, { action: 'staff_user.create', entityType: 'staff_user', entityId: row.id, details: { role: input.role } });
        return toView(row, now);
      });
      return { user, password: input.password === undefined ? password : null };
    },

    /** Staff users in the order they were added. */
    async list(limit: number, cursor?: string): Promise<Page<StaffUserView>> {
      const after = decodeCursor(cursor, isIdKey('stf'));
      let query = db.selectFrom('staffUsers').select(columns).orderBy('id').limit(limit + 1);
      if (after !== undefined) query = query.where('id', '>', after);
      const page = pageOf(await query.execute(), limit, (row) => row.id);
      const now = clock.now();
      return { items: page.items.map((row) => toView(row, now)), nextCursor: page.nextCursor };
    },

    get,

    /** The staff user with this e-mail (any case), or null. */
    async byEmail(email: string): Promise<StaffUserView | null> {
      const row = await db.selectFrom('staffUsers').select(columns).where('email', '=', normaliseEmail(email)).executeTakeFirst();
      return row ? toView(row, clock.now()) : null;
    },

    /**
     * Renames, changes the role, disables or enables a staff user. A new role or a disabled
     * account ends the user's sessions, so it takes effect on their next request.
     */
    async update(id: string, patch: { name?: string; role?: StaffRole; disabled?: boolean }, actor: Actor): Promise<StaffUserView> {
      const now = clock.now();
      return db.transaction().execute(async (tx) => {
        const row = await lockRow(tx, id);
        const set: { name?: string; role?: StaffRole; disabledAt?: Date | null } = {};
        if (patch.name !== undefined && patch.name.trim() !== row.name) set.name = patch.name.trim();
        if (patch.role !== undefined && patch.role !== row.role) set.role = patch.role;
        if (patch.disabled !== undefined && patch.disabled !== (row.disabledAt !== null)) set.disabledAt = patch.disabled ? now : null;
        if (Object.keys(set).length === 0) return toView(row, now);
        const losesOwner = row.role === 'owner' && row.disabledAt === null && ((set.role !== undefined && set.role !== 'owner') || set.disabledAt instanceof Date);
        if (losesOwner) await keepAnOwner(tx, id);
        const updated = await tx.updateTable('staffUsers').set(set).where('id', '=', id).returning(columns).executeTakeFirstOrThrow();
        if (set.role !== undefined || set.disabledAt instanceof Date) await endSessions(tx, id);
        await writeAudit(tx, clock, actor, {
          action: 'staff_user.update',
          entityType: 'staff_user',
          entityId: id,
          details: { changed: Object.keys(set), ...(set.role ? { role: set.role } : {}), ...(set.disabledAt !== undefined ? { disabled: set.disabledAt !== null } : {}) },
        });
        return toView(updated, now);
      });
    },

    /**
     * The owner sets a new password for someone (forgotten, or a first one to hand over); without
     * one a password is generated and returned once. The user's sessions end and a lock-out lifts.
     */
    async resetPassword(id: string, password: string | undefined, actor: Actor): Promise<{ user: StaffUserView; password: string | null }> {
      const current = await get(id);
      const next = password ?? generatePassword();
      checkPassword(next, current.email);
      const hash = await hashPassword(next, passwordCost);
      const now = clock.now();
      const user = await db.transaction().execute(async (tx) => {
        await lockRow(tx, id);
        const row = await tx
          .updateTable('staffUsers')
          .set({ passwordHash: hash, passwordChangedAt: now, failedAttempts: 0, lockedUntil: null })
          .where('id', '=', id)
          .returning(columns)
          .executeTakeFirstOrThrow();
        await endSessions(tx, id);
        await writeAudit(tx, clock, actor, { action: 'staff_user.reset_password', entityType: 'staff_user', entityId: id });
        return toView(row, now);
      });
      return { user, password: password === undefined ? next : null };
    },

    /** A signed-in user changes their own password; their other sessions end, this one stays. */
    async changeOwnPassword(session: { userId: string; token: string }, currentPassword: string, newPassword: string, actor: Actor): Promise<void> {
      const row = await db.selectFrom('staffUsers').select(['email', 'passwordHash']).where('id', '=', session.userId).executeTakeFirst();
      if (!row) throw platformError('staff.not_found', `No staff user ${session.userId}`);
      if (!(await verifyPassword(currentPassword, row.passwordHash))) {
        throw platformError('staff.wrong_password', 'The current password is wrong', [{ field: 'currentPassword', reason: 'wrong' }]);
      }
      checkPassword(newPassword, row.email);
      const hash = await hashPassword(newPassword, passwordCost);
      await db.transaction().execute(async (tx) => {
        await tx.updateTable('staffUsers').set({ passwordHash: hash, passwordChangedAt: clock.now() }).where('id', '=', session.userId).execute();
        await endSessions(tx, session.userId, tokenHash(session.token));
        await writeAudit(tx, clock, actor, { action: 'staff_user.change_password', entityType: 'staff_user', entityId: session.userId });
      });
    },

    /**
     * Signs a person in: a new session's token (for the cookie) and CSRF token, or an error that
     * says the same for an unknown e-mail, a wrong password and a disabled account. Five wrong
     * passwords in a row lock the account for 15 minutes (429 with the wait), right password or not.
     */
    async signIn(emailInput: string, password: string): Promise<{ token: string; session: StaffSession } | { lockedForSeconds: number }> {
      const email = normaliseEmail(emailInput);
      const row = await db.selectFrom('staffUsers').select([...columns, 'passwordHash', 'failedAttempts']).where('email', '=', email).executeTakeFirst();
      const now = clock.now();
      if (row?.lockedUntil && row.lockedUntil > now) return { lockedForSeconds: Math.ceil((row.lockedUntil.getTime() - now.getTime()) / 1000) };
      dummyHash ??= hashPassword(generatePassword(), passwordCost);
      const matches = await verifyPassword(password, row?.passwordHash ?? (await dummyHash));
      if (!row || !matches || row.disabledAt) {
        if (row && !matches) {
          // Counted in one UPDATE, so parallel guesses cannot slip past the limit. A lock that ran
          // out starts the count over: one wrong password after it does not lock again at once.
          const expired = sql<boolean>`(locked_until is not null and locked_until <= ${now}::timestamptz)`;
          const count = sql<number>`(case when ${expired} then 0 else failed_attempts end + 1)`;
          await db
            .updateTable('staffUsers')
            .set({
              failedAttempts: count,
              lockedUntil: sql`case when ${count} >= ${MAX_FAILED_SIGN_INS} then ${new Date(now.getTime() + LOCKOUT_MS)}::timestamptz when ${expired} then null else locked_until end`,
            })
            .where('id', '=', row.id)
            .execute();
        }
        throw platformError('auth.invalid_credentials', 'The e-mail or password is wrong');
      }
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
      const rehash = needsRehash(row.passwordHash, passwordCost) ? await hashPassword(password, passwordCost) : null;
      await db.transaction().execute(async (tx) => {
        await tx
          .updateTable('staffUsers')
          .set({ failedAttempts: 0, lockedUntil: null, lastSignInAt: now, ...(rehash ? { passwordHash: rehash } : {}) })
          .where('id', '=', row.id)
          .execute();
        await tx.insertInto('staffSessions').values({ tokenHash: tokenHash(token), staffUserId: row.id, csrfToken, createdAt: now, lastSeenAt: now, expiresAt }).execute();
        // Sessions that ran out are swept here, on the way in, rather than by a job.
        await tx.deleteFrom('staffSessions').where('staffUserId', '=', row.id).where('expiresAt', '<=', now).execute();
        await writeAudit(tx, clock, { keyId: row.id, name: row.name, role: row.role as Role }, { action: 'staff_user.sign_in', entityType: 'staff_user', entityId: row.id });
      });
      const user = toView({ ...row, lastSignInAt: now, lockedUntil: null }, now);
      return { token, session: { user, csrfToken, expiresAt: expiresAt.toISOString() } };
    },

    /** The session a cookie's token names, if it is still good; each use slides its idle limit. */
    async session(token: string): Promise<StaffSession | null> {
      const now = clock.now();
      const hash = tokenHash(token);
      const row = await db
        .selectFrom('staffSessions as s')
        .innerJoin('staffUsers as u', 'u.id', 's.staffUserId')
        .select(['u.id', 'u.email', 'u.name', 'u.role', 'u.disabledAt', 'u.lockedUntil', 'u.createdAt', 'u.passwordChangedAt', 'u.lastSignInAt', 's.csrfToken', 's.createdAt as sessionCreatedAt', 's.lastSeenAt', 's.expiresAt'])
        .where('s.tokenHash', '=', hash)
        .executeTakeFirst();
      if (!row || row.expiresAt <= now || row.disabledAt) return null;
      let expiresAt = row.expiresAt;
      if (now.getTime() - row.lastSeenAt.getTime() >= SEEN_RESOLUTION_MS) {
        expiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_MS, row.sessionCreatedAt.getTime() + SESSION_MAX_MS));
        await db.updateTable('staffSessions').set({ lastSeenAt: now, expiresAt }).where('tokenHash', '=', hash).execute();
      }
      return { user: toView(row, now), csrfToken: row.csrfToken, expiresAt: expiresAt.toISOString() };
    },

    async signOut(token: string): Promise<void> {
      await db.deleteFrom('staffSessions').where('tokenHash', '=', tokenHash(token)).execute();
    },

    /** Whether anyone can sign in to the console yet; a fresh install has nobody. */
    async hasOwner(): Promise<boolean> {
      const row = await db.selectFrom('staffUsers').select('id').where('role', '=', 'owner').where('disabledAt', 'is', null).executeTakeFirst();
      return row !== undefined;
    },

    /** Whether `given` is the session's CSRF token (compared in constant time). */
    csrfMatches(session: StaffSession, given: string | undefined): boolean {
      if (!given) return false;
      const a = Buffer.from(session.csrfToken);
      const b = Buffer.from(given);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

export type Staff = ReturnType<typeof createStaff>;
