import { describe, expect, it } from 'vitest';
import { minimize, minimizeAsync } from './nelder-mead.ts';

const wide = (n: number) => ({ lower: new Array<number>(n).fill(-10), upper: new Array<number>(n).fill(10) });

describe('the Nelder–Mead minimiser', () => {
  it.each([
    ['Rosenbrock (2-d)', (v: number[]) => 100 * (v[1]! - v[0]! ** 2) ** 2 + (1 - v[0]!) ** 2, [-1.2, 1], [1, 1], 0],
    ['Rosenbrock (4-d)', (v: number[]) => v.slice(0, -1).reduce((s, x, i) => s + 100 * (v[i + 1]! - x ** 2) ** 2 + (1 - x) ** 2, 0), [-1, 1, -1, 1], [1, 1, 1, 1], 0],
    ['a shifted quadratic', (v: number[]) => (v[0]! - 3) ** 2 + 2 * (v[1]! + 1) ** 2 + 5, [0, 0], [3, -1], 5],
    ['Beale', (v: number[]) => { const [x, y] = v as [number, number]; return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y * y) ** 2 + (2.625 - x + x * y ** 3) ** 2; }, [1, 1], [3, 0.5], 0],
  ])('%s: finds the minimum', (_name, f, x0, at, value) => {
    const result = minimize(f, x0, { bounds: wide(x0.length) });
    expect(result.converged).toBe(true);
    result.x.forEach((x, i) => expect(x).toBeCloseTo(at[i]!, 5));
    expect(result.f).toBeCloseTo(value, 9);
  });

  it('keeps to the box: a minimum outside it is found on the bound, and f is never asked outside', () => {
    const asked: number[][] = [];
    const f = (v: number[]) => {
      asked.push(v);
      return (v[0]! - 5) ** 2 + (v[1]! - 0.5) ** 2;
    };
    const result = minimize(f, [0, 0], { bounds: { lower: [-1, -1], upper: [2, 2] } });
    expect(result.x[0]).toBeCloseTo(2, 8);
    expect(result.x[1]).toBeCloseTo(0.5, 6);
    expect(asked.every((v) => v[0]! >= -1 && v[0]! <= 2 && v[1]! >= -1 && v[1]! <= 2)).toBe(true);
  });

  it('treats a non-finite value as worse than any, and moves away from it', () => {
    const result = minimize((v) => (v[0]! < 0 ? NaN : (v[0]! - 1) ** 2), [0.5], { bounds: wide(1) });
    expect(result.x[0]).toBeCloseTo(1, 6);
  });

  it('of two minima, the starts find the lower one; the same seed gives the same answer', () => {
    // A double well: a local minimum near x = 1.13 (f ≈ 0.6) and the global one near −1.30 (f ≈ −1.1).
    const f = (v: number[]) => v[0]! ** 4 - 3 * v[0]! ** 2 + 0.7 * v[0]! + 2;
    const one = minimize((v) => f(v), [0.5], { bounds: wide(1), starts: 8, spread: 3, seed: 11 });
    const again = minimize((v) => f(v), [0.5], { bounds: wide(1), starts: 8, spread: 3, seed: 11 });
    expect(one.x[0]).toBeLessThan(0);
    expect(again).toEqual(one);
    expect(minimize((v) => f(v), [0.5], { bounds: wide(1), starts: 0 }).x[0]).toBeGreaterThan(0);
  });
});

describe('minimizeAsync', () => {
  it('finds what minimize finds, giving the event loop turns while it works', async () => {
    // A slow objective (about 0.2 ms an evaluation), as a likelihood over many customers is.
    const slow = (v: number[]) => {
      const until = performance.now() + 0.2;
      while (performance.now() < until);
      return (v[0]! - 3) ** 2 + (v[1]! + 1) ** 2;
    };
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    const paused = await minimizeAsync(slow, [0, 0], { bounds: wide(2), seed: 5 }, 5);
    clearInterval(timer);
    expect(paused).toEqual(minimize(slow, [0, 0], { bounds: wide(2), seed: 5 }));
    expect(turns).toBeGreaterThan(3);
  });
});
