import { sql, type RawBuilder } from 'kysely';
import type { Db } from './analytics.db.ts';
import { reportQuery } from './report-query.ts';
import { previousPeriod, startOfDay, yearEarlier, type Period } from './period.ts';
import type { AnalyticsSources } from './sources.ts';

/**
 * Key figures of a period, in total or by one dimension, in one statement per period asked.
 * Definitions (docs/analytics.md has them with examples):
 * - a receipt is a confirmed one still holding a line not wholly returned, anonymous or not;
 *   revenue is what was paid net of refunds; gross is the goods' value before discounts;
 * - a buyer is a customer with a receipt in the period; new when they bought nothing before it;
 * - retention: of the buyers of the period before (same length, or the bucket before in a
 *   series), the share who bought again in this one; churn is the rest;
 * - recognition at the till: identified offline receipts ÷ offline receipts;
 * - loyalty activity: members (active customers registered by the period's end) who earned or
 *   redeemed points in it ÷ members — in total and by tier, segment and cluster only, since a
 *   member belongs to no store or channel;
 * - NPS: the answers to NPS surveys in the period, % promoters (9–10) − % detractors (0–6) — in
 *   total, by tier, segment, cluster and in a series; an answer belongs to no store or channel.
 */
export const kpiGroupings = ['none', 'store', 'register', 'channel', 'tier', 'segment', 'cluster', 'day', 'week', 'month'] as const;
export type KpiGrouping = (typeof kpiGroupings)[number];
export type KpiFilters = { store?: string; channel?: 'offline' | 'online'; segment?: string };

export type Kpis = {
  revenueMinor: number;
  receipts: number;
  averageCheckMinor: number | null;
  itemsPerReceipt: number | null;
  grossMinor: number;
  discountMinor: number;
  redeemedMinor: number;
  discountShare: number | null;
  pointsShare: number | null;
  customers: number;
  newCustomers: number;
  returningCustomers: number;
  purchaseFrequency: number | null;
  repeatPurchaseRate: number | null;
  previousCustomers: number;
  retainedCustomers: number;
  retentionRate: number | null;
  churnRate: number | null;
  identifiedReceipts: number;
  tillReceipts: number;
  tillIdentifiedReceipts: number;
  recognitionRate: number | null;
  members: number | null;
  activeMembers: number | null;
  loyaltyActivityRate: number | null;
  npsRespondents: number | null;
  nps: number | null;
};

export type GroupKey = { store?: string; register?: string | null; channel?: string; tier?: string | null; segment?: string; cluster?: number; period?: string };
export type KpiRow = { group: GroupKey; current: Kpis; previous?: Kpis | null; yearEarlier?: Kpis | null; change?: { previous?: Changes; yearEarlier?: Changes } };
export type Changes = Partial<Record<keyof Kpis, number | null>>;
export type Compare = 'previous' | 'year';

const isSeries = (g: KpiGrouping): g is 'day' | 'week' | 'month' => g === 'day' || g === 'week' || g === 'month';
const customerBased = (g: KpiGrouping) => g === 'tier' || g === 'segment' || g === 'cluster';

/** The group a receipt falls in, as a text array (so every grouping keys alike). */
function receiptGroup(g: KpiGrouping, timezone: string, shift: boolean): RawBuilder<string[]> {
  switch (g) {
    case 'none': return sql`array['all']::text[]`;
    case 'store': return sql`array[t.store_id]::text[]`;
    case 'register': return sql`array[t.store_id, t.register_id]::text[]`;
    case 'channel': return sql`array[t.channel]::text[]`;
    case 'tier': return sql`array[coalesce(t.tier_id, '')]::text[]`;
    case 'segment': return sql`array[gm.segment_id]::text[]`;
    case 'cluster': return sql`array[gm.cluster::text]::text[]`;
    default: {
      // A series compares each bucket with the bucket before: a receipt counts as "earlier" for the next bucket.
      const bucket = sql`date_trunc(${g}, t.occurred_at at time zone ${timezone})`;
      return shift ? sql`array[to_char(${bucket} + ${`1 ${g}`}::interval, 'YYYY-MM-DD')]::text[]` : sql`array[to_char(${bucket}, 'YYYY-MM-DD')]::text[]`;
    }
  }
}

