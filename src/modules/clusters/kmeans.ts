import { kmeans } from 'ml-kmeans';

/**
 * The pure part of clustering: standardising, k-means (ml-kmeans, k-means++ seeding, seeded),
 * the silhouette and the choice of k. Points are rows of numbers; nothing here reads a database.
 */
export type Points = number[][];
export type Model = { k: number; centroids: Points; labels: number[]; inertia: number };

/** Lets the event loop serve what waits (requests, timers) between long synchronous steps. */
export const yieldToRequests = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** m distinct indices of 0…n-1 (all of them when m ≥ n), by a partial Fisher–Yates shuffle. */
export function sampleIndices(n: number, m: number, random: () => number): number[] {
  if (m >= n) return Array.from({ length: n }, (_v, i) => i);
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random() * (n - i));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return Array.from(order.subarray(0, m)).sort((a, b) => a - b);
}

/**
 * Each column's mean and spread (population standard deviation) over row-major `values` (n × d),
 * after the column's transform. A constant column gets spread 0 and standardises to 0.
 */
export function columnStats(values: Float64Array, d: number, logColumns: boolean[]): { means: number[]; spreads: number[] } {
  const n = values.length / d;
  const means = new Array<number>(d).fill(0);
  const squares = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const x = transformed(values[i * d + j]!, logColumns[j]!);
      means[j]! += x;
      squares[j]! += x * x;
    }
  }
  for (let j = 0; j < d; j++) {
    means[j] = n > 0 ? means[j]! / n : 0;
    const variance = n > 0 ? squares[j]! / n - means[j]! * means[j]! : 0;
    squares[j] = variance > 1e-12 ? Math.sqrt(variance) : 0;
  }
  return { means, spreads: squares };
}

const transformed = (x: number, log: boolean) => (log ? Math.log1p(Math.max(0, x)) : x);

/** Row i of `values` standardised: (transform(x) − mean) / spread, 0 where the spread is 0. */
export function standardRow(values: Float64Array, d: number, i: number, logColumns: boolean[], stats: { means: number[]; spreads: number[] }): number[] {
  const row = new Array<number>(d);
  for (let j = 0; j < d; j++) {
    const spread = stats.spreads[j]!;
    row[j] = spread === 0 ? 0 : (transformed(values[i * d + j]!, logColumns[j]!) - stats.means[j]!) / spread;
  }
  return row;
}

export function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const diff = a[j]! - b[j]!;
    sum += diff * diff;
  }
  return sum;
}

/** The index of the nearest centroid (the lower index on a tie). */
export function nearest(point: readonly number[], centroids: Points): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const distance = squaredDistance(point, centroids[c]!);
    if (distance < bestDistance) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * k-means with k-means++ seeding, started `starts` times from seeds derived from `seed`; the
 * start with the least within-cluster sum of squares is kept (one start can settle in a poor
 * local optimum). Labels are each point's nearest final centroid.
 */
export function fitKmeans(points: Points, k: number, seed: number, starts = 3): Model {
  let best: Model | null = null;
  for (let s = 0; s < starts; s++) {
    const result = kmeans(points, k, { initialization: 'kmeans++', seed: seed * 7919 + s * 104_729 + k, maxIterations: 100 });
    const labels = points.map((point) => nearest(point, result.centroids));
    const inertia = points.reduce((sum, point, i) => sum + squaredDistance(point, result.centroids[labels[i]!]!), 0);
    if (!best || inertia < best.inertia) best = { k, centroids: result.centroids, labels, inertia };
  }
  return best!;
}

/**
 * The mean silhouette (Rousseeuw 1987) of a labelling, with Euclidean distances: for each point,
 * a = its mean distance to the rest of its own cluster, b = the least mean distance to another
 * cluster, s = (b − a) / max(a, b); a point alone in its cluster has s = 0. O(n² d): callers
 * pass a sample.
 */
export function silhouette(points: Points, labels: number[], k: number): number {
  const n = points.length;
  if (n === 0) return 0;
  const sizes = new Array<number>(k).fill(0);
  for (const label of labels) sizes[label]!++;
  let total = 0;
  const sums = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[labels[j]!]! += Math.sqrt(squaredDistance(points[i]!, points[j]!));
    const own = labels[i]!;
    if (sizes[own]! <= 1) continue;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    if (b === Infinity) continue;
    const spread = Math.max(a, b);
    total += spread === 0 ? 0 : (b - a) / spread;
  }
  return total / n;
}

/**
 * k by silhouette: each k of the range is fitted on `points`; its silhouette is measured on the
 * points at `silhouetteAt` (a sample of them); the highest wins, the smaller k on a tie.
 */
export async function chooseK(points: Points, range: { min: number; max: number }, seed: number, silhouetteAt: number[]): Promise<{ best: Model; tried: Array<{ k: number; silhouette: number }> }> {
  const tried: Array<{ k: number; silhouette: number }> = [];
  let best: { model: Model; score: number } | null = null;
  const measured = silhouetteAt.map((i) => points[i]!);
  for (let k = range.min; k <= range.max; k++) {
    // The server answers requests between fits: a run is CPU work on the main thread.
    await yieldToRequests();
    const model = fitKmeans(points, k, seed);
    const score = silhouette(measured, silhouetteAt.map((i) => model.labels[i]!), k);
    tried.push({ k, silhouette: score });
    if (!best || score > best.score + 1e-12) best = { model, score };
  }
  return { best: best!.model, tried };
}
