import { sql } from 'kysely';
import type { Interval } from '../experiments/index.ts';
import { treatedAgainstControl, type PurchaseReceipts } from './arm-report.ts';
import { CONTROL } from './campaign-arms.ts';
import { measureCampaign } from './campaign-report.ts';
import type { CampaignRow } from './campaigns.ts';
import { DEFAULT_ATTRIBUTION_DAYS, measureJourney } from './journey-report.ts';
import type { Db } from './messaging.db.ts';

/**
 * What messaging's experiments added to revenue, for the program's economics: every campaign
 * that started in the period with a holdout, and every journey with a control group for its
 * entries of the period. For each, (revenue per customer of the treated − of the control) ×
 * the treated (CUPED's estimate where it ran; a campaign's variants pooled as one treatment),
 * with its standard error, and the points its journeys' steps gave the treated.
 */
export type MeasuredExperiment = {
  kind: 'campaign' | 'journey';
  id: string;
  name: string;
  treated: number;
  control: number;
  /** Null when an arm is too small or does not vary to measure. */
  incrementalRevenueMinor: number | null;
  ci: Interval | null;
  standardError: number | null;
  /** Points the journey's award steps gave the treated (a campaign gives none). */
  rewardPoints: number;
  /** Whether every attribution window has ended. */
  complete: boolean;
};

const DAY_MS = 86_400_000;

export async function measuredExperiments(deps: { db: Db; receipts: PurchaseReceipts; now: Date }, period: { from: Date; to: Date }): Promise<MeasuredExperiment[]> {
  const { db, now } = deps;
  const measured: MeasuredExperiment[] = [];
  const campaigns = (await db
    .selectFrom('campaigns')
    .selectAll()
    .where('startedAt', '>=', period.from)
    .where('startedAt', '<', period.to)
    .where('controlShareBp', '>', 0)
    .orderBy('startedAt')
    .execute()) as unknown as Array<CampaignRow & { startedAt: Date }>;
  for (const campaign of campaigns) {
    const { figures, to } = await measureCampaign({ db, receipts: deps.receipts }, campaign, { bootstrap: false });
    const control = figures.find((f) => f.key === CONTROL)!;
    const treated = figures.filter((f) => f.key !== CONTROL);
    measured.push(entry('campaign', campaign.id, campaign.name, control.recipients, treated.reduce((n, f) => n + f.recipients, 0), control.recipients > 0 && treated.some((f) => f.recipients > 0) ? treatedAgainstControl(control, treated).incrementalRevenue : null, 0, now >= to));
  }
  const journeys = await sql<{ id: string; name: string; status: string; controlShareBp: number; createdAt: Date; points: string | null; lastAt: Date }>`
    select j.id, j.name, j.status, j.control_share_bp, j.created_at, max(e.entered_at) as last_at,
      (select sum((s.detail->>'points')::bigint) from journey_entry_steps s join journey_entries x on x.id = s.entry_id
        where x.journey_id = j.id and x.entered_at >= ${period.from} and x.entered_at < ${period.to} and s.outcome = 'awarded') as points
    from journeys j join journey_entries e on e.journey_id = j.id
    where j.control_share_bp > 0 and e.entered_at >= ${period.from} and e.entered_at < ${period.to}
    group by j.id order by j.id`.execute(db);
  for (const journey of journeys.rows) {
    const window = { from: period.from, to: period.to, days: DEFAULT_ATTRIBUTION_DAYS };
    const { figures } = await measureJourney({ db, receipts: deps.receipts }, journey, window, { bootstrap: false });
    const [control, treated] = [figures.find((f) => f.key === 'control')!, figures.find((f) => f.key === 'journey')!];
    const complete = now.getTime() >= new Date(journey.lastAt).getTime() + DEFAULT_ATTRIBUTION_DAYS * DAY_MS;
    measured.push(entry('journey', journey.id, journey.name, control.recipients, treated.recipients, control.recipients > 0 && treated.recipients > 0 ? treatedAgainstControl(control, [treated]).incrementalRevenue : null, Number(journey.points ?? 0), complete));
  }
  return measured;
}

function entry(
  kind: MeasuredExperiment['kind'], id: string, name: string, control: number, treated: number,
  incremental: { estimate: number | null; ci: Interval | null; standardError: number | null } | null, rewardPoints: number, complete: boolean,
): MeasuredExperiment {
  return {
    kind, id, name, treated, control,
    incrementalRevenueMinor: incremental?.estimate === null || incremental === null ? null : Math.round(incremental.estimate),
    ci: incremental?.ci ?? null,
    standardError: incremental?.standardError ?? null,
    rewardPoints,
    complete,
  };
}
