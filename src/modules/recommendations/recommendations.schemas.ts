import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { PageOf, pageQuery } from '../../platform/pagination.ts';
import { Defaulted, StringEnum } from '../../platform/schemas.ts';
import { customerIds } from '../customers/index.ts';
import { recommendationIds } from './recommendations.ids.ts';

export const CustomerParams = Type.Object({ id: Type.String({ pattern: customerIds.pattern('cus'), description: 'cus_… id (a merged id answers for its survivor)' }) });
export const RunParams = Type.Object({ id: Type.String({ pattern: recommendationIds.pattern('rcr'), description: 'rcr_… id' }) });

const By = Defaulted(Type.Unsafe<'product' | 'category'>({ type: 'string', enum: ['product', 'category'], default: 'product', description: "product (SKUs, the default) or category (the lines' category paths)" }));

export const RecommendationQuery = Type.Object(
  {
    by: By,
    limit: Defaulted(Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'N: items in each list, 1 to 50' })),
  },
  { additionalProperties: false },
);

const Reason = Type.Object({
  item: Type.String({ description: 'An item the customer bought' }),
  name: Type.Union([Type.String(), Type.Null()]),
  confidence: Type.Number({ description: 'Of the baskets with this item, the share that also held the recommended one' }),
  lift: Type.Number({ description: 'How many times more often than the recommended item\'s own rate' }),
});
const Recommended = Type.Object({
  item: Type.String({ description: 'A SKU, or a category path with by=category' }),
  name: Type.Union([Type.String(), Type.Null()], { description: "The product's name (null for a category or a SKU not in the catalog)" }),
  score: Type.Number({ description: 'co-purchase: the sum of confidence from the items bought; popularity: the share of baskets holding it' }),
  source: StringEnum(['co-purchase', 'popularity'] as const, { description: 'co-purchase: led to by what the customer bought; popularity: a fill when co-purchase finds fewer than N (or no history)' }),
  reasons: Type.Array(Reason, { description: 'The bought items that led to it, strongest first (at most 3); empty for popularity' }),
});
const Popular = Type.Object({
  item: Type.String(),
  name: Type.Union([Type.String(), Type.Null()]),
  score: Type.Number({ description: 'The share of baskets holding it' }),
  customers: Type.Integer({ description: 'Distinct customers who bought it in the window' }),
});
export const CustomerRecommendationsSchema = named('CustomerRecommendations', Type.Object({
  customerId: Type.String(),
  by: StringEnum(['product', 'category'] as const),
  model: Type.Union([
    Type.Object({ runId: Type.String(), builtAt: Type.String(), windowDays: Type.Integer() }),
    Type.Null(),
  ], { description: 'The model answering; null before the first run (both lists are then popularity, counted live)' }),
  recommendations: Type.Array(Recommended, { description: 'The top N items the customer has not bought, best first' }),
  popularity: Type.Array(Popular, { description: 'The baseline: the N most popular items the customer has not bought' }),
}));

export const RunBody = named('RecommendationRunRequest', Type.Object({
  windowDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3650, default: 365, description: 'Baskets of the last N days build the model' })),
  holdoutDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, default: 30, description: 'The test period: the model is also trained before these last days and tested on them' })),
  topN: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 5, description: 'N of the hit rate at N' })),
  minPairCount: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 2, description: 'Pairs seen in fewer baskets are dropped as noise' })),
  neighbours: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 20, description: 'Strongest items kept per item' })),
}, { additionalProperties: false }));

const Evaluated = Type.Object({
  customers: Type.Integer({ description: 'Customers with purchases both before and after the cut' }),
  modelHits: Type.Integer({ description: 'Of them, those who bought one of the model\'s top N in the test period' }),
  popularityHits: Type.Integer({ description: 'Of them, those who bought one of the popularity baseline\'s top N' }),
  modelHitRate: Type.Number({ description: 'modelHits / customers (4 decimals)' }),
  popularityHitRate: Type.Number({ description: 'popularityHits / customers (4 decimals)' }),
});
export const RunSchema = named('RecommendationRun', Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  phase: StringEnum(['queued', 'model', 'holdout-model', 'evaluation', 'done'] as const, { description: 'model: building the served model; holdout-model: training before the cut; evaluation: the holdout test' }),
  phasesDone: Type.Integer(),
  phases: Type.Integer(),
  asOf: Type.String({ description: 'The run\'s "now": the windows end here' }),
  settings: Type.Object({ windowDays: Type.Integer(), holdoutDays: Type.Integer(), topN: Type.Integer(), minPairCount: Type.Integer(), neighbours: Type.Integer() }),
  model: Type.Union([Type.Object({
    baskets: Type.Integer({ description: 'Receipts in the window' }),
    items: Type.Integer({ description: 'SKUs bought in the window' }),
    pairs: Type.Integer({ description: 'SKU pairs kept' }),
    categoryPairs: Type.Integer({ description: 'Category pairs kept' }),
  }), Type.Null()], { description: 'null until the model phase is done' }),
  evaluation: Type.Union([Type.Object({
    cutAt: Type.String(),
    topN: Type.Integer(),
    products: Evaluated,
    categories: Evaluated,
  }), Type.Null()], { description: 'The time holdout; null until the run completed' }),
  failure: Type.Optional(Type.String()),
  requestedBy: Type.Union([Type.String(), Type.Null()], { description: 'The key that asked; null for the daily job' }),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
}));
export const SummarySchema = named('RecommendationModel', Type.Object({
  model: Type.Union([RunSchema, Type.Null()], { description: 'The completed run the API answers from; null before the first' }),
  lastRun: Type.Union([RunSchema, Type.Null()], { description: 'The newest run, running or finished' }),
}));

export const PairQuery = Type.Object(
  {
    ...pageQuery({ defaultLimit: 100, maxLimit: 1000 }),
    by: By,
    item: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'Only the pairs that start from this item (its neighbours)' })),
  },
  { additionalProperties: false },
);
export const PairSchema = named('RecommendationPair', Type.Object({
  itemA: Type.String({ description: 'The item bought' }),
  itemB: Type.String({ description: 'The item it leads to' }),
  baskets: Type.Integer({ description: 'Baskets holding both' }),
  support: Type.Number({ description: 'Baskets holding both / baskets' }),
  confidence: Type.Number({ description: 'Baskets holding both / baskets holding itemA' }),
  lift: Type.Number({ description: 'confidence / the share of baskets holding itemB' }),
  rank: Type.Integer({ description: "itemB's place among itemA's neighbours by confidence" }),
}));
export const PairPage = PageOf('RecommendationPairPage', PairSchema);