function groupJoin(g: KpiGrouping, sources: AnalyticsSources, alias: string): RawBuilder<unknown> {
  if (g === 'segment') return sql`join (${sources.segmentMembers}) gm on gm.customer_id = ${sql.ref(`${alias}.customer_id`)}`;
  if (g === 'cluster') return sql`join (${sources.clusterMembers}) gm on gm.customer_id = ${sql.ref(`${alias}.customer_id`)}`;
  return sql``;
}

const DAY = 86_400_000;

/** The date (UTC ms) of the bucket holding a date, and of the bucket `steps` later. */
function bucketDate(g: 'day' | 'week' | 'month', date: string, steps = 0): number {
  const at = new Date(`${date}T00:00:00Z`);
  if (g === 'day') return at.getTime() + steps * DAY;
  if (g === 'week') return at.getTime() - ((at.getUTCDay() + 6) % 7) * DAY + steps * 7 * DAY;
  return Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + steps, 1);
}

/** Where the receipts read begin: the period before (retention's reference), or in a series the bucket before the first. */
function referenceStart(g: KpiGrouping, period: Period): Date {
  return isSeries(g) ? startOfDay(bucketDate(g, period.from, -1), period.timezone) : previousPeriod(period).start;
}

type Row = {
  g: string[];
  receipts: string | null; revenue: string | null; gross: string | null; discount: string | null; redeemed: string | null;
  identified: string | null; till: string | null; tillIdentified: string | null; unitsMilli: string | null;
  customers: string | null; repeaters: string | null; newCustomers: string | null; retained: string | null; earlierCustomers: string | null;
  members: string | null; activeMembers: string | null;
};

const n = (value: string | null | undefined) => Number(value ?? 0);
const ratio = (a: number, b: number, digits = 4) => (b > 0 ? Math.round((a / b) * 10 ** digits) / 10 ** digits : null);

function kpisOf(row: Row | undefined, withMembers: boolean): Kpis {
  const receipts = n(row?.receipts);
  const revenue = n(row?.revenue);
  const gross = n(row?.gross);
  const customers = n(row?.customers);
  const newCustomers = n(row?.newCustomers);
  const earlier = n(row?.earlierCustomers);
  const retained = n(row?.retained);
  const identified = n(row?.identified);
  const till = n(row?.till);
  const tillIdentified = n(row?.tillIdentified);
  const members = withMembers ? n(row?.members) : null;
  const activeMembers = withMembers ? n(row?.activeMembers) : null;
  const retention = ratio(retained, earlier);
  return {
    revenueMinor: revenue,
    receipts,
    averageCheckMinor: receipts > 0 ? Math.round(revenue / receipts) : null,
    itemsPerReceipt: ratio(n(row?.unitsMilli) / 1000, receipts, 2),
    grossMinor: gross,
    discountMinor: n(row?.discount),
    redeemedMinor: n(row?.redeemed),
    discountShare: ratio(n(row?.discount), gross),
    pointsShare: ratio(n(row?.redeemed), gross),
    customers,
    newCustomers,
    returningCustomers: customers - newCustomers,
    purchaseFrequency: ratio(identified, customers, 2),
    repeatPurchaseRate: ratio(n(row?.repeaters), customers),
    previousCustomers: earlier,
    retainedCustomers: retained,
    retentionRate: retention,
    churnRate: retention === null ? null : Math.round((1 - retention) * 1e4) / 1e4,
    identifiedReceipts: identified,
    tillReceipts: till,
    tillIdentifiedReceipts: tillIdentified,
    recognitionRate: ratio(tillIdentified, till),
    members,
    activeMembers,
    loyaltyActivityRate: members === null || activeMembers === null ? null : ratio(activeMembers, members),
    npsRespondents: null,
    nps: null,
  };
}

type NpsCounts = { respondents: number; promoters: number; detractors: number };

