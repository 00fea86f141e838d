import { Type, type TSchema } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { analyticsIds } from './analytics.ids.ts';
import { cohortSplits, cohortUnits } from './cohorts.ts';
import { DEFAULT_STEPS, funnelSplits } from './funnels.ts';
import { kpiGroupings } from './kpis.ts';

const DateText = (description: string) => Type.String({ description, examples: ['2026-03-01'] });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Rate = (description: string) => Nullable(Type.Number({ description }));

/** What every report's query shares: the days and the zone whose clock counts them. */
export const PeriodQuery = {
  from: Type.Optional(DateText('First day of the period (YYYY-MM-DD), included; 29 days before `to` when left out')),
  to: Type.Optional(DateText('Last day of the period (YYYY-MM-DD), included; today when left out')),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone whose days the period counts (UTC when left out), e.g. Europe/Moscow' })),
  format: Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: the same as Accept: text/csv' })),
};

export const PeriodSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  timezone: Type.String(),
  start: Type.String({ description: 'The first instant counted' }),
  end: Type.String({ description: 'The first instant not counted' }),
});

export const KpiQuery = Type.Object({
  ...PeriodQuery,
  groupBy: Type.Optional(StringEnum(kpiGroupings, { description: 'One dimension to split by (none: the total only); day, week and month make a series' })),
  compare: Type.Optional(Type.String({ maxLength: 40, description: 'previous, year, or both as previous,year: the period before of the same length, the same dates a year earlier' })),
  store: Type.Optional(Type.String({ maxLength: 64, description: 'Only receipts of this store' })),
  channel: Type.Optional(StringEnum(['offline', 'online'] as const, { description: 'Only receipts of this channel' })),
  segment: Type.Optional(Type.String({ maxLength: 64, description: "Only the current members of this segment (seg_… id)" })),
}, { additionalProperties: false });

const Kpis = named('Kpis', Type.Object({
  revenueMinor: Type.Integer({ description: 'What customers paid, net of refunds' }),
  receipts: Type.Integer({ description: 'Confirmed receipts still holding a line not wholly returned, anonymous ones included' }),
  averageCheckMinor: Nullable(Type.Integer({ description: 'revenue ÷ receipts' })),
  itemsPerReceipt: Rate('Units kept ÷ receipts (a weighed line counts its quantity)'),
  grossMinor: Type.Integer({ description: 'The goods\' value before discounts' }),
  discountMinor: Type.Integer(),
  redeemedMinor: Type.Integer({ description: 'Paid with points' }),
  discountShare: Rate('discount ÷ gross'),
  pointsShare: Rate('paid with points ÷ gross'),
  customers: Type.Integer({ description: 'Buyers: customers with a receipt in the period' }),
  newCustomers: Type.Integer({ description: 'Buyers whose first purchase ever is in the period' }),
  returningCustomers: Type.Integer(),
  purchaseFrequency: Rate('Identified receipts ÷ buyers'),
  repeatPurchaseRate: Rate('Share of buyers with two receipts or more'),
  previousCustomers: Type.Integer({ description: 'Buyers of the period before (a series: of the bucket before)' }),
  retainedCustomers: Type.Integer({ description: 'Of those, buyers again in this period' }),
  retentionRate: Rate('retained ÷ previous buyers'),
  churnRate: Rate('1 − retention'),
  identifiedReceipts: Type.Integer(),
  tillReceipts: Type.Integer({ description: 'Offline receipts' }),
  tillIdentifiedReceipts: Type.Integer(),
  recognitionRate: Rate('Identified offline receipts ÷ offline receipts: how often the till asks for the card'),
  members: Nullable(Type.Integer({ description: 'Active customers registered by the period\'s end (null when split by store, register, channel or time)' })),
  activeMembers: Nullable(Type.Integer({ description: 'Members who earned or redeemed points in the period' })),
  loyaltyActivityRate: Rate('activeMembers ÷ members'),
  npsRespondents: Nullable(Type.Integer({ description: 'Answers to NPS surveys in the period (null when split by store, register or channel, or filtered by one: an answer belongs to none)' })),
  nps: Nullable(Type.Number({ description: 'Net promoter score, −100 to 100: % promoters (9–10) − % detractors (0–6), to one decimal; null without answers' })),
}));

const Changes = Type.Record(Type.String(), Nullable(Type.Number()), { description: 'Relative change of the headline figures (0.1 = 10 % up); null where the earlier figure is 0' });

