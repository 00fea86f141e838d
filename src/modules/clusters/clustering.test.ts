import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../platform/seeded-random.ts';
import { describeCluster } from './describe.ts';
import { chooseK, columnStats, fitKmeans, sampleIndices, silhouette, standardRow, type Points } from './kmeans.ts';
import { adjustedRand, bestJaccard, bootstrapStability } from './stability.ts';

/** Gaussian noise from the seeded generator (Box–Muller). */
const gaussian = (random: () => number) => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());

/** Three groups of `size` points in `d` dimensions, centres 8 apart along different axes, spread 1. */
function plantedGroups(size: number, d: number, seed: number): { points: Points; truth: number[] } {
  const random = seededRandom(seed);
  const points: Points = [];
  const truth: number[] = [];
  for (let g = 0; g < 3; g++) {
    for (let i = 0; i < size; i++) {
      points.push(Array.from({ length: d }, (_v, j) => (j === g ? 8 : 0) + gaussian(random)));
      truth.push(g);
    }
  }
  return { points, truth };
}

function uniformNoise(n: number, d: number, seed: number): Points {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => random()));
}

describe('silhouette, by hand', () => {
  it('two pairs on a line: (7/9 + 5/7) / 2', () => {
    expect(silhouette([[0], [1], [4], [5]], [0, 0, 1, 1], 2)).toBeCloseTo((7 / 9 + 5 / 7) / 2, 12);
  });
  it('a point alone in its cluster counts 0: (9/10 + 8/9 + 0) / 3', () => {
    expect(silhouette([[0], [1], [10]], [0, 0, 1], 2)).toBeCloseTo((9 / 10 + 8 / 9) / 3, 12);
  });
  it('a wrong labelling scores below 0', () => {
    expect(silhouette([[0], [1], [4], [5]], [0, 1, 0, 1], 2)).toBeLessThan(0);
  });
});