/** The figures with the group's NPS; a group NPS cannot have (a store: an answer is no store's) keeps nulls. */
const withNps = (kpis: Kpis, counts: NpsCounts | undefined, applicable: boolean): Kpis =>
  !applicable ? kpis : {
    ...kpis,
    npsRespondents: counts?.respondents ?? 0,
    nps: counts && counts.respondents > 0 ? Math.round((1000 * (counts.promoters - counts.detractors)) / counts.respondents) / 10 : null,
  };

const npsApplies = (g: KpiGrouping, filters: KpiFilters) => !filters.store && !filters.channel && (g === 'none' || customerBased(g) || isSeries(g));

/** Each group's NPS answers in the period, keyed as periodRows keys its groups (the customer's current tier for a tier). */
async function npsRows(db: Db, sources: AnalyticsSources, period: Period, g: KpiGrouping, filters: KpiFilters): Promise<Map<string, NpsCounts>> {
  const group = g === 'tier' ? sql`array[coalesce(nt.tier_id, '')]::text[]`
    : isSeries(g) ? sql`array[to_char(date_trunc(${g}, t.answered_at at time zone ${period.timezone}), 'YYYY-MM-DD')]::text[]`
      : receiptGroup(g, period.timezone, false);
  const rows = await reportQuery(db, sql<{ g: string[]; respondents: string; promoters: string; detractors: string }>`
    select ${group} as g, count(*) as respondents, count(*) filter (where t.score >= 9) as promoters, count(*) filter (where t.score <= 6) as detractors
    from (${sources.npsAnswers}) t ${groupJoin(g, sources, 't')}
    ${g === 'tier' ? sql`left join (${sources.till.tiers()}) nt on nt.customer_id = t.customer_id` : sql``}
    where t.answered_at >= ${period.start}::timestamptz and t.answered_at < ${period.end}::timestamptz
      ${customerBased(g) ? sql`and t.customer_id is not null` : sql``}
      ${filters.segment ? sql`and t.customer_id in (select s.customer_id from (${sources.segmentMembers}) s where s.segment_id = ${filters.segment})` : sql``}
    group by 1`);
  return new Map(rows.map((row) => [JSON.stringify(row.g), { respondents: n(row.respondents), promoters: n(row.promoters), detractors: n(row.detractors) }]));
}

function groupKeyOf(g: KpiGrouping, key: string[]): GroupKey {
  const [a = '', b = ''] = key;
  switch (g) {
    case 'none': return {};
    case 'store': return { store: a };
    case 'register': return { store: a, register: b === '' ? null : b };
    case 'channel': return { channel: a };
    case 'tier': return { tier: a === '' ? null : a };
    case 'segment': return { segment: a };
    case 'cluster': return { cluster: Number(a) };
    default: return { period: a };
  }
}

/**
 * The totals of periods without filters from the hourly rollups (loyalty's rollup facts), all
 * periods in one pass over the customers: the receipts' sums, the buyers against each period's
 * previous one and the members active in it, each the closed hours' rollups plus the raw rows
 * since `closedUntil` — the same figures as the statement below, read from ~9,000 hours and a row
 * per customer instead of every receipt of each period and the one before.
 */
async function rolledTotals(db: Db, sources: AnalyticsSources, periods: Period[], closedUntil: Date): Promise<Kpis[]> {
  const { facts } = sources.rollups;
  const asked = periods.map((p) => ({ before: previousPeriod(p).start, from: p.start, to: p.end }));
  const earliestEnd = new Date(Math.min(...asked.map((p) => p.to.getTime())));
  const [buyers, members, ...sums] = await Promise.all([
    reportQuery(db, sql<Record<string, string | null>>`${facts.customerFigures(sources.memberExceptions(earliestEnd), asked, closedUntil)}`),
    reportQuery(db, sql<Record<string, string | null>>`${facts.joinedMembers(sources.members, asked)}`),
    ...periods.map((p) => reportQuery(db, sql<Record<string, string | null>>`${facts.receiptTotals({ from: p.start, to: p.end, closedUntil })}`)),
  ]);
  return periods.map((_, i) => {
    const b = { ...buyers[0]!, ...members[0]! };
    const r = sums[i]![0]!;
    const row: Row = {
      g: ['all'], receipts: r.receipts!, revenue: r.revenueMinor!, gross: r.grossMinor!, discount: r.discountMinor!, redeemed: r.redeemedMinor!,
      identified: r.identified!, till: r.till!, tillIdentified: r.tillIdentified!, unitsMilli: r.unitsMilli!,
      customers: b[`customers${i}`]!, repeaters: b[`repeaters${i}`]!, newCustomers: b[`newCustomers${i}`]!, retained: b[`retained${i}`]!,
      earlierCustomers: b[`earlierCustomers${i}`]!, members: b[`members${i}`]!, activeMembers: b[`activeMembers${i}`]!,
    };
    return kpisOf(row, true);
  });
}

