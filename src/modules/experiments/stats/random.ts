/**
 * mulberry32: a 32-bit seeded PRNG, small and fast, good enough for resampling and simulation
 * (not for anything an attacker may try to predict). The same seed gives the same stream on
 * every platform, which is what makes a bootstrap interval reproducible.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
