import { sql, type RawBuilder } from 'kysely';
import { compareArms, compareExperiment, type Arm, type ArmFigures, type Comparison, type ExperimentReport } from '../experiments/index.ts';
import type { Db } from './messaging.db.ts';

/**
 * What campaign and journey reports share: each arm measured from its exposures, intention to
 * treat (a customer the messages could not reach still counts in their arm), and handed to
 * experiments' compareExperiment.
 *
 * An exposure is one customer's attribution window [starts_at, ends_at): a campaign gives each
 * recipient one (from its start), a journey one for each entry (from the entry). The unit is the
 * customer: their revenue is what they bought inside any of their windows (a purchase counted
 * once where a customer's windows overlap), their pre-period spend (CUPED's covariate) what they
 * bought in the `preDays` before their first window. Revenue per customer is mostly zeros:
 * Welch's interval, a bootstrap interval (up to `BOOTSTRAP_LIMIT` customers), and CUPED.
 */
const BOOTSTRAP_LIMIT = 200_000;
const DAY_MS = 86_400_000;

export type PurchaseReceipts = (window: { from?: Date; to: Date }) => RawBuilder<unknown>;

export type Exposures = {
  /** SQL selecting `customer_id, arm, starts_at, ends_at`: one row per window; a customer is in one arm. */
  windows: RawBuilder<unknown>;
  /** The experiment's messages, SQL selecting `id, customer_id, status`. */
  messages: RawBuilder<unknown>;
  /** Bounds every window lies in: the receipts read. */
  span: { from: Date; to: Date };
  preDays: number;
};

// Column names map to camelCase letter by letter: sum_y_y is sumYY (sum_yy would come back as sumYy).
export type ArmMeasure = {
  arm: string; customers: number; exposures: number; lastAt: Date | null; sent: number; delivered: number; opened: number; clicked: number; converted: number;
  sumY: number; sumYY: number; sumX: number; sumXX: number; sumXY: number;
};

/** Each arm's counts and sums, and (for the bootstrap, when the customers are few enough) each customer's revenue by arm. */
export async function measureArms(db: Db, receipts: PurchaseReceipts, exposures: Exposures, options: { bootstrap: boolean }): Promise<{ rows: ArmMeasure[]; values: Map<string, number[]> }> {
  const { span, preDays } = exposures;
  const preFrom = new Date(span.from.getTime() - preDays * DAY_MS);
  const ctes = sql`x as (${exposures.windows}),
    u as (select customer_id, min(arm) as arm, min(starts_at) as first_at, max(starts_at) as last_at, count(*)::int as exposures from x group by customer_id),
    post as (select p.customer_id, count(*) as receipts, sum(p.net_minor)::bigint as revenue from (${receipts({ from: span.from, to: span.to })}) p
      where exists (select 1 from x where x.customer_id = p.customer_id and p.occurred_at >= x.starts_at and p.occurred_at < x.ends_at) group by p.customer_id)`;
  const rows = (
    await sql<ArmMeasure>`
      with ${ctes},
      pre as (select p.customer_id, sum(p.net_minor)::bigint as revenue from (${receipts({ from: preFrom, to: span.to })}) p join u on u.customer_id = p.customer_id
        where p.occurred_at >= u.first_at - make_interval(days => ${preDays}) and p.occurred_at < u.first_at group by p.customer_id),
      m as (select customer_id, bool_or(status in ('sent', 'delivered')) as sent, bool_or(status = 'delivered') as delivered from (${exposures.messages}) mm group by customer_id),
      e as (select ev.customer_id, bool_or(ev.status = 'opened') as opened, bool_or(ev.status = 'clicked') as clicked from message_events ev
        join (${exposures.messages}) mm on mm.id = ev.message_id group by ev.customer_id)
      select u.arm, count(*)::int as customers, coalesce(sum(u.exposures), 0)::int as exposures, max(u.last_at) as last_at,
        (count(*) filter (where m.sent))::int as sent, (count(*) filter (where m.delivered))::int as delivered,
        (count(*) filter (where e.opened))::int as opened, (count(*) filter (where e.clicked))::int as clicked,
        (count(*) filter (where post.receipts > 0))::int as converted,
        coalesce(sum(post.revenue), 0)::float8 as sum_y, coalesce(sum(post.revenue::float8 * post.revenue), 0)::float8 as sum_y_y,
        coalesce(sum(pre.revenue), 0)::float8 as sum_x, coalesce(sum(pre.revenue::float8 * pre.revenue), 0)::float8 as sum_x_x,
        coalesce(sum(pre.revenue::float8 * post.revenue), 0)::float8 as sum_x_y
      from u left join post on post.customer_id = u.customer_id left join pre on pre.customer_id = u.customer_id
        left join m on m.customer_id = u.customer_id left join e on e.customer_id = u.customer_id
      group by u.arm order by u.arm`.execute(db)
  ).rows;
  const values = new Map<string, number[]>();
  const total = rows.reduce((sum, row) => sum + row.customers, 0);
  if (options.bootstrap && total <= BOOTSTRAP_LIMIT) {
    const perCustomer = await sql<{ arm: string; revenue: number }>`
      with ${ctes}
      select u.arm, coalesce(post.revenue, 0)::float8 as revenue from u left join post on post.customer_id = u.customer_id`.execute(db);
    for (const row of perCustomer.rows) {
      const list = values.get(row.arm) ?? [];
      list.push(row.revenue);
      values.set(row.arm, list);
    }
  }
  return { rows, values };
}

