import { sql, type RawBuilder } from 'kysely';
import type { Db } from './analytics.db.ts';
import { reportQuery } from './report-query.ts';
import { analyticsError } from './analytics.errors.ts';
import type { Period } from './period.ts';
import type { AnalyticsSources } from './sources.ts';

/**
 * Funnels: the customers who took the first step in the period, and how many of them went on to
 * each next step in order — each step the earliest occurrence after the step before (a repeated
 * kind, such as purchase → purchase, the next one strictly later). Steps: `signup` (the customer
 * was created), `purchase`, `event:<type>` (a custom event from POST /v1/events). The first
 * step is the customer's first occurrence of it ever, so signup → purchase → purchase → purchase
 * follows the first, second and third purchase. With `withinDays` every step must come within
 * that many days of the first. Messaging steps (sent, opened, clicked) join when messaging exists.
 */
export type FunnelStep = { kind: 'signup' } | { kind: 'purchase' } | { kind: 'event'; type: string };
export const funnelSplits = ['none', 'source'] as const;
export type FunnelSplit = (typeof funnelSplits)[number];
export const DEFAULT_STEPS = 'signup,purchase,purchase,purchase';

export type FunnelStepView = {
  step: string;
  customers: number;
  conversionFromPrevious: number | null;
  conversionFromFirst: number | null;
  /** Median time from the step before, in hours (null for the first step or when nobody got here). */
  medianHoursFromPrevious: number | null;
};
export type FunnelGroup = { group: string | null; steps: FunnelStepView[] };
export type FunnelReport = { steps: string[]; withinDays: number | null; by: FunnelSplit; groups: FunnelGroup[]; overall: FunnelGroup };

// The event types POST /v1/events takes (engagement.schemas.ts).
const eventType = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;

export function parseSteps(text: string): FunnelStep[] {
  const tokens = text.split(',').map((token) => token.trim());
  if (tokens.length < 2 || tokens.length > 8) {
    throw analyticsError('analytics.invalid_query', `steps: a funnel has 2 to 8 steps separated by commas; got ${tokens.length}`, [{ field: 'steps', reason: 'must list 2 to 8 steps' }]);
  }
  return tokens.map((token) => {
    if (token === 'signup' || token === 'purchase') return { kind: token };
    const type = token.startsWith('event:') ? token.slice('event:'.length) : null;
    if (type !== null && type.length <= 64 && eventType.test(type)) return { kind: 'event', type };
    throw analyticsError('analytics.invalid_query', `steps: ${JSON.stringify(token.slice(0, 80))} is not a step; use signup, purchase or event:<type> (an event type as POST /v1/events takes it)`, [
      { field: 'steps', reason: 'each step is signup, purchase or event:<type>' },
    ]);
  });
}

const nameOf = (step: FunnelStep) => (step.kind === 'event' ? `event:${step.type}` : step.kind);
const sameKind = (a: FunnelStep, b: FunnelStep) => nameOf(a) === nameOf(b);

/** Occurrences of a step as `customer_id, at`, up to `now`. */
function occurrences(step: FunnelStep, sources: AnalyticsSources, now: Date): RawBuilder<unknown> {
  switch (step.kind) {
    case 'signup': return sql`select m.customer_id, m.created_at as at from (${sources.members}) m`;
    case 'purchase': return sql`select p.customer_id, p.occurred_at as at from (${sources.purchases.receipts({ to: now })}) p`;
    case 'event': return sql`select e.customer_id, e.occurred_at as at from (${sources.customerEvents}) e where e.type = ${step.type} and e.occurred_at < ${now}::timestamptz`;
  }
}

type Row = { grp: string | null } & Record<string, string | number | null>;

export async function funnelReport(db: Db, sources: AnalyticsSources, period: Period, steps: FunnelStep[], by: FunnelSplit, withinDays: number | null, now: Date): Promise<FunnelReport> {
  const [first, ...rest] = steps as [FunnelStep, ...FunnelStep[]];
  const deadline = withinDays === null ? sql`` : sql`and x.at <= s.t0 + ${`${withinDays} days`}::interval`;
  // Each step's time, the earliest occurrence after the one before; a later step of a customer who stopped stays null.
  const stepCtes = rest.map((step, i) => {
    const before = sql.ref(`s.t${i}`);
    const after = sameKind(step, steps[i]!) ? sql`x.at > ${before}` : sql`x.at >= ${before}`;
    return sql`, ${sql.ref(`s${i + 1}`)} as (
      select s.*, case when ${before} is null then null else
        (select min(x.at) from (${occurrences(step, sources, now)}) x where x.customer_id = s.customer_id and ${after} ${deadline}) end as ${sql.ref(`t${i + 1}`)}
      from ${sql.ref(`s${i}`)} s)`;
  });
  const figures = steps.map((_, i) => sql`, count(${sql.ref(`t${i}`)}) as ${sql.ref(`c${i}`)}${i === 0 ? sql`` : sql`,
    percentile_cont(0.5) within group (order by extract(epoch from ${sql.ref(`t${i}`)} - ${sql.ref(`t${i - 1}`)}) / 3600.0) as ${sql.ref(`h${i}`)}`}`);
  const rows = await reportQuery(db, sql<Row>`
    with s0 as (
      select f.customer_id, f.t0, ${by === 'source' ? sql`coalesce(m.signup_source, 'unknown')` : sql`null::text`} as grp
      from (select x.customer_id, min(x.at) as t0 from (${occurrences(first, sources, now)}) x group by x.customer_id) f
      ${by === 'source' ? sql`left join (${sources.members}) m on m.customer_id = f.customer_id` : sql``}
      where f.t0 >= ${period.start}::timestamptz and f.t0 < ${period.end}::timestamptz
    ) ${sql.join(stepCtes, sql` `)}
    select grouping(grp) as total, grp ${sql.join(figures, sql` `)}
    from ${sql.ref(`s${steps.length - 1}`)}
    group by grouping sets ((grp), ())
    order by total, grp`);
  const names = steps.map(nameOf);
  const groupOf = (row: Row): FunnelGroup => {
    const counts = steps.map((_, i) => Number(row[`c${i}`] ?? 0));
    return {
      group: row.grp,
      steps: names.map((step, i) => ({
        step,
        customers: counts[i]!,
        conversionFromPrevious: i === 0 ? null : ratio(counts[i]!, counts[i - 1]!),
        conversionFromFirst: i === 0 ? null : ratio(counts[i]!, counts[0]!),
        medianHoursFromPrevious: i === 0 || row[`h${i}`] === null || row[`h${i}`] === undefined ? null : Math.round(Number(row[`h${i}`]) * 100) / 100,
      })),
    };
  };
  const totalRow = rows.find((row) => Number(row.total) === 1);
  const empty: Row = { grp: null };
  return {
    steps: names,
    withinDays,
    by,
    groups: by === 'none' ? [] : rows.filter((row) => Number(row.total) === 0).map(groupOf),
    overall: groupOf(totalRow ?? empty),
  };
}

const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 1e4) / 1e4 : null);
