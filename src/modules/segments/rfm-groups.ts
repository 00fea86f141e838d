/**
 * RFM: each customer who bought in the window gets three scores from 1 to 5, by where they stand
 * among all those customers — recency (days since the last purchase: fewer is better), frequency
 * (purchases) and monetary (money spent net of refunds).
 *
 * A score is a quintile of the customers' ranking from worst to best, ties sharing the lowest
 * place: score = 1 + ⌊5 × (rank − 1) / n⌋, rank = 1 + the customers strictly worse. So equal
 * values always share a score, and when most customers bought once, they all have F 1 (not a
 * spread of 1s, 2s and 3s an arbitrary tie-break would give).
 *
 * The named group is read off the recency × frequency grid (the 5×5 grid the report draws); the
 * monetary score is kept beside it (the cell code "R F M", e.g. "545").
 */
export const rfmGroups = [
  'Champions',
  'Loyal',
  'Potential loyalists',
  'New',
  'Promising',
  'Need attention',
  'About to sleep',
  'At risk',
  "Can't lose them",
  'Hibernating',
  'Lost',
] as const;

export type RfmGroup = (typeof rfmGroups)[number];

type Cells = { recency: readonly number[]; frequency: readonly number[] };

/** The mapping, in the order of `rfmGroups`; every one of the 25 cells belongs to exactly one group (a test checks). */
export const rfmMapping: ReadonlyArray<{ group: RfmGroup; cells: Cells; meaning: string }> = [
  { group: 'Champions', cells: { recency: [5], frequency: [4, 5] }, meaning: 'bought very recently and buy most often' },
  { group: 'Loyal', cells: { recency: [3, 4], frequency: [4, 5] }, meaning: 'buy often, and recently enough' },
  { group: 'Potential loyalists', cells: { recency: [4, 5], frequency: [2, 3] }, meaning: 'recent customers who have come back a few times' },
  { group: 'New', cells: { recency: [5], frequency: [1] }, meaning: 'bought for the first time very recently' },
  { group: 'Promising', cells: { recency: [4], frequency: [1] }, meaning: 'bought once, recently' },
  { group: 'Need attention', cells: { recency: [3], frequency: [3] }, meaning: 'average recency and frequency: slipping unless something brings them back' },
  { group: 'About to sleep', cells: { recency: [3], frequency: [1, 2] }, meaning: 'bought rarely and not lately' },
  { group: 'At risk', cells: { recency: [1, 2], frequency: [3, 4] }, meaning: 'used to buy often, have not for a long time' },
  { group: "Can't lose them", cells: { recency: [1, 2], frequency: [5] }, meaning: 'were among the most frequent, and are gone quiet' },
  { group: 'Hibernating', cells: { recency: [2], frequency: [1, 2] }, meaning: 'rare buyers, long ago' },
  { group: 'Hibernating', cells: { recency: [1], frequency: [2] }, meaning: 'rare buyers, long ago' },
  { group: 'Lost', cells: { recency: [1], frequency: [1] }, meaning: 'bought once, long ago' },
];

/** The group of a recency and frequency score. */
export function rfmGroupOf(recency: number, frequency: number): RfmGroup {
  const found = rfmMapping.find((entry) => entry.cells.recency.includes(recency) && entry.cells.frequency.includes(frequency));
  if (!found) throw new Error(`No RFM group for R ${recency} F ${frequency}: scores run from 1 to 5`);
  return found.group;
}

/** The 25 cells with their group: what SQL joins to name each customer's group (one source for both). */
export const rfmCells = (): Array<{ recency: number; frequency: number; group: RfmGroup }> =>
  [1, 2, 3, 4, 5].flatMap((recency) => [1, 2, 3, 4, 5].map((frequency) => ({ recency, frequency, group: rfmGroupOf(recency, frequency) })));

/** Each group once, in the order of `rfmGroups`, with its meaning and its [recency, frequency] cells (the report and docs show it). */
export const rfmGroupMapping = (): Array<{ group: RfmGroup; meaning: string; cells: Array<[number, number]> }> =>
  rfmGroups.map((group) => {
    const entries = rfmMapping.filter((entry) => entry.group === group);
    return { group, meaning: entries[0]!.meaning, cells: entries.flatMap((entry) => entry.cells.recency.flatMap((r) => entry.cells.frequency.map((f): [number, number] => [r, f]))) };
  });

/** The score of a customer ranked `rank` (1 = worst, ties sharing the lowest) among `n`. */
export const quintileScore = (rank: number, n: number): number => 1 + Math.floor((5 * (rank - 1)) / n);