describe('adjusted Rand index and Jaccard, by hand', () => {
  it('the same partition under other names is 1', () => {
    expect(adjustedRand([0, 0, 1, 1, 2], [7, 7, 3, 3, 5])).toBe(1);
  });
  it('splitting one of two pairs: 4/7', () => {
    // index 1, row pairs 2, column pairs 1, expected 2·1/6, max 3/2: (1 − 1/3) / (3/2 − 1/3).
    expect(adjustedRand([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
  });
  it('crossing pairs: −1/2', () => {
    expect(adjustedRand([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });
  it('each cluster against its best match: |C ∩ D| / |C ∪ D|, null for a cluster with no point', () => {
    // Cluster 0 = {0,1,2}: best with D5 = {0,1}: 2/3. Cluster 1 = {3,4}: best with D6 = {2,3,4}: 2/3.
    expect(bestJaccard([0, 0, 0, 1, 1], [5, 5, 6, 6, 6], 3)).toEqual([2 / 3, 2 / 3, null]);
    expect(bestJaccard([0, 1, 0, 1], [1, 0, 1, 0], 2)).toEqual([1, 1]);
  });
});

describe('standardising', () => {
  it('mean 0 and spread 1 per column after the log of the skewed ones; a constant column is 0', () => {
    const values = new Float64Array([0, 5, 1, Math.E - 1, 5, 3]); // 3 rows × 2 columns: [0,5], [1,e−1], [5,3]
    const stats = columnStats(values, 2, [false, true]);
    expect(stats.means[0]).toBeCloseTo(2, 12);
    expect(stats.spreads[0]).toBeCloseTo(Math.sqrt(((0 - 2) ** 2 + (1 - 2) ** 2 + (5 - 2) ** 2) / 3), 12);
    expect(standardRow(values, 2, 1, [false, true], stats)[1]).toBeCloseTo((1 - stats.means[1]!) / stats.spreads[1]!, 12);
    const flat = columnStats(new Float64Array([4, 4, 4]), 1, [false]);
    expect(flat.spreads[0]).toBe(0);
    expect(standardRow(new Float64Array([4, 4, 4]), 1, 0, [false], flat)).toEqual([0]);
  });
  it('samples are distinct, in range and the same for the same seed', () => {
    const a = sampleIndices(1000, 100, seededRandom(5));
    expect(new Set(a).size).toBe(100);
    expect(a.every((i) => i >= 0 && i < 1000)).toBe(true);
    expect(sampleIndices(1000, 100, seededRandom(5))).toEqual(a);
    expect(sampleIndices(10, 50, seededRandom(5))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('clustering planted groups and noise', () => {
  it('three planted groups: k = 3 by silhouette, adjusted Rand ≥ 0.9 against the truth, every cluster stable', async () => {
    const { points, truth } = plantedGroups(150, 6, 11);
    const at = sampleIndices(points.length, 300, seededRandom(2));
    const { best, tried } = await chooseK(points, { min: 2, max: 6 }, 1, at);
    expect(best.k).toBe(3);
    expect(tried.map((t) => t.k)).toEqual([2, 3, 4, 5, 6]);
    expect(Math.max(...tried.map((t) => t.silhouette))).toBe(tried[1]!.silhouette);
    expect(adjustedRand(truth, best.labels)).toBeGreaterThanOrEqual(0.9);
    const stability = await bootstrapStability(points, best.labels, best.k, { samples: 10, random: seededRandom(3), seed: 1 });
    expect(stability.jaccard).toHaveLength(3);
    for (const jaccard of stability.jaccard) expect(jaccard).toBeGreaterThanOrEqual(0.75);
    expect(stability.meanAdjustedRand).toBeGreaterThanOrEqual(0.9);
  });

  it('uniform noise: some cluster is below the 0.75 threshold, and the whole is far less stable than planted groups', async () => {
    const points = uniformNoise(450, 6, 21);
    const at = sampleIndices(points.length, 300, seededRandom(2));
    const { best } = await chooseK(points, { min: 2, max: 6 }, 1, at);
    const stability = await bootstrapStability(points, best.labels, best.k, { samples: 10, random: seededRandom(3), seed: 1 });
    expect(Math.min(...stability.jaccard)).toBeLessThan(0.75);
    expect(stability.meanAdjustedRand).toBeLessThan(0.75);
  });

  it('the same seed gives the same model', () => {
    const { points } = plantedGroups(40, 3, 4);
    expect(fitKmeans(points, 3, 9).labels).toEqual(fitKmeans(points, 3, 9).labels);
  });
});

describe('a centroid in words', () => {
  it('frequent small baskets, coffee and dairy, mostly morning', () => {
    const words = describeCluster({
      z: { frequency: 1.2, averageBasketMinor: -0.9, recencyDays: 0, 'share.coffee': 1.4, 'share.dairy': 0.8, 'share.bakery': 0.6, 'share.other': -0.7, morningShare: 1.1, eveningShare: -0.8, onlineShare: 0 },
      value: { frequency: 30, averageBasketMinor: 25_000, 'share.coffee': 0.45, 'share.dairy': 0.3, 'share.bakery': 0.1, 'share.other': 0.15, morningShare: 0.8, eveningShare: 0.1, onlineShare: 0.1 },
    });
    expect(words).toBe('frequent small baskets, coffee and dairy, mostly morning');
  });
  it('mostly online, uses points, buys on discount; nothing standing out is "typical customers"', () => {
    expect(describeCluster({ z: { onlineShare: 2, pointsShare: 1, discountShare: 0.9, recencyDays: 1 }, value: { onlineShare: 0.9, pointsShare: 0.2, discountShare: 0.3 } })).toBe(
      'not seen lately, mostly online, buys on discount, uses points',
    );
    // Online above the average but not most receipts: no "mostly online".
    expect(describeCluster({ z: { onlineShare: 2, frequency: 0.2 }, value: { onlineShare: 0.3 } })).toBe('typical customers');
  });
});