/** The figures of every group of one period, keyed by the group's text key. */
async function periodRows(db: Db, sources: AnalyticsSources, period: Period, g: KpiGrouping, filters: KpiFilters): Promise<Map<string, { key: string[]; kpis: Kpis }>> {
  const { till } = sources;
  const current = receiptGroup(g, period.timezone, false);
  const next = isSeries(g) ? receiptGroup(g, period.timezone, true) : current;
  const where = [
    filters.store ? sql`and t.store_id = ${filters.store}` : sql``,
    filters.channel ? sql`and t.channel = ${filters.channel}` : sql``,
    filters.segment ? sql`and t.customer_id in (select s.customer_id from (${sources.segmentMembers}) s where s.segment_id = ${filters.segment})` : sql``,
    customerBased(g) ? sql`and t.customer_id is not null` : sql``,
  ];
  // Members belong to no store or channel and to no bucket of a series: activity is asked in total and by customer groups.
  const withMembers = !isSeries(g) && !filters.store && !filters.channel && ['none', 'tier', 'segment', 'cluster'].includes(g);
  const memberGroup = g === 'tier' ? sql`array[coalesce(mt.tier_id, '')]::text[]` : g === 'none' ? sql`array['all']::text[]` : receiptGroup(g, period.timezone, false);
  const membersBy = withMembers
    ? sql`, members_by as (
        select ${memberGroup} as g, count(*) as members, count(la.customer_id) as active_members
        from (${sources.members}) t ${groupJoin(g, sources, 't')}
        ${g === 'tier' ? sql`left join (${till.tiers()}) mt on mt.customer_id = t.customer_id` : sql``}
        left join (${till.loyaltyActive({ from: period.start, to: period.end })}) la on la.customer_id = t.customer_id
        where t.created_at < ${period.end}::timestamptz
          ${filters.segment ? sql`and t.customer_id in (select s.customer_id from (${sources.segmentMembers}) s where s.segment_id = ${filters.segment})` : sql``}
        group by 1)`
    : sql``;
  const rows = await reportQuery(db, sql<Row>`
    with rc as (
      select t.receipt_id, t.customer_id, t.channel, t.occurred_at, t.net_minor, t.total_minor, t.discount_minor, t.redeemed_minor,
        t.occurred_at >= ${period.start}::timestamptz as current, ${current} as g, ${next} as g_next
      from (${till.receipts({ from: referenceStart(g, period), to: period.end })}) t
      ${groupJoin(g, sources, 't')}
      where true ${sql.join(where, sql` `)}
    ), cur as (select * from rc where current),
    units as (select u.receipt_id, u.units_milli from (${till.units({ from: period.start, to: period.end })}) u),
    receipts_by as (
      select c.g, count(*) as receipts, sum(c.net_minor) as revenue, sum(c.total_minor) as gross, sum(c.discount_minor) as discount,
        sum(c.redeemed_minor) as redeemed, count(c.customer_id) as identified,
        count(*) filter (where c.channel = 'offline') as till, count(c.customer_id) filter (where c.channel = 'offline') as till_identified,
        coalesce(sum(u.units_milli), 0) as units_milli
      from cur c left join units u on u.receipt_id = c.receipt_id group by c.g
    ), buyers as (
      select g, customer_id, count(*) as n, min(occurred_at) as first_at from cur where customer_id is not null group by g, customer_id
    ), earlier as (
      select distinct g_next as g, customer_id from rc where ${isSeries(g) ? sql`true` : sql`not current`} and customer_id is not null
    ), buyers_by as (
      select b.g, count(*) as customers, count(*) filter (where b.n >= 2) as repeaters,
        count(*) filter (where not ${till.purchasedBefore(sql`b.customer_id`, sql`b.first_at`)}) as new_customers,
        count(e.customer_id) as retained
      from buyers b left join earlier e on e.g = b.g and e.customer_id = b.customer_id group by b.g
    ), earlier_by as (select g, count(*) as earlier_customers from earlier group by g)
    ${membersBy}
    select k.g, r.receipts, r.revenue, r.gross, r.discount, r.redeemed, r.identified, r.till, r.till_identified, r.units_milli,
      b.customers, b.repeaters, b.new_customers, b.retained, e.earlier_customers
      ${withMembers ? sql`, m.members, m.active_members` : sql`, null as members, null as active_members`}
    from (select g from receipts_by union select g from earlier_by ${withMembers ? sql`union select g from members_by` : sql``}) k
      left join receipts_by r on r.g = k.g left join buyers_by b on b.g = k.g left join earlier_by e on e.g = k.g
      ${withMembers ? sql`left join members_by m on m.g = k.g` : sql``}
    ${isSeries(g) ? sql`where k.g[1] <= ${new Date(bucketDate(g, period.to)).toISOString().slice(0, 10)}` : sql``}
    order by k.g`);
  return new Map(rows.map((row) => [JSON.stringify(row.g), { key: row.g, kpis: kpisOf(row, withMembers) }]));
}

