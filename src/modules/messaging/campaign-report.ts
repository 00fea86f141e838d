import { sql, type RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import { compareExperiment, type ArmFigures, type ExperimentReport } from '../experiments/index.ts';
import { campaignArms, CONTROL } from './campaign-arms.ts';
import type { CampaignRow } from './campaigns.ts';
import type { Db } from './messaging.db.ts';

/**
 * A campaign's report: each arm's recipients, messages sent, delivered, opened and clicked, and
 * what they bought in the attribution window — every arm measured from the campaign's start, the
 * control included, so each arm is compared as it was drawn (intention to treat: a customer the
 * campaign could not reach still counts in their arm). Revenue per recipient is mostly zeros:
 * Welch's interval, a bootstrap interval (up to `BOOTSTRAP_LIMIT` recipients), and CUPED with
 * each customer's spend in the same length of time before the start. The statistics and the
 * verdict in words are experiments' (compareExperiment), SRM check included.
 */
const BOOTSTRAP_LIMIT = 200_000;

export type PurchaseReceipts = (window: { from?: Date; to: Date }) => RawBuilder<unknown>;

type ArmRow = {
  arm: string; recipients: number; sent: number; delivered: number; opened: number; clicked: number; converted: number;
  sumY: number; sumYY: number; sumX: number; sumXX: number; sumXY: number;
};

export type CampaignReport = {
  campaignId: string;
  status: string;
  window: { from: string; to: string; complete: boolean };
  currency: string;
  arms: Array<{ key: string; recipients: number; sent: number; delivered: number; opened: number; clicked: number; converted: number; revenueMinor: number }>;
  experiment: ExperimentReport | null;
};

export async function campaignReport(
  deps: { db: Db; clock: Clock; receipts: PurchaseReceipts; currency: () => Promise<string> },
  campaign: CampaignRow,
): Promise<CampaignReport> {
  const { db, clock } = deps;
  const currency = await deps.currency();
  if (!campaign.startedAt) {
    return { campaignId: campaign.id, status: campaign.status, window: { from: '', to: '', complete: false }, currency, arms: [], experiment: null };
  }
  const from = campaign.startedAt;
  const to = new Date(from.getTime() + campaign.attributionDays * 86_400_000);
  const preFrom = new Date(from.getTime() - campaign.attributionDays * 86_400_000);
  const now = clock.now();
  const rows = (
    await sql<ArmRow>`
      with r as (select customer_id, arm from campaign_recipients where campaign_id = ${campaign.id}),
      post as (select p.customer_id, count(*) as receipts, sum(p.net_minor)::bigint as revenue from (${deps.receipts({ from, to })}) p
        where p.customer_id in (select customer_id from r) group by p.customer_id),
      pre as (select p.customer_id, sum(p.net_minor)::bigint as revenue from (${deps.receipts({ from: preFrom, to: from })}) p
        where p.customer_id in (select customer_id from r) group by p.customer_id),
      m as (select customer_id, bool_or(status in ('sent', 'delivered')) as sent, bool_or(status = 'delivered') as delivered from messages
        where source = 'campaign' and source_id = ${campaign.id} group by customer_id),
      e as (select e.customer_id, bool_or(e.status = 'opened') as opened, bool_or(e.status = 'clicked') as clicked from message_events e
        join messages x on x.id = e.message_id where x.source = 'campaign' and x.source_id = ${campaign.id} group by e.customer_id)
      select r.arm, count(*)::int as recipients,
        (count(*) filter (where m.sent))::int as sent, (count(*) filter (where m.delivered))::int as delivered,
        (count(*) filter (where e.opened))::int as opened, (count(*) filter (where e.clicked))::int as clicked,
        (count(*) filter (where post.receipts > 0))::int as converted,
        coalesce(sum(post.revenue), 0)::float8 as sum_y, coalesce(sum(post.revenue::float8 * post.revenue), 0)::float8 as sum_yy,
        coalesce(sum(pre.revenue), 0)::float8 as sum_x, coalesce(sum(pre.revenue::float8 * pre.revenue), 0)::float8 as sum_xx,
        coalesce(sum(pre.revenue::float8 * post.revenue), 0)::float8 as sum_xy
      from r left join post on post.customer_id = r.customer_id left join pre on pre.customer_id = r.customer_id
        left join m on m.customer_id = r.customer_id left join e on e.customer_id = r.customer_id
      group by r.arm order by r.arm`.execute(db)
  ).rows;
  const total = rows.reduce((sum, row) => sum + row.recipients, 0);
  const values = new Map<string, number[]>();
  if (total <= BOOTSTRAP_LIMIT) {
    const perCustomer = await sql<{ arm: string; revenue: number }>`
      select r.arm, coalesce(sum(p.net_minor), 0)::float8 as revenue
      from campaign_recipients r left join (${deps.receipts({ from, to })}) p on p.customer_id = r.customer_id
      where r.campaign_id = ${campaign.id} group by r.customer_id, r.arm`.execute(db);
    for (const row of perCustomer.rows) values.set(row.arm, [...(values.get(row.arm) ?? []), row.revenue]);
  }
  const arms = campaignArms(campaign.controlShareBp, campaign.variants);
  const figures: ArmFigures[] = arms.map((arm) => {
    const row = rows.find((r) => r.arm === arm.key);
    const n = row?.recipients ?? 0;
    return {
      key: arm.key,
      label: arm.key === CONTROL ? 'Control' : arm.key,
      recipients: n,
      delivered: row?.sent ?? 0,
      opened: row?.opened ?? 0,
      clicked: row?.clicked ?? 0,
      converted: row?.converted ?? 0,
      revenue: { n, sum: row?.sumY ?? 0, sumSquares: row?.sumYY ?? 0 },
      ...(values.has(arm.key) ? { revenueValues: values.get(arm.key)! } : {}),
      cuped: { n, sumX: row?.sumX ?? 0, sumY: row?.sumY ?? 0, sumXX: row?.sumXX ?? 0, sumYY: row?.sumYY ?? 0, sumXY: row?.sumXY ?? 0 },
    };
  });
  // With no holdout, the variants are compared with the first of them.
  const compared = figures.filter((f) => arms.find((a) => a.key === f.key)!.weight > 0);
  const controlKey = campaign.controlShareBp > 0 ? CONTROL : compared[0]?.key;
  const experiment =
    controlKey && compared.length >= 2
      ? compareExperiment(compared, {
          controlKey,
          weights: Object.fromEntries(arms.filter((a) => a.weight > 0).map((a) => [a.key, a.weight])),
          primary: 'conversion',
          bootstrap: { seed: 7246 },
          money: { currency },
        })
      : null;
  return {
    campaignId: campaign.id,
    status: campaign.status,
    window: { from: from.toISOString(), to: to.toISOString(), complete: now.getTime() >= to.getTime() },
    currency,
    arms: figures.map((f) => {
      const row = rows.find((r) => r.arm === f.key);
      return { key: f.key, recipients: f.recipients, sent: row?.sent ?? 0, delivered: row?.delivered ?? 0, opened: f.opened, clicked: f.clicked, converted: f.converted, revenueMinor: Math.round(f.revenue.sum) };
    }),
    experiment,
  };
}