/** The arms as experiments reads them, in the order of `arms` (an arm no one fell in has zeros). */
export function armFigures(arms: readonly Arm[], measured: { rows: ArmMeasure[]; values: Map<string, number[]> }, label: (key: string) => string): ArmFigures[] {
  return arms.map((arm) => {
    const row = measured.rows.find((r) => r.arm === arm.key);
    const n = row?.customers ?? 0;
    const values = measured.values.get(arm.key);
    return {
      key: arm.key,
      label: label(arm.key),
      recipients: n,
      delivered: row?.sent ?? 0,
      opened: row?.opened ?? 0,
      clicked: row?.clicked ?? 0,
      converted: row?.converted ?? 0,
      revenue: { n, sum: row?.sumY ?? 0, sumSquares: row?.sumYY ?? 0 },
      ...(values ? { revenueValues: values } : {}),
      cuped: { n, sumX: row?.sumX ?? 0, sumY: row?.sumY ?? 0, sumXX: row?.sumXX ?? 0, sumYY: row?.sumYY ?? 0, sumXY: row?.sumXY ?? 0 },
    };
  });
}

/**
 * Every arm with weight against the control (a holdout, or with none the first variant), with
 * the SRM check over all of them; null when fewer than two arms have weight.
 */
export function experimentOf(arms: readonly Arm[], figures: readonly ArmFigures[], controlKey: string | null, currency: string): ExperimentReport | null {
  const weighted = arms.filter((a) => a.weight > 0);
  const compared = figures.filter((f) => weighted.some((a) => a.key === f.key));
  const control = controlKey && weighted.some((a) => a.key === controlKey) ? controlKey : compared[0]?.key;
  if (!control || compared.length < 2) return null;
  return compareExperiment(compared, {
    controlKey: control,
    weights: Object.fromEntries(weighted.map((a) => [a.key, a.weight])),
    primary: 'conversion',
    bootstrap: { seed: 7246 },
    money: { currency },
  });
}

/** The treated arms as one: their counts and sums added (a campaign's variants, for its incremental revenue against the holdout). */
export function pooled(key: string, arms: readonly ArmFigures[]): ArmFigures {
  const add = (pick: (a: ArmFigures) => number) => arms.reduce((sum, a) => sum + pick(a), 0);
  const values = arms.every((a) => a.revenueValues) ? arms.flatMap((a) => [...a.revenueValues!]) : undefined;
  return {
    key,
    recipients: add((a) => a.recipients),
    delivered: add((a) => a.delivered),
    opened: add((a) => a.opened),
    clicked: add((a) => a.clicked),
    converted: add((a) => a.converted),
    revenue: { n: add((a) => a.revenue.n), sum: add((a) => a.revenue.sum), sumSquares: add((a) => a.revenue.sumSquares) },
    ...(values ? { revenueValues: values } : {}),
    cuped: {
      n: add((a) => a.cuped?.n ?? 0), sumX: add((a) => a.cuped?.sumX ?? 0), sumY: add((a) => a.cuped?.sumY ?? 0),
      sumXX: add((a) => a.cuped?.sumXX ?? 0), sumYY: add((a) => a.cuped?.sumYY ?? 0), sumXY: add((a) => a.cuped?.sumXY ?? 0),
    },
  };
}

/** The treated (pooled) against the control: what the treatment added, for the program's economics. */
export function treatedAgainstControl(control: ArmFigures, treated: readonly ArmFigures[]): Comparison {
  return compareArms(control, pooled('treated', treated), { primary: 'revenuePerRecipient' });
}
