import { createHmac, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { CustomerRecord } from '../customers/index.ts';
import type { DbOrTx } from './referrals.db.ts';
import type { FingerprintKind } from './referrals.tables.ts';

/**
 * What the self-referral check compares: a customer's contacts, device ids and payment tokens,
 * each as an HMAC-SHA256 under this installation's secret (kind-prefixed, so a phone never
 * matches a card). Only hashes are kept: the check needs equality, never the value, and an erase
 * deletes them. Keyed, because a plain hash of a phone number is undone by hashing every number
 * (about 10^10 of them): without the secret, which lives in system_settings and nowhere near a
 * dump of the fingerprints alone, the hashes say nothing.
 */
export type Fingerprint = { kind: FingerprintKind; hash: string };
/** The installation's secret for fingerprint hashes. */
export type FingerprintKey = Buffer;

export function fingerprintHash(key: FingerprintKey, kind: FingerprintKind, value: string): string {
  return createHmac('sha256', key).update(`patron-referral:${kind}:${value}`).digest('hex');
}

const SECRET_SETTING = 'referrals.fingerprint_secret';

/**
 * The installation's fingerprint secret, made on first use (32 random bytes in system_settings;
 * two first uses at once: the unique key makes one of them win, both read the winner's). It is
 * kept in memory only once it is known committed: one made inside a transaction that then rolls
 * back is made again next time, and no hash made with it survived that rollback either.
 */
export function fingerprintKeys(clock: Clock) {
  let known: FingerprintKey | null = null;
  return {
    async get(db: DbOrTx): Promise<FingerprintKey> {
      if (known) return known;
      const made = await db
        .insertInto('systemSettings')
        .values({ key: SECRET_SETTING, value: JSON.stringify({ secret: randomBytes(32).toString('base64') }), updatedAt: clock.now() })
        .onConflict((oc) => oc.column('key').doNothing())
        .returning('key')
        .executeTakeFirst();
      const row = await db.selectFrom('systemSettings').select('value').where('key', '=', SECRET_SETTING).executeTakeFirstOrThrow();
      const key = Buffer.from((row.value as { secret: string }).secret, 'base64');
      if (!made || !db.isTransaction) known = key;
      return key;
    },
  };
}
export type FingerprintKeys = ReturnType<typeof fingerprintKeys>;

/**
 * The mailbox an address delivers to: a +tag is dropped everywhere (ivan+2@x.ru reaches
 * ivan@x.ru), and Gmail ignores dots and answers to googlemail.com too. A farmer's second
 * account on "i.van+2@gmail.com" is the same mailbox as "ivan@gmail.com".
 */
export function canonicalMailbox(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return email.toLowerCase();
  let local = email.slice(0, at).toLowerCase();
  let domain = email.slice(at + 1).toLowerCase();
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (domain === 'googlemail.com') domain = 'gmail.com';
  if (domain === 'gmail.com') local = local.replaceAll('.', '');
  return `${local}@${domain}`;
}

/** Every phone, e-mail and card the customer has now (not just the primary ones). */
export function contactFingerprints(key: FingerprintKey, record: { identifiers: Array<Pick<CustomerRecord['identifiers'][number], 'kind' | 'value'>> }): Fingerprint[] {
  const found: Fingerprint[] = [];
  for (const identifier of record.identifiers) {
    if (identifier.kind === 'phone') found.push({ kind: 'phone', hash: fingerprintHash(key, 'phone', identifier.value) });
    if (identifier.kind === 'email') found.push({ kind: 'email', hash: fingerprintHash(key, 'email', canonicalMailbox(identifier.value)) });
    if (identifier.kind === 'card') found.push({ kind: 'card', hash: fingerprintHash(key, 'card', identifier.value) });
  }
  return found;
}

export function secretFingerprints(key: FingerprintKey, given: { deviceId?: string; paymentToken?: string }): Fingerprint[] {
  const found: Fingerprint[] = [];
  if (given.deviceId !== undefined) found.push({ kind: 'device', hash: fingerprintHash(key, 'device', given.deviceId.trim()) });
  if (given.paymentToken !== undefined) found.push({ kind: 'payment', hash: fingerprintHash(key, 'payment', given.paymentToken.trim()) });
  return found;
}

/** Keeps the hashes a customer showed; answers how many were new. */
export async function recordFingerprints(db: DbOrTx, clock: Clock, customerId: string, fingerprints: Fingerprint[]): Promise<number> {
  if (fingerprints.length === 0) return 0;
  const now = clock.now();
  const inserted = await db
    .insertInto('referralFingerprints')
    .values(fingerprints.map((f) => ({ customerId, kind: f.kind, hash: f.hash, createdAt: now })))
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0);
}

/** The same for many customers at once (an import batch's sign-ups): one statement. */
export async function recordFingerprintsOfMany(db: DbOrTx, clock: Clock, marks: Array<{ customerId: string } & Fingerprint>): Promise<void> {
  if (marks.length === 0) return;
  await sql`insert into referral_fingerprints (customer_id, kind, hash, created_at)
    select customer_id, kind, hash, ${clock.now()} from unnest(${marks.map((m) => m.customerId)}::text[], ${marks.map((m) => m.kind)}::text[], ${marks.map((m) => m.hash)}::text[])
      as t(customer_id, kind, hash)
    on conflict do nothing`.execute(db);
}

export async function storedFingerprints(db: DbOrTx, customerId: string): Promise<Fingerprint[]> {
  return db.selectFrom('referralFingerprints').select(['kind', 'hash']).where('customerId', '=', customerId).execute();
}

/** The first kind both sides share, in the order a detail names them, or null. */
export function sharedKind(a: Fingerprint[], b: Fingerprint[]): FingerprintKind | null {
  const other = new Set(b.map((f) => `${f.kind}:${f.hash}`));
  const order: FingerprintKind[] = ['phone', 'email', 'card', 'device', 'payment'];
  return order.find((kind) => a.some((f) => f.kind === kind && other.has(`${kind}:${f.hash}`))) ?? null;
}

export const kindWords: Record<FingerprintKind, string> = {
  phone: 'phone number',
  email: 'e-mail address',
  card: 'loyalty card',
  device: 'device',
  payment: 'payment card',
};
