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
 * that many days of the first.
 *
 * Messaging steps: `message` (a message sent to the customer; `message:<cmp_…|jrn_…>` only that
 * campaign's or journey's), then `open` and `click`, each of that same message, then usually
 * `purchase`: message → open → click → purchase within `withinDays` (the attribution window) is
 * how many of those sent bought after clicking. A first `message` step is the customer's first
 * message sent in the period (not ever: a customer is messaged every week), and `open` and
 * `click` need a `message` step before them.
 */
export type FunnelStep =
  | { kind: 'signup' }
  | { kind: 'purchase' }
  | { kind: 'event'; type: string }
  | { kind: 'message'; sourceId: string | null }
  | { kind: 'open' }
  | { kind: 'click' };
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

// A campaign's or a journey's id, as messaging makes them.
const messageSource = /^(cmp|jrn)_[0-9a-f]{32}$/;

export function parseSteps(text: string): FunnelStep[] {
  const tokens = text.split(',').map((token) => token.trim());
  if (tokens.length < 2 || tokens.length > 8) {
    throw analyticsError('analytics.invalid_query', `steps: a funnel has 2 to 8 steps separated by commas; got ${tokens.length}`, [{ field: 'steps', reason: 'must list 2 to 8 steps' }]);
  }
  const steps = tokens.map((token): FunnelStep => {
    if (token === 'signup' || token === 'purchase' || token === 'open' || token === 'click') return { kind: token };
    if (token === 'message') return { kind: 'message', sourceId: null };
    if (token.startsWith('message:') && messageSource.test(token.slice('message:'.length))) return { kind: 'message', sourceId: token.slice('message:'.length) };
    const type = token.startsWith('event:') ? token.slice('event:'.length) : null;
    if (type !== null && type.length <= 64 && eventType.test(type)) return { kind: 'event', type };
    throw analyticsError('analytics.invalid_query', `steps: ${JSON.stringify(token.slice(0, 80))} is not a step; use signup, purchase, event:<type> (an event type as POST /v1/events takes it), message, message:<campaign or journey id>, open or click`, [
      { field: 'steps', reason: 'each step is signup, purchase, event:<type>, message, message:<cmp_… or jrn_…>, open or click' },
    ]);
  });
  const orphan = steps.findIndex((step, i) => (step.kind === 'open' || step.kind === 'click') && !steps.slice(0, i).some((before) => before.kind === 'message'));
  if (orphan >= 0) {
    throw analyticsError('analytics.invalid_query', `steps: ${tokens[orphan]} (step ${orphan + 1}) follows a message; put a message step before it, e.g. message,open,click,purchase`, [
      { field: 'steps', reason: 'open and click need a message step before them' },
    ]);
  }
  return steps;
}

const nameOf = (step: FunnelStep) => (step.kind === 'event' ? `event:${step.type}` : step.kind === 'message' && step.sourceId ? `message:${step.sourceId}` : step.kind);
const sameKind = (a: FunnelStep, b: FunnelStep) => nameOf(a) === nameOf(b);

/** Occurrences of a step as `customer_id, at` (and `message_id` for messaging steps), up to `now`. */
function occurrences(step: FunnelStep, sources: AnalyticsSources, now: Date): RawBuilder<unknown> {
  const interactions = (status: string, sourceId: string | null = null) => sql`select i.customer_id, i.at, i.message_id from (${sources.messageInteractions}) i
    where i.status = ${status} and i.at < ${now}::timestamptz ${sourceId === null ? sql`` : sql`and i.source_id = ${sourceId}`}`;
  switch (step.kind) {
    case 'signup': return sql`select m.customer_id, m.created_at as at from (${sources.members}) m`;
    case 'purchase': return sql`select p.customer_id, p.occurred_at as at from (${sources.purchases.receipts({ to: now })}) p`;
    case 'event': return sql`select e.customer_id, e.occurred_at as at from (${sources.customerEvents}) e where e.type = ${step.type} and e.occurred_at < ${now}::timestamptz`;
    case 'message': return interactions('sent', step.sourceId);
    case 'open': return interactions('opened');
    case 'click': return interactions('clicked');
  }
}

type Row = { grp: string | null } & Record<string, string | number | null>;

export async function funnelReport(db: Db, sources: AnalyticsSources, period: Period, steps: FunnelStep[], by: FunnelSplit, withinDays: number | null, now: Date): Promise<FunnelReport> {
  const [first, ...rest] = steps as [FunnelStep, ...FunnelStep[]];
  const deadline = withinDays === null ? sql`` : sql`and x.at <= s.t0 + ${`${withinDays} days`}::interval`;
  // The column holding the message of the latest message step so far: an open or a click is of that message.
  let message: string | null = first.kind === 'message' ? 'm0' : null;
  // Each step's time, the earliest occurrence after the one before; a later step of a customer who stopped stays null.
  const stepCtes = rest.map((step, i) => {
    const before = sql.ref(`s.t${i}`);
    const after = sameKind(step, steps[i]!) ? sql`x.at > ${before}` : sql`x.at >= ${before}`;
    const occurs = occurrences(step, sources, now);
    const cte = (select: RawBuilder<unknown>) => sql`, ${sql.ref(`s${i + 1}`)} as (${select})`;
    if (step.kind === 'message') {
      // The message itself is kept: the open and the click after it are its own.
      message = `m${i + 1}`;
      return cte(sql`select s.*, x.at as ${sql.ref(`t${i + 1}`)}, x.message_id as ${sql.ref(message)}
        from ${sql.ref(`s${i}`)} s left join lateral (
          select x.at, x.message_id from (${occurs}) x
          where ${before} is not null and x.customer_id = s.customer_id and ${after} ${deadline}
          order by x.at, x.message_id limit 1) x on true`);
    }
    const same = (step.kind === 'open' || step.kind === 'click') && message ? sql`and x.message_id = ${sql.ref(`s.${message}`)}` : sql``;
    return cte(sql`select s.*, case when ${before} is null then null else
        (select min(x.at) from (${occurs}) x where x.customer_id = s.customer_id and ${after} ${same} ${deadline}) end as ${sql.ref(`t${i + 1}`)}
      from ${sql.ref(`s${i}`)} s`);
  });
  // The first step: its first occurrence ever, in the period; a message, the first sent in the period.
  const firstStep = first.kind === 'message'
    ? sql`select distinct on (x.customer_id) x.customer_id, x.at as t0, x.message_id as m0 from (${occurrences(first, sources, now)}) x
        where x.at >= ${period.start}::timestamptz and x.at < ${period.end}::timestamptz order by x.customer_id, x.at, x.message_id`
    : sql`select x.customer_id, min(x.at) as t0 from (${occurrences(first, sources, now)}) x group by x.customer_id`;
  const figures = steps.map((_, i) => sql`, count(${sql.ref(`t${i}`)}) as ${sql.ref(`c${i}`)}${i === 0 ? sql`` : sql`,
    percentile_cont(0.5) within group (order by extract(epoch from ${sql.ref(`t${i}`)} - ${sql.ref(`t${i - 1}`)}) / 3600.0) as ${sql.ref(`h${i}`)}`}`);
  const rows = await reportQuery(db, sql<Row>`
    with s0 as (
      select f.*, ${by === 'source' ? sql`coalesce(m.signup_source, 'unknown')` : sql`null::text`} as grp
      from (${firstStep}) f
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