const changeKeys = ['revenueMinor', 'receipts', 'averageCheckMinor', 'itemsPerReceipt', 'customers', 'newCustomers', 'purchaseFrequency', 'repeatPurchaseRate', 'retentionRate', 'recognitionRate', 'loyaltyActivityRate', 'discountShare', 'pointsShare'] as const;

/** The relative change of each headline figure (0.1 = 10 % up); null where the earlier one was 0 or absent. */
function changes(now: Kpis, before: Kpis): Changes {
  const out: Changes = {};
  for (const key of changeKeys) {
    const a = now[key];
    const b = before[key];
    out[key] = a === null || b === null || b === 0 ? null : Math.round(((a - b) / Math.abs(b)) * 1e4) / 1e4;
  }
  return out;
}

export type KpiReport = {
  groupBy: KpiGrouping;
  filters: KpiFilters;
  compared: { previous?: Period; yearEarlier?: Period };
  overall: KpiRow;
  rows: KpiRow[];
  /** The overall figures of the hours before this instant came from the hourly rollups, the rest from raw rows; null: all from raw rows (groups always are). */
  rolledUpTo: string | null;
};

/**
 * The report: the total and each group of the period, each beside the same group in the
 * periods compared (the period before, the same dates a year earlier). A series compares its
 * total only: its buckets have no counterpart of the same length.
 */
