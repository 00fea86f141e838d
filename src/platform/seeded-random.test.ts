import { describe, expect, it } from 'vitest';
import { seededRandom } from './seeded-random.ts';

describe('seededRandom (mulberry32)', () => {
  it.each([
    [1, [0.6270739405881613, 0.002735721180215478, 0.5274470399599522]],
    [42, [0.6011037519201636, 0.44829055899754167, 0.8524657934904099]],
    [0, [0.26642920868471265, 0.0003297457005828619, 0.2232720274478197]],
  ])('seed %d draws the published sequence', (seed, expected) => {
    const random = seededRandom(seed);
    expect([random(), random(), random()]).toEqual(expected);
  });

  it('repeats from the same seed, and spreads over [0, 1)', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draws = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(draws);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    expect(draws.reduce((s, x) => s + x, 0) / 1000).toBeCloseTo(0.5, 1);
  });

  it('takes the seed as a 32-bit unsigned integer: -1 is 2³² − 1', () => {
    const a = seededRandom(-1);
    const b = seededRandom(2 ** 32 - 1);
    expect([a(), a()]).toEqual([b(), b()]);
    expect(seededRandom(7)()).not.toBe(seededRandom(8)());
  });
});