const KpiRow = Type.Object({
  group: Type.Object({
    store: Type.Optional(Type.String()),
    register: Type.Optional(Nullable(Type.String())),
    channel: Type.Optional(Type.String()),
    tier: Type.Optional(Nullable(Type.String())),
    segment: Type.Optional(Type.String()),
    cluster: Type.Optional(Type.Integer()),
    period: Type.Optional(Type.String({ description: 'The first day of the bucket of a series' })),
  }),
  current: Kpis,
  previous: Type.Optional(Nullable(Kpis)),
  yearEarlier: Type.Optional(Nullable(Kpis)),
  change: Type.Optional(Type.Object({ previous: Type.Optional(Changes), yearEarlier: Type.Optional(Changes) })),
});

export const KpiReportSchema = named('KpiReport', Type.Object({
  period: PeriodSchema,
  asOf: Type.String({ description: 'The instant the report was asked at: every receipt and ledger entry committed by then is counted, today\'s too' }),
  rolledUpTo: Nullable(Type.String({ description: 'The figures of the hours before this instant were read from the hourly rollups, the rest from the receipts and ledger themselves (the same answer, faster); null: all read from them' })),
  groupBy: StringEnum(kpiGroupings),
  filters: Type.Object({ store: Type.Optional(Type.String()), channel: Type.Optional(Type.String()), segment: Type.Optional(Type.String()) }),
  compared: Type.Object({ previous: Type.Optional(PeriodSchema), yearEarlier: Type.Optional(PeriodSchema) }),
  overall: KpiRow,
  rows: Type.Array(KpiRow, { description: 'One per group (empty without groupBy)' }),
}));

export const CohortQuery = Type.Object({
  ...PeriodQuery,
  unit: Type.Optional(StringEnum(cohortUnits, { description: 'Cohorts and periods by month (default) or week' })),
  by: Type.Optional(StringEnum(cohortSplits, { description: 'Split each cohort by the store, channel or promotion of the first purchase' })),
}, { additionalProperties: false });

export const CohortReportSchema = named('CohortReport', Type.Object({
  period: PeriodSchema,
  asOf: Type.String({ description: 'The instant the report was asked at: every receipt and ledger entry committed by then is counted, today\'s too' }),
  rolledUpTo: Nullable(Type.String({ description: 'The figures of the hours before this instant were read from the hourly rollups, the rest from the receipts and ledger themselves (the same answer, faster); null: all read from them' })),
  unit: StringEnum(cohortUnits),
  by: StringEnum(cohortSplits),
  cohorts: Type.Array(Type.Object({
    cohort: Type.String({ description: 'First day of the month or week of the first purchase' }),
    group: Nullable(Type.String()),
    size: Type.Integer(),
    periods: Type.Array(Type.Object({
      index: Type.Integer({ description: 'Periods since the first purchase (0: its own)' }),
      customers: Type.Integer({ description: 'Of the cohort, those who bought in this period' }),
      retention: Type.Number(),
      revenueMinor: Type.Integer(),
      cumulativeRevenuePerCustomerMinor: Type.Integer({ description: 'Revenue up to and including this period ÷ cohort size: the LTV curve' }),
    })),
  })),
  average: Type.Array(Type.Object({
    index: Type.Integer(),
    cohorts: Type.Integer({ description: 'Cohorts old enough to have this period' }),
    customers: Type.Integer(),
    retention: Type.Number(),
    cumulativeRevenuePerCustomerMinor: Type.Integer(),
  })),
}));

export const FunnelQuery = Type.Object({
  ...PeriodQuery,
  steps: Type.Optional(Type.String({ maxLength: 600, description: `Steps separated by commas: signup, purchase, event:<type>, message (or message:<cmp_… or jrn_…>), open, click — open and click are of the message step before them (default ${DEFAULT_STEPS})` })),
  by: Type.Optional(StringEnum(funnelSplits, { description: 'source: split by where the customers joined' })),
  withinDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'Every step must come within this many days of the first' })),
}, { additionalProperties: false });

const FunnelGroup = Type.Object({
  group: Nullable(Type.String()),
  steps: Type.Array(Type.Object({
    step: Type.String(),
    customers: Type.Integer(),
    conversionFromPrevious: Rate('Of those at the step before, the share who got here'),
    conversionFromFirst: Rate('Of those who entered, the share who got here'),
    medianHoursFromPrevious: Rate('Median time from the step before, in hours'),
  })),
});

export const FunnelReportSchema = named('FunnelReport', Type.Object({
  period: PeriodSchema,
  steps: Type.Array(Type.String()),
  withinDays: Nullable(Type.Integer()),
  by: StringEnum(funnelSplits),
  groups: Type.Array(FunnelGroup),
  overall: FunnelGroup,
}));

