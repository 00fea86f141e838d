/**
 * A bounded Nelder–Mead minimiser with restarts and seeded starting points, small enough to read
 * in one go. The CLV models are fitted on log parameters (positive, spanning orders of magnitude),
 * where the likelihoods are smooth and unimodal in practice; Nelder–Mead needs no gradient and is
 * what the reference implementation (lifetimes, on scipy) uses, so fits are comparable. npm's
 * `fmin` does the same without bounds and has not changed since 2016, so it is written here.
 *
 * Bounds: every trial point is clamped into the box before it is evaluated, so the objective is
 * never asked outside it. Restarts: when a simplex converges it is rebuilt around its best point
 * and run again until a restart no longer improves (a collapsed simplex can stop short of the
 * minimum). Starts: the first at the given point, the others drawn from a seeded generator around
 * it, so the same data and seed give the same answer on any machine.
 */
import { seededRandom } from '../../platform/seeded-random.ts';

export type Bounds = { lower: number[]; upper: number[] };

export type MinimizeOptions = {
  bounds: Bounds;
  /** Extra starting points drawn around x0 (default 2). */
  starts?: number;
  /** Half-width of the box the extra starts are drawn from, per coordinate (default 1). */
  spread?: number;
  seed?: number;
  /** Convergence: the simplex's spread in x and in f (defaults 1e-9 and 1e-11). */
  xTolerance?: number;
  fTolerance?: number;
  /** Evaluations per simplex run (default 4000), restarts per start (default 5), and evaluations per start in all (default 8000). */
  maxEvaluations?: number;
  maxRestarts?: number;
  maxEvaluationsPerStart?: number;
};

export type MinimizeResult = { x: number[]; f: number; evaluations: number; converged: boolean };

const clamp = (x: number[], { lower, upper }: Bounds) => x.map((v, i) => Math.min(upper[i]!, Math.max(lower[i]!, v)));

/** A non-finite value (an overflow at the edge of the box) counts as +∞, so the simplex moves away. */
const safe = (f: (x: number[]) => number) => (x: number[]) => {
  const value = f(x);
  return Number.isFinite(value) ? value : Infinity;
};

function* simplexRun(f: (x: number[]) => number, x0: number[], options: Required<Omit<MinimizeOptions, 'starts' | 'spread' | 'seed' | 'maxRestarts' | 'maxEvaluationsPerStart'>>): Generator<void, MinimizeResult> {
  const n = x0.length;
  const { bounds } = options;
  // Initial simplex: x0 and a step of 5% (0.05 absolute at 0) along each axis, as scipy does; a step that would leave the box goes the other way.
  const points: number[][] = [clamp(x0, bounds)];
  for (let i = 0; i < n; i++) {
    const p = [...points[0]!];
    const step = p[i] !== 0 ? 0.05 * Math.abs(p[i]!) : 0.05;
    p[i] = p[i]! + step <= bounds.upper[i]! ? p[i]! + step : p[i]! - step;
    points.push(clamp(p, bounds));
  }
  let values = points.map(f);
  let evaluations = n + 1;
  const order = () => {
    const idx = points.map((_p, i) => i).sort((a, b) => values[a]! - values[b]!);
    const sortedPoints = idx.map((i) => points[i]!);
    values = idx.map((i) => values[i]!);
    points.splice(0, points.length, ...sortedPoints);
  };
  const at = (centroid: number[], worst: number[], coefficient: number) => clamp(centroid.map((c, i) => c + coefficient * (c - worst[i]!)), bounds);
  order();
  while (evaluations < options.maxEvaluations) {
    const spreadX = Math.max(...points.slice(1).map((p) => Math.max(...p.map((v, i) => Math.abs(v - points[0]![i]!)))));
    const spreadF = Math.max(...values.slice(1).map((v) => Math.abs(v - values[0]!)));
    if (spreadX <= options.xTolerance && spreadF <= options.fTolerance * Math.max(1, Math.abs(values[0]!))) {
      return { x: points[0]!, f: values[0]!, evaluations, converged: true };
    }
    const centroid = new Array<number>(n).fill(0);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) centroid[i]! += points[j]![i]! / n;
    const worst = points[n]!;
    const reflected = at(centroid, worst, 1);
    const fr = f(reflected);
    evaluations++;
    if (fr < values[0]!) {
      const expanded = at(centroid, worst, 2);
      const fe = f(expanded);
      evaluations++;
      [points[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [points[n], values[n]] = [reflected, fr];
    } else {
      // Contract outside (the reflection beat the worst) or inside; shrink towards the best when neither helps.
      const outside = fr < values[n]!;
      const contracted = at(centroid, worst, outside ? 0.5 : -0.5);
      const fc = f(contracted);
      evaluations++;
      if (fc < (outside ? fr : values[n]!)) {
        [points[n], values[n]] = [contracted, fc];
      } else {
        for (let j = 1; j <= n; j++) {
          points[j] = clamp(points[j]!.map((v, i) => points[0]![i]! + 0.5 * (v - points[0]![i]!)), bounds);
          values[j] = f(points[j]!);
        }
        evaluations += n;
      }
    }
    order();
    // A pause point after each step: minimizeAsync gives the event loop a turn here now and then.
    yield;
  }
  return { x: points[0]!, f: values[0]!, evaluations, converged: false };
}

/** The minimisation as steps: the same work whether driven at once (minimize) or with pauses (minimizeAsync). */
function* minimizeSteps(objective: (x: number[]) => number, x0: number[], options: MinimizeOptions): Generator<void, MinimizeResult> {
  const f = safe(objective);
  const run = {
    bounds: options.bounds,
    xTolerance: options.xTolerance ?? 1e-9,
    fTolerance: options.fTolerance ?? 1e-11,
    maxEvaluations: options.maxEvaluations ?? 4000,
  };
  const random = seededRandom(options.seed ?? 1);
  const spread = options.spread ?? 1;
  const startPoints = [x0, ...Array.from({ length: options.starts ?? 2 }, () => x0.map((v) => v + spread * (2 * random() - 1)))];
  let best: MinimizeResult | null = null;
  let evaluations = 0;
  for (const start of startPoints) {
    let result = yield* simplexRun(f, start, run);
    evaluations += result.evaluations;
    let spent = result.evaluations;
    // A likelihood that runs off to the edge of the box (too few or too alike customers) is
    // crawled along by restart after restart, each gaining a little: the budget stops that.
    for (let restart = 0; restart < (options.maxRestarts ?? 5) && spent < (options.maxEvaluationsPerStart ?? 8000); restart++) {
      const again = yield* simplexRun(f, result.x, run);
      evaluations += again.evaluations;
      spent += again.evaluations;
      const improved = again.f < result.f - Math.max(1e-12, 1e-13 * Math.abs(result.f));
      if (again.f <= result.f) result = again;
      if (!improved) break;
    }
    if (!best || result.f < best.f) best = result;
  }
  return { ...best!, evaluations };
}

/** Minimises f over the box from x0 and from `starts` seeded points around it; the lowest minimum wins. */
export function minimize(objective: (x: number[]) => number, x0: number[], options: MinimizeOptions): MinimizeResult {
  const steps = minimizeSteps(objective, x0, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same minimisation, giving the event loop a turn at least every `sliceMs` of work: a fit
 * over a million customers' histories takes seconds, and the server answers requests meanwhile.
 */
export async function minimizeAsync(objective: (x: number[]) => number, x0: number[], options: MinimizeOptions, sliceMs = 20): Promise<MinimizeResult> {
  const steps = minimizeSteps(objective, x0, options);
  let sliceStarted = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStarted >= sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
}
