import { sql, type RawBuilder } from 'kysely';
import { assignVariant, BASIS_POINTS, type Arm } from '../experiments/index.ts';
import type { CampaignVariant } from './messaging.tables.ts';

/**
 * A campaign's arms: the holdout control first, then the variants sharing the rest by their
 * weights. A customer's arm is decided by hashing them with the campaign's salt
 * (experiments/stats/assignment.ts); `armSql` decides the same in SQL, so the audience's
 * snapshot is one statement however large, and the test holds the two to each other.
 */
export const CONTROL = 'control';

export function campaignArms(controlShareBp: number, variants: readonly CampaignVariant[]): Arm[] {
  const rest = BASIS_POINTS - controlShareBp;
  const total = variants.reduce((sum, v) => sum + v.weightBp, 0);
  const arms: Arm[] = [{ key: CONTROL, weight: controlShareBp }];
  let given = 0;
  variants.forEach((variant, i) => {
    // The last variant takes what rounding left, so the weights sum to exactly 10,000.
    const weight = i === variants.length - 1 ? rest - given : Math.floor((variant.weightBp * rest) / total);
    given += weight;
    arms.push({ key: variant.key, weight });
  });
  return arms;
}

/** The arm of a customer, in JS (tests, a single customer's look-up). */
export const armOf = (customerId: string, salt: string, arms: readonly Arm[]) => assignVariant(customerId, salt, arms);

/**
 * The same in SQL over a `customer_id` column: the first 52 bits of SHA-256(`salt:id`) as a
 * bucket in [0, 10,000) (exact, in numeric), then the arm whose cumulative weights cover it.
 */
export function armSql(customerId: RawBuilder<unknown>, salt: string, arms: readonly Arm[]): RawBuilder<string> {
  const bits = sql`('x' || substr(encode(sha256(convert_to(${salt} || ':' || ${customerId}, 'UTF8')), 'hex'), 1, 13))::bit(52)::bigint`;
  // floor(bits × 10,000 / 2^52) is floor(bits × 625 / 2^48): bits × 625 < 2^62 fits a bigint, and
  // bigint division of non-negatives is the floor, so the bucket is exact without numeric
  // arithmetic (a snapshot of a million evaluates it up to once an arm for each customer).
  const bucket = sql`((${bits} * ${sql.lit(BASIS_POINTS / 16)}) / ${sql.lit(2 ** 48)}::bigint)`;
  let cumulative = 0;
  const cases = arms
    .filter((arm) => arm.weight > 0)
    .map((arm) => {
      cumulative += arm.weight;
      return sql`when ${bucket} < ${cumulative} then ${arm.key}`;
    });
  return sql<string>`(case ${sql.join(cases, sql` `)} end)`;
}
