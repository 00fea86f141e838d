/**
 * The fuzzer's only source of chance: a small seeded generator (sfc32, seeded through
 * splitmix32), so a run is replayed by its seed. Nothing in the fuzzer calls Math.random.
 */
export type Rng = {
  readonly seed: number;
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Up to `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** A lowercase word of `min` to `max` letters. */
  word(min?: number, max?: number): string;
};

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  let [a, b, c, d] = [init(), init(), init(), init()];
  const next32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  const next = () => next32() / 4294967296;
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[int(0, items.length - 1)]!;
  };
  return {
    seed,
    next,
    int,
    chance: (probability) => next() < probability,
    pick,
    sample: (items, count) => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i);
        [copy[i], copy[j]] = [copy[j]!, copy[i]!];
      }
      return copy.slice(0, count);
    },
    word: (min = 3, max = 8) => Array.from({ length: int(min, max) }, () => String.fromCharCode(97 + int(0, 25))).join(''),
  };
}

/** PATRON_FUZZ_SEED when set (decimal or 0x…), otherwise a fresh one; the run prints it either way. */
export function fuzzSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.PATRON_FUZZ_SEED;
  if (given && given.trim() !== '') {
    const seed = Number(given.trim());
    if (!Number.isSafeInteger(seed)) throw new Error(`PATRON_FUZZ_SEED must be an integer, not ${given}`);
    return seed >>> 0;
  }
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
