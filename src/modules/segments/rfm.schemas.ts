import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { rfmGroups } from './rfm-groups.ts';
import { segmentIds } from './segments.ids.ts';

export const RfmRunParams = Type.Object({ id: Type.String({ pattern: segmentIds.pattern('rfm'), description: 'rfm_… id' }) });

export const RfmRunRequest = named('RfmRunRequest', Type.Object(
  { windowDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3660, description: 'Purchases of the last N days are scored; the last run\'s window when left out (365 the first time)' })) },
  { additionalProperties: false },
));

export const RfmRunSchema = named('RfmRun', Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  phase: StringEnum(['scoring', 'reporting', 'done'] as const, { description: 'scoring: every customer at once in one statement; reporting: the grid, groups and transitions' }),
  windowDays: Type.Integer(),
  asOf: Type.String({ description: 'The scores are about purchases from windowDays before asOf up to asOf' }),
  scored: Type.Integer({ description: 'Customers scored (those who bought in the window)' }),
  failure: Type.Optional(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
}));

const Group = StringEnum(rfmGroups);
const NullableInt = (description?: string) => Type.Union([Type.Integer(), Type.Null()], description ? { description } : {});
const ScoreRange = Type.Object({ score: Type.Integer(), customers: Type.Integer(), min: Type.Integer(), max: Type.Integer() });

export const RfmReportSchema = named('RfmReport', Type.Object({
  ...RfmRunSchema.properties,
  report: Type.Object({
    customers: Type.Integer({ description: 'Customers scored' }),
    notScored: Type.Integer({ description: 'Active customers with no purchase in the window (no scores, no group)' }),
    revenueMinor: Type.Integer({ description: 'What the scored customers spent in the window, net of refunds' }),
    scores: Type.Object(
      { recency: Type.Array(ScoreRange), frequency: Type.Array(ScoreRange), monetary: Type.Array(ScoreRange) },
      { description: 'Each score\'s customers and the values it spans: recency in days, frequency in purchases, monetary in minor units' },
    ),
    grid: Type.Array(
      Type.Object({
        recency: Type.Integer(),
        frequency: Type.Integer(),
        group: Group,
        customers: Type.Integer(),
        revenueMinor: Type.Integer(),
        purchases: Type.Integer(),
        averageCheckMinor: NullableInt('revenue ÷ purchases, whole minor units; null for an empty cell'),
      }),
      { description: 'The 25 cells of recency × frequency, every one present' },
    ),
    groups: Type.Array(Type.Object({
      group: Group,
      meaning: Type.String(),
      cells: Type.Array(Type.Array(Type.Integer(), { minItems: 2, maxItems: 2 }), { description: '[recency, frequency] cells of the group' }),
      customers: Type.Integer(),
      share: Type.Number({ description: 'Of the scored customers, 0 to 1' }),
      revenueMinor: Type.Integer(),
      averageCheckMinor: NullableInt(),
      averageRecencyDays: Type.Union([Type.Number(), Type.Null()]),
      averageFrequency: Type.Union([Type.Number(), Type.Null()]),
    })),
    transitions: Type.Object({
      previousRunId: Type.Union([Type.String(), Type.Null()], { description: 'The run current before this one; null for the first' }),
      moves: Type.Array(
        Type.Object({ from: Type.Union([Group, Type.Null()]), to: Type.Union([Group, Type.Null()]), customers: Type.Integer() }),
        { description: 'Customers by their group in the previous run and in this one; null is "not scored" (no purchase in that window)' },
      ),
    }),
  }),
}));

export const RfmReportQuery = Type.Object(
  {
    table: Type.Optional(StringEnum(['grid', 'groups', 'transitions'] as const, { description: 'As CSV, which table of the report (grid when left out)' })),
    format: Type.Optional(StringEnum(['json', 'csv'] as const, { description: 'csv: the same as Accept: text/csv' })),
  },
  { additionalProperties: false },
);