export const EconomicsQuery = Type.Object({
  ...PeriodQuery,
  series: Type.Optional(StringEnum(['day', 'week', 'month'] as const, { description: 'Also the flows of each day, week or month of the period' })),
}, { additionalProperties: false });

const Flows = {
  issued: Type.Integer({ description: 'Points earned on receipts' }),
  awarded: Type.Integer({ description: 'Points given for actions, referrals, birthdays, prizes' }),
  adjusted: Type.Integer({ description: 'Points added or taken by hand, net' }),
  reversed: Type.Integer({ description: 'Earned points taken back by returns' }),
  redeemedAtTill: Type.Integer(),
  redeemedOnRewards: Type.Integer(),
  returned: Type.Integer({ description: 'Spent points given back by returns and cancelled reward orders' }),
  expired: Type.Integer(),
};

export const EconomicsReportSchema = named('EconomicsReport', Type.Object({
  period: PeriodSchema,
  asOf: Type.String({ description: 'The instant the report was asked at: every receipt and ledger entry committed by then is counted, today\'s too' }),
  rolledUpTo: Nullable(Type.String({ description: 'The figures of the hours before this instant were read from the hourly rollups, the rest from the receipts and ledger themselves (the same answer, faster); null: all read from them' })),
  currency: Type.String(),
  pointValueMinor: Type.Integer({ description: 'What a point is worth (the program setting now)' }),
  points: Type.Object({ ...Flows, netRedeemed: Type.Integer(), outstandingAtStart: Type.Integer(), outstandingAtEnd: Type.Integer() }),
  liability: Type.Object({ atStartMinor: Type.Integer(), atEndMinor: Type.Integer(), changeMinor: Type.Integer() }),
  liabilityByExpiryMonth: Type.Object({
    asOf: Type.String(),
    months: Type.Array(Type.Object({ month: Type.String({ description: 'YYYY-MM, or never' }), points: Type.Integer(), valueMinor: Type.Integer() })),
  }),
  breakage: Type.Object({
    rate: Rate('expired ÷ (issued + awarded) in the period'),
    historicalRate: Rate('Of the points whose expiry date has passed, the share that expired unused'),
    settledPoints: Type.Integer(),
    settledExpired: Type.Integer(),
    outstandingExpiring: Type.Integer({ description: 'Outstanding points now that carry an expiry date' }),
    expectedPoints: Nullable(Type.Integer({ description: 'historicalRate × outstandingExpiring' })),
    expectedMinor: Nullable(Type.Integer()),
  }),
  revenue: Type.Object({ revenueMinor: Type.Integer(), grossMinor: Type.Integer(), receipts: Type.Integer(), discountMinor: Type.Integer(), redeemedAtTillMinor: Type.Integer() }),
  cost: Type.Object({
    redeemedValueMinor: Type.Integer({ description: 'Net points redeemed × point value' }),
    discountMinor: Type.Integer(),
    cashMinor: Type.Integer({ description: 'redeemed value + discounts' }),
    accruedPointsMinor: Nullable(Type.Integer({ description: 'Points given net of reversals × point value × (1 − historical breakage)' })),
    accrualMinor: Nullable(Type.Integer({ description: 'accrued points + discounts' })),
    shareOfRevenue: Rate('cash cost ÷ revenue'),
    accrualShareOfRevenue: Rate('accrual cost ÷ revenue'),
  }),
  roi: Nullable(Type.Object({
    incrementalRevenueMinor: Type.Integer({ description: 'Σ (revenue per customer of the treated − of the control) × treated, over the campaigns and journeys with a control group whose attribution starts in the period' }),
    incrementalRevenueCi: Nullable(Type.Object({ lowerMinor: Type.Integer(), upperMinor: Type.Integer() }, { description: '95 % interval (the experiments\' variances added)' })),
    costMinor: Type.Integer({ description: 'The program cost it is set against: cost.cashMinor' }),
    costBasis: StringEnum(['program-cash-cost'] as const),
    value: Type.Number({ description: '(incremental revenue − cost) ÷ cost; a lower bound: only what a control group measured counts' }),
    ci: Nullable(Type.Object({ lower: Type.Number(), upper: Type.Number() })),
    attributedRewardsMinor: Type.Integer({ description: 'Points the measured journeys awarded the treated × point value' }),
    returnOnAttributedRewards: Nullable(Type.Number({ description: '(incremental revenue − attributed rewards) ÷ attributed rewards; null when they gave none' })),
    complete: Type.Boolean({ description: 'Whether every experiment\'s attribution window has ended' }),
    experiments: Type.Array(Type.Object({
      kind: Type.String({ description: 'campaign or journey' }),
      id: Type.String(),
      name: Type.String(),
      treated: Type.Integer(),
      control: Type.Integer(),
      incrementalRevenueMinor: Nullable(Type.Integer()),
      ciMinor: Nullable(Type.Object({ lower: Type.Integer(), upper: Type.Integer() })),
    })),
  }, { description: 'ROI measured against control groups (docs/analytics.md, "ROI"); null with roiReason when nothing was measured' })),
  roiReason: Nullable(Type.String({ description: 'Why roi is null' })),
  series: Type.Optional(Type.Array(Type.Object({ period: Type.String(), ...Flows, valueIssuedMinor: Type.Integer(), valueRedeemedMinor: Type.Integer() }))),
}));

