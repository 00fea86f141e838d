import { fitKmeans, nearest, yieldToRequests, type Points } from './kmeans.ts';

/**
 * How stable a clustering is, by re-clustering bootstrap samples (Hennig 2007, "Cluster-wise
 * assessment of cluster stability"): each sample draws n points with replacement and is
 * clustered afresh with the same k; on the points it drew, each original cluster is compared
 * with its best-matching new cluster by Jaccard similarity, and the two labellings as a whole by
 * the adjusted Rand index. A cluster's stability is its mean Jaccard over the samples; Hennig
 * reads below 0.6 as dissolving and 0.75 and above as stable, so the default threshold is 0.75.
 */

const pairs = (x: number) => (x * (x - 1)) / 2;

/**
 * The adjusted Rand index of two labellings of the same points (Hubert & Arabie 1985): 1 for the
 * same partition up to renaming, about 0 for unrelated ones. Two partitions that put every point
 * together (or every one alone) agree completely: 1.
 */
export function adjustedRand(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw new Error('adjustedRand: the labellings are of different lengths');
  const n = a.length;
  const table = new Map<string, number>();
  const rows = new Map<number, number>();
  const columns = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const key = `${a[i]}:${b[i]}`;
    table.set(key, (table.get(key) ?? 0) + 1);
    rows.set(a[i]!, (rows.get(a[i]!) ?? 0) + 1);
    columns.set(b[i]!, (columns.get(b[i]!) ?? 0) + 1);
  }
  let index = 0;
  for (const count of table.values()) index += pairs(count);
  let rowPairs = 0;
  for (const count of rows.values()) rowPairs += pairs(count);
  let columnPairs = 0;
  for (const count of columns.values()) columnPairs += pairs(count);
  const expected = n < 2 ? 0 : (rowPairs * columnPairs) / pairs(n);
  const max = (rowPairs + columnPairs) / 2;
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}

/**
 * For each cluster 0…k-1 of `reference`, the best Jaccard similarity |C ∩ D| / |C ∪ D| with any
 * cluster D of `other` (both labellings of the same points); null for a cluster with no point here.
 */
export function bestJaccard(reference: readonly number[], other: readonly number[], k: number): Array<number | null> {
  const sizes = new Map<number, number>();
  const otherSizes = new Map<number, number>();
  const overlap = new Map<string, number>();
  for (let i = 0; i < reference.length; i++) {
    sizes.set(reference[i]!, (sizes.get(reference[i]!) ?? 0) + 1);
    otherSizes.set(other[i]!, (otherSizes.get(other[i]!) ?? 0) + 1);
    const key = `${reference[i]}:${other[i]}`;
    overlap.set(key, (overlap.get(key) ?? 0) + 1);
  }
  const best: Array<number | null> = [];
  for (let c = 0; c < k; c++) {
    const size = sizes.get(c);
    if (!size) {
      best.push(null);
      continue;
    }
    let top = 0;
    for (const [d, otherSize] of otherSizes) {
      const both = overlap.get(`${c}:${d}`) ?? 0;
      top = Math.max(top, both / (size + otherSize - both));
    }
    best.push(top);
  }
  return best;
}

export type Stability = {
  /** Per cluster of the reference: the mean best Jaccard over the samples. */
  jaccard: number[];
  /** The mean adjusted Rand index between the reference and each sample's clustering. */
  meanAdjustedRand: number;
  samples: number;
};

/**
 * Re-clusters `samples` bootstrap samples of `points` with k = the reference's and compares each
 * with `referenceLabels` on the points the sample drew (each counted once). Seeded: the same
 * seed gives the same figures.
 */
export async function bootstrapStability(
  points: Points,
  referenceLabels: readonly number[],
  k: number,
  options: { samples: number; random: () => number; seed: number; onSample?: (done: number) => void },
): Promise<Stability> {
  const n = points.length;
  const sums = new Array<number>(k).fill(0);
  const counts = new Array<number>(k).fill(0);
  let randSum = 0;
  let done = 0;
  for (let b = 0; b < options.samples; b++) {
    await yieldToRequests();
    const drawn = new Uint8Array(n);
    const sample: Points = [];
    for (let i = 0; i < n; i++) {
      const at = Math.floor(options.random() * n);
      drawn[at] = 1;
      sample.push(points[at]!);
    }
    const model = fitKmeans(sample, k, options.seed + 1000 * (b + 1), 1);
    const ref: number[] = [];
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      if (!drawn[i]) continue;
      ref.push(referenceLabels[i]!);
      got.push(nearest(points[i]!, model.centroids));
    }
    randSum += adjustedRand(ref, got);
    bestJaccard(ref, got, k).forEach((value, c) => {
      if (value === null) return;
      sums[c]! += value;
      counts[c]!++;
    });
    done++;
    options.onSample?.(done);
  }
  return { jaccard: sums.map((sum, c) => (counts[c]! > 0 ? sum / counts[c]! : 0)), meanAdjustedRand: done > 0 ? randSum / done : 0, samples: done };
}
