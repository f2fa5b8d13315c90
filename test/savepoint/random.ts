/** Seeded pseudo-random numbers for the fuzz and property tests, so every failure reproduces. */

/** xorshift32: uniformly distributed unsigned 32-bit integers from a seed (0 is replaced). */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

/** xorshift32 scaled to [0, 1). */
export function random01(seed: number): () => number {
  const next = xorshift32(seed);
  return () => next() / 2 ** 32;
}
