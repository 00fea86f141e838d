import { sql } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { ExperimentReport } from '../experiments/index.ts';
import { armFigures, experimentOf, measureArms, type ArmMeasure, type PurchaseReceipts } from './arm-report.ts';
import { campaignArms, CONTROL } from './campaign-arms.ts';
import type { CampaignRow } from './campaigns.ts';
import type { Db } from './messaging.db.ts';

export type { PurchaseReceipts } from './arm-report.ts';

/**
 * A campaign's report: each arm's recipients, messages sent, delivered, opened and clicked, and
 * what they bought in the attribution window — every arm measured from the campaign's start, the
 * control included, so each arm is compared as it was drawn (intention to treat). The measuring
 * and the statistics are arm-report.ts's, shared with journeys; CUPED's pre-period is the same
 * length of time before the start.
 */
export type CampaignReport = {
  campaignId: string;
  status: string;
  window: { from: string; to: string; complete: boolean };
  currency: string;
  arms: Array<{ key: string; recipients: number; sent: number; delivered: number; opened: number; clicked: number; converted: number; revenueMinor: number }>;
  experiment: ExperimentReport | null;
};

/** What a started campaign's arms did in its attribution window (the report, and economics' incremental revenue). */
export async function measureCampaign(deps: { db: Db; receipts: PurchaseReceipts }, campaign: CampaignRow & { startedAt: Date }, options: { bootstrap: boolean }) {
  const from = campaign.startedAt;
  const to = new Date(from.getTime() + campaign.attributionDays * 86_400_000);
  const measured = await measureArms(deps.db, deps.receipts, {
    windows: sql`select customer_id, arm, ${from}::timestamptz as starts_at, ${to}::timestamptz as ends_at from campaign_recipients where campaign_id = ${campaign.id}`,
    messages: sql`select id, customer_id, status from messages where source = 'campaign' and source_id = ${campaign.id}`,
    span: { from, to },
    preDays: campaign.attributionDays,
  }, options);
  const arms = campaignArms(campaign.controlShareBp, campaign.variants);
  const figures = armFigures(arms, measured, (key) => (key === CONTROL ? 'Control' : key));
  return { from, to, arms, figures, rows: measured.rows };
}

export async function campaignReport(
  deps: { db: Db; clock: Clock; receipts: PurchaseReceipts; currency: () => Promise<string> },
  campaign: CampaignRow,
): Promise<CampaignReport> {
  const currency = await deps.currency();
  const startedAt = campaign.startedAt;
  if (!startedAt) {
    return { campaignId: campaign.id, status: campaign.status, window: { from: '', to: '', complete: false }, currency, arms: [], experiment: null };
  }
  const { from, to, arms, figures, rows } = await measureCampaign(deps, { ...campaign, startedAt }, { bootstrap: true });
  const row = (key: string): ArmMeasure | undefined => rows.find((r) => r.arm === key);
  return {
    campaignId: campaign.id,
    status: campaign.status,
    window: { from: from.toISOString(), to: to.toISOString(), complete: deps.clock.now().getTime() >= to.getTime() },
    currency,
    arms: figures.map((f) => ({
      key: f.key, recipients: f.recipients, sent: row(f.key)?.sent ?? 0, delivered: row(f.key)?.delivered ?? 0, opened: f.opened, clicked: f.clicked, converted: f.converted,
      revenueMinor: Math.round(f.revenue.sum),
    })),
    // With no holdout, the variants are compared with the first of them.
    experiment: experimentOf(arms, figures, campaign.controlShareBp > 0 ? CONTROL : null, currency),
  };
}