export async function kpiReport(db: Db, sources: AnalyticsSources, period: Period, g: KpiGrouping, compare: Compare[], filters: KpiFilters): Promise<KpiReport> {
  const compared: KpiReport['compared'] = {};
  if (compare.includes('previous')) compared.previous = previousPeriod(period);
  if (compare.includes('year')) compared.yearEarlier = yearEarlier(period);
  // The rollups answer the totals without filters; groups and filters read the raw rows (docs/performance.md).
  const ready = await sources.rollups.forReport();
  const closedUntil = !filters.store && !filters.channel && !filters.segment ? ready : null;
  const totals = async (p: Period) => (await periodRows(db, sources, p, 'none', filters)).get('["all"]')?.kpis ?? kpisOf(undefined, !filters.store && !filters.channel);
  const rowOf = (group: GroupKey, current: Kpis, previous: Kpis | undefined, year: Kpis | undefined): KpiRow => {
    const row: KpiRow = { group, current };
    if (compared.previous) row.previous = previous ?? null;
    if (compared.yearEarlier) row.yearEarlier = year ?? null;
    if (previous || year) row.change = { ...(previous ? { previous: changes(current, previous) } : {}), ...(year ? { yearEarlier: changes(current, year) } : {}) };
    return row;
  };
  const asked = [period, compared.previous, compared.yearEarlier];
  const rolled = asked.every((p) => !p || sources.rollups.facts.covers(closedUntil, p.start, p.end, previousPeriod(p).start));
  const [total, totalBefore, totalYear] = rolled && closedUntil
    ? await (async () => {
      const present = asked.flatMap((p) => (p ? [p] : []));
      const figures = await rolledTotals(db, sources, present, closedUntil);
      return asked.map((p) => (p ? figures[present.indexOf(p)] : undefined));
    })()
    : await Promise.all(asked.map((p) => (p ? totals(p) : undefined)));
  // NPS from the survey answers, beside the receipts' figures (a small read of its own).
  const nps = npsApplies('none', filters);
  const [npsNow, npsBefore, npsYear] = nps ? await Promise.all(asked.map((p) => (p ? npsRows(db, sources, p, 'none', filters) : undefined))) : [];
  const totalOf = (kpis: Kpis | undefined, counts: Map<string, NpsCounts> | undefined) => (kpis ? withNps(kpis, counts?.get('["all"]'), nps) : undefined);
  const report: KpiReport = {
    groupBy: g, filters, compared, rows: [], rolledUpTo: rolled && closedUntil ? closedUntil.toISOString() : null,
    overall: rowOf({}, totalOf(total, npsNow)!, totalOf(totalBefore, npsBefore), totalOf(totalYear, npsYear)),
  };
  if (g === 'none') return report;
  const comparable = !isSeries(g);
  const groupNps = npsApplies(g, filters);
  const figures = async (p: Period) => {
    const [rows, counts] = await Promise.all([periodRows(db, sources, p, g, filters), groupNps ? npsRows(db, sources, p, g, filters) : undefined]);
    // A group with answers but no receipt, buyer or member (a week of a series without a sale) still shows its NPS.
    const extra = [...(counts?.keys() ?? [])].filter((key) => !rows.has(key));
    for (const key of extra) rows.set(key, { key: JSON.parse(key) as string[], kpis: kpisOf(undefined, rows.values().next().value?.kpis.members != null) });
    for (const [key, row] of rows) row.kpis = withNps(row.kpis, counts?.get(key), groupNps);
    return extra.length === 0 ? rows : new Map([...rows].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  };
  const [rows, before, year] = await Promise.all([
    figures(period),
    comparable && compared.previous ? figures(compared.previous) : undefined,
    comparable && compared.yearEarlier ? figures(compared.yearEarlier) : undefined,
  ]);
  const emptyKpis = withNps(kpisOf(undefined, rows.values().next().value?.kpis.members !== null), undefined, groupNps);
  report.rows = [...rows.entries()].map(([k, row]) => rowOf(groupKeyOf(g, row.key), row.kpis, before ? (before.get(k)?.kpis ?? emptyKpis) : undefined, year ? (year.get(k)?.kpis ?? emptyKpis) : undefined));
  if (!comparable) for (const row of report.rows) { delete row.previous; delete row.yearEarlier; }
  return report;
}

/** The headline figures in CSV column order. */
export const kpiColumns: Array<keyof Kpis> = [
  'revenueMinor', 'receipts', 'averageCheckMinor', 'itemsPerReceipt', 'grossMinor', 'discountMinor', 'redeemedMinor', 'discountShare', 'pointsShare',
  'customers', 'newCustomers', 'returningCustomers', 'purchaseFrequency', 'repeatPurchaseRate', 'previousCustomers', 'retainedCustomers', 'retentionRate', 'churnRate',
  'identifiedReceipts', 'tillReceipts', 'tillIdentifiedReceipts', 'recognitionRate', 'members', 'activeMembers', 'loyaltyActivityRate', 'npsRespondents', 'nps',
];
