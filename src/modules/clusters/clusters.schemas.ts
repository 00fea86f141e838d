import { Type } from 'typebox';
import { named } from '../../platform/openapi-names.ts';
import { StringEnum } from '../../platform/schemas.ts';
import { clusterIds } from './clusters.ids.ts';

export const RunParams = Type.Object({ id: Type.String({ pattern: clusterIds.pattern('clr'), description: 'clr_… id' }) });

export const ClusterRunRequest = named('ClusterRunRequest', Type.Object({
  windowDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3660, description: 'Purchases of the last N days describe each customer (default 365); customers with none are not clustered' })),
  kMin: Type.Optional(Type.Integer({ minimum: 2, maximum: 20, description: 'The fewest clusters tried (default 2)' })),
  kMax: Type.Optional(Type.Integer({ minimum: 2, maximum: 20, description: 'The most clusters tried (default 8); k is the one of kMin…kMax with the highest silhouette' })),
  seed: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_147_483_647, description: 'The random seed: the same data and seed give the same clusters (default 1)' })),
  bootstrapSamples: Type.Optional(Type.Integer({ minimum: 2, maximum: 100, description: 'How many bootstrap re-clusterings measure stability (default 15)' })),
  stabilityThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'A cluster whose mean Jaccard over the re-clusterings is below this is flagged unstable (default 0.75)' })),
  sampleSize: Type.Optional(Type.Integer({ minimum: 50, maximum: 200_000, description: 'Customers sampled to choose k and measure stability (default 20000); every customer is then given the nearest cluster' })),
  silhouetteSampleSize: Type.Optional(Type.Integer({ minimum: 50, maximum: 20_000, description: 'Customers of that sample the silhouette is measured on (default 2000; its cost grows with the square)' })),
  categories: Type.Optional(Type.Integer({ minimum: 1, maximum: 12, description: 'Top-level categories with a share of their own in the category mix (default 5; the rest is other)' })),
}, { additionalProperties: false }));

const Params = Type.Object({
  windowDays: Type.Integer(),
  kMin: Type.Integer(),
  kMax: Type.Integer(),
  seed: Type.Integer(),
  bootstrapSamples: Type.Integer(),
  stabilityThreshold: Type.Number(),
  sampleSize: Type.Integer(),
  silhouetteSampleSize: Type.Integer(),
  categories: Type.Integer(),
});

export const ClusterRunSchema = named('ClusterRun', Type.Object({
  id: Type.String(),
  status: StringEnum(['running', 'completed', 'failed'] as const),
  phase: StringEnum(['features', 'selecting', 'stability', 'assigning', 'done'] as const, {
    description: 'features: reading purchases; selecting: k-means for each k, silhouettes; stability: bootstrap re-clustering; assigning: every customer given a cluster (processed counts them); done',
  }),
  params: Params,
  customers: Type.Integer({ description: 'Customers with a purchase in the window' }),
  processed: Type.Integer({ description: 'Customers given a cluster so far' }),
  chosenK: Type.Union([Type.Integer(), Type.Null()], { description: 'The k chosen by silhouette; null before' }),
  silhouettes: Type.Array(Type.Object({ k: Type.Integer(), silhouette: Type.Number() }), { description: 'The mean silhouette of each k tried (on the silhouette sample)' }),
  meanAdjustedRand: Type.Union([Type.Number(), Type.Null()], { description: 'The mean adjusted Rand index between the clustering and its bootstrap re-clusterings; null before' }),
  failure: Type.Optional(Type.String()),
  startedAt: Type.String(),
  finishedAt: Type.Optional(Type.String()),
}));

export const ClusterSchema = named('Cluster', Type.Object({
  cluster: Type.Integer({ description: 'Its number in the run, 1 the largest' }),
  description: Type.String({ description: 'What stands out in its centroid, in words' }),
  size: Type.Integer({ description: 'Customers in it' }),
  revenueMinor: Type.Integer({ description: 'What they spent in the window, net of refunds, in minor units' }),
  stability: Type.Number({ description: 'Mean Jaccard similarity to its best match over the bootstrap re-clusterings (1: always found again)' }),
  unstable: Type.Boolean({ description: 'stability is below the run\'s stabilityThreshold' }),
  centroid: Type.Record(Type.String(), Type.Number(), { description: "Each feature's mean over the cluster, in the feature's own units (…Minor in minor units, shares 0–1)" }),
  zScores: Type.Record(Type.String(), Type.Number(), { description: "Each feature's mean over the cluster in standard deviations from all clustered customers' mean (after the log of the skewed ones)" }),
}));

export const ClusterReportSchema = named('ClusterReport', Type.Object({
  run: ClusterRunSchema,
  features: Type.Array(Type.String(), { description: 'The features, in order (a fixed list, not paged)' }),
  clusters: Type.Array(ClusterSchema, { description: 'Every cluster of the run, by number (a fixed list of at most kMax, not paged)' }),
}));