const AlertParamsSchema = Type.Object({
  threshold: Type.Optional(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'drop: how far below the median fires, 0.2 = 20 % (default)' })),
  days: Type.Optional(Type.Integer({ minimum: 3, maximum: 366, description: 'drop: the days before whose median is the line (default 28)' })),
  weeks: Type.Optional(Type.Integer({ minimum: 2, maximum: 52, description: 'weekday_band: the weeks of the same weekday the band is drawn from (default 8)' })),
  k: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10, description: 'weekday_band: the band is median ± k × 1.4826 × MAD, at least ± 10 % of the median (default 3)' })),
  minHistory: Type.Optional(Type.Integer({ minimum: 1, maximum: 366, description: 'Days of history with a value needed before a day is judged (default 7 for drop, 4 for weekday_band)' })),
}, { additionalProperties: false });

const AlertKind = StringEnum(['drop', 'weekday_band'] as const, { description: 'drop: below (1 − threshold) × the median of the days before; weekday_band: outside the band of the same weekday' });
const AlertKpi = StringEnum(['revenueMinor', 'receipts', 'averageCheckMinor', 'recognitionRate', 'identifiedReceipts', 'tillReceipts', 'customers'] as const);
const AlertGrouping = StringEnum(['none', 'store', 'register', 'channel'] as const, { description: 'Judge each store, register or channel on its own (none: the total)' });

const Recipients = (what: string) => Type.Array(Type.String({ maxLength: 254 }), {
  maxItems: 20,
  description: `E-mail addresses ${what} through the e-mail channel (none when empty); webhooks subscribed to the event get it too`,
});

export const AlertRuleCreate = named('AlertRuleCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: AlertKind,
  kpi: AlertKpi,
  groupBy: Type.Optional(AlertGrouping),
  params: Type.Optional(AlertParamsSchema),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'The zone whose days are judged (UTC when left out)' })),
  recipients: Type.Optional(Recipients('each alert it fires is e-mailed to')),
  active: Type.Optional(Type.Boolean({ description: 'Checked every day when true (default)' })),
}, { additionalProperties: false }));

export const AlertRuleUpdate = named('AlertRuleUpdate', Type.Partial(AlertRuleCreate, { additionalProperties: false }));

