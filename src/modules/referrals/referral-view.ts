import type { Selectable } from 'kysely';
import { decodeCursor, isIdKey, pageOf, type Page } from '../../platform/pagination.ts';
import { customerErrors } from '../customers/index.ts';
import { currentCode, ensureReferralCode } from './referral-codes.ts';
import { loadReferralSettings } from './referral-settings.ts';
import type { DbOrTx } from './referrals.db.ts';
import type { ReferralsDeps } from './referrals.deps.ts';
import type { ReferralStatus, ReferralsTable } from './referrals.tables.ts';

export type ReferralView = {
  id: string;
  customerId: string;
  referrerId: string;
  code: string;
  status: ReferralStatus;
  referrerPoints: number;
  refereePoints: number;
  qualifyingPurchaseMinor: number;
  qualifyBy: string;
  receiptId: string | null;
  qualifiedAt: string | null;
  rewardDueAt: string | null;
  rewardedAt: string | null;
  voidReason: string | null;
  createdAt: string;
};

const iso = (at: Date | null) => at?.toISOString() ?? null;

export function toReferral(row: Selectable<ReferralsTable>): ReferralView {
  return {
    id: row.id,
    customerId: row.customerId,
    referrerId: row.referrerId,
    code: row.code,
    status: row.status,
    referrerPoints: row.referrerPoints,
    refereePoints: row.refereePoints,
    qualifyingPurchaseMinor: Number(row.thresholdMinor),
    qualifyBy: row.qualifyBy.toISOString(),
    receiptId: row.receiptId,
    qualifiedAt: iso(row.qualifiedAt),
    rewardDueAt: iso(row.rewardDueAt),
    rewardedAt: iso(row.rewardedAt),
    voidReason: row.voidReason,
    createdAt: row.createdAt.toISOString(),
  };
}

/** The referral a customer made as a referee (their own, not one a merge brought in), or undefined. */
export async function ownReferral(db: DbOrTx, customerId: string) {
  return db.selectFrom('referrals').selectAll().where('customerId', '=', customerId).where('mergedFrom', 'is', null).where('status', '<>', 'void').executeTakeFirst();
}

/**
 * GET /v1/customers/{id}/referral: the customer's code (given at sign-up), who brought them, and
 * what they brought. A read: it writes nothing (unless a code was lost, see ensureReferralCode).
 */
export async function referralSummary(deps: ReferralsDeps, id: string) {
  const { db, clock, customers } = deps;
  const customerId = await customers.resolveId(id);
  const record = await customers.get(customerId, false);
  if (record.status === 'erased') throw customerErrors.error('customer.erased', `Customer ${customerId} was erased; it has no referral code`);
  // One after another: on PGlite a query beside an open transaction would wait for it.
  const code = (await currentCode(db, customerId)) ?? (await ensureReferralCode(db, clock, customerId)).code;
  const settings = await loadReferralSettings(db);
  const referredBy = await ownReferral(db, customerId);
  const counts = await db
      .selectFrom('referrals')
      .select((eb) => [
        eb.fn.countAll<string>().as('invited'),
        eb.fn.countAll<string>().filterWhere('status', 'in', ['qualified', 'rewarded']).as('qualified'),
        eb.fn.countAll<string>().filterWhere('status', '=', 'rewarded').as('rewarded'),
        eb.fn.coalesce(eb.fn.sum<string>('referrerPoints').filterWhere('status', '=', 'rewarded'), eb.lit(0)).as('points'),
      ])
      .where('referrerId', '=', customerId)
      .where('status', '<>', 'void')
      .executeTakeFirstOrThrow();
  const template = settings.body.linkTemplate;
  return {
    customerId,
    code,
    ...(template ? { link: template.replaceAll('{code}', code) } : {}),
    ...(referredBy
      ? {
          referredBy: {
            referralId: referredBy.id,
            referrerId: referredBy.referrerId,
            code: referredBy.code,
            status: referredBy.status,
            qualifyBy: referredBy.qualifyBy.toISOString(),
            ...(referredBy.rewardDueAt ? { rewardDueAt: referredBy.rewardDueAt.toISOString() } : {}),
            ...(referredBy.rewardedAt ? { rewardedAt: referredBy.rewardedAt.toISOString() } : {}),
          },
        }
      : {}),
    referrals: { invited: Number(counts.invited), qualified: Number(counts.qualified), rewarded: Number(counts.rewarded) },
    rewardsEarned: Number(counts.points),
  };
}

/** GET /v1/customers/{id}/referrals: the customers this one brought, newest first, contacts masked. */
export async function refereePage(deps: ReferralsDeps, id: string, query: { limit: number; cursor?: string; status?: ReferralStatus }): Promise<Page<ReturnType<typeof toReferral> & { referee: { phone: string | null; email: string | null } }>> {
  const { db, customers } = deps;
  const referrerId = await customers.resolveId(id);
  const before = decodeCursor(query.cursor, isIdKey('rfl'));
  let select = db.selectFrom('referrals').selectAll().where('referrerId', '=', referrerId).orderBy('id', 'desc').limit(query.limit + 1);
  if (before !== undefined) select = select.where('id', '<', before);
  if (query.status !== undefined) select = select.where('status', '=', query.status);
  const page = pageOf(await select.execute(), query.limit, (row) => row.id);
  const items = await Promise.all(
    page.items.map(async (row) => {
      const referee = await customers.get(row.customerId, true);
      return { ...toReferral(row), referee: { phone: referee.phone, email: referee.email } };
    }),
  );
  return { items, nextCursor: page.nextCursor };
}