export const AlertRuleSchema = named('AlertRule', Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: AlertKind,
  kpi: AlertKpi,
  groupBy: AlertGrouping,
  params: Type.Object({ threshold: Type.Number(), days: Type.Integer(), weeks: Type.Integer(), k: Type.Number(), minHistory: Type.Integer() }),
  timezone: Type.String(),
  recipients: Type.Array(Type.String()),
  active: Type.Boolean(),
  checkedThrough: Nullable(Type.String({ description: 'The last day the daily check judged' })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

const AlertGroup = Type.Record(Type.String(), Nullable(Type.String()), { description: '{} in total, {store}, {store, register} or {channel}' });

export const AlertSchema = named('Alert', Type.Object({
  id: Type.String(),
  ruleId: Type.String(),
  day: Type.String(),
  group: AlertGroup,
  kpi: Type.String(),
  value: Type.Number(),
  message: Type.String({ description: 'The rule and the evidence in words' }),
  evidence: Type.Record(Type.String(), Type.Unknown(), { description: 'The rule, the value, the median, the line or band, and the history it was judged against' }),
  firedAt: Type.String(),
}));

export const AlertCheckRequest = named('AlertCheckRequest', Type.Object({ day: DateText('The day to judge (YYYY-MM-DD, from 1900-01-01 to 9999-12-30)') }, { additionalProperties: false }));

export const AlertCheckSchema = named('AlertCheck', Type.Object({
  ruleId: Type.String(),
  day: Type.String(),
  fired: Type.Array(AlertSchema),
  judged: Type.Array(Type.Object({
    group: AlertGroup,
    value: Nullable(Type.Number()),
    median: Nullable(Type.Number()),
    low: Nullable(Type.Number()),
    high: Nullable(Type.Number()),
    historyDays: Type.Integer(),
    fired: Type.Boolean(),
  })),
}));

export const AlertRuleParams = Type.Object({ id: Type.String({ pattern: analyticsIds.pattern('alr'), description: 'alr_… id' }) });
export const AlertParamsPath = Type.Object({ id: Type.String({ pattern: analyticsIds.pattern('alt'), description: 'alt_… id' }) });
export const AlertRuleListQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const AlertRulePage = PageOf('AlertRulePage', AlertRuleSchema);
export const AlertListQuery = Type.Object({
  ...pageQuery({ defaultLimit: 50, maxLimit: 500 }),
  ruleId: Type.Optional(Type.String({ pattern: analyticsIds.pattern('alr'), description: 'Only the alerts of this rule' })),
}, { additionalProperties: false });
export const AlertPage = PageOf('AlertPage', AlertSchema);

const ReportKind = StringEnum(['kpis', 'cohorts', 'funnels', 'economics'] as const, { description: 'Which report: GET /v1/analytics/{kind}' });
const ReportScheduleEnum = StringEnum(['daily', 'weekly', 'monthly'] as const, { description: 'daily covers yesterday, weekly last Monday to Sunday, monthly last month' });
const ReportQuery = Type.Record(Type.String({ maxLength: 40 }), Type.Union([Type.String({ maxLength: 600 }), Type.Integer()]), {
  maxProperties: 20,
  description: "The report's query as its route takes it (groupBy, compare, steps, by, unit, series, …), less from, to and timezone: the schedule sets the period",
});

export const ReportCreate = named('ReportCreate', Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  kind: ReportKind,
  query: Type.Optional(ReportQuery),
  schedule: ReportScheduleEnum,
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'The zone whose days, weeks and months the schedule counts (UTC when left out)' })),
  recipients: Type.Optional(Recipients('each scheduled run is e-mailed to, its CSV attached,')),
  active: Type.Optional(Type.Boolean({ description: 'Runs on its schedule when true (default)' })),
}, { additionalProperties: false }));

export const ReportUpdate = named('ReportUpdate', Type.Partial(ReportCreate, { additionalProperties: false }));

export const ReportSchema = named('ScheduledReport', Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: ReportKind,
  query: ReportQuery,
  schedule: ReportScheduleEnum,
  timezone: Type.String(),
  recipients: Type.Array(Type.String()),
  active: Type.Boolean(),
  nextRunAt: Type.String({ description: 'When the period the next run covers ends' }),
  lastRun: Nullable(Type.Object({
    id: Type.String(),
    from: Type.String({ description: 'First day covered' }),
    to: Type.String({ description: 'Last day covered' }),
    trigger: StringEnum(['schedule', 'request'] as const),
    status: StringEnum(['completed', 'failed'] as const),
    createdAt: Type.String(),
  }, { description: 'The newest run, without its answer (GET /v1/reports/{id}/runs/{runId} has it); null before the first' })),
  createdAt: Type.String(),
  updatedAt: Type.String(),
}));

export const ReportRunSchema = named('ReportRun', Type.Object({
  id: Type.String(),
  reportId: Type.String(),
  from: Type.String({ description: 'First day covered' }),
  to: Type.String({ description: 'Last day covered' }),
  trigger: StringEnum(['schedule', 'request'] as const),
  status: StringEnum(['completed', 'failed'] as const),
  failure: Nullable(Type.String()),
  createdAt: Type.String(),
  result: Type.Optional(Type.Unknown({ description: "The report's answer, as its route gives it (Accept: text/csv for its CSV)" })),
}));

export const ReportParams = Type.Object({ id: Type.String({ pattern: analyticsIds.pattern('rpt'), description: 'rpt_… id' }) });
export const ReportRunParams = Type.Object({
  id: Type.String({ pattern: analyticsIds.pattern('rpt'), description: 'rpt_… id' }),
  runId: Type.String({ pattern: analyticsIds.pattern('rpr'), description: 'rpr_… id' }),
});
export const ReportRunQuery = Type.Object({ format: Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: the same as Accept: text/csv' })) }, { additionalProperties: false });
export const ReportListQuery = Type.Object({ ...pageQuery({ defaultLimit: 50, maxLimit: 500 }) }, { additionalProperties: false });
export const ReportPage = PageOf('ScheduledReportPage', ReportSchema);
export const ReportRunPage = PageOf('ReportRunPage', ReportRunSchema);
