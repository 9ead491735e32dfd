/** A seeded generator (mulberry32): the same seed gives the same numbers on every machine. */
export type Random = Readonly<{
  /** Uniform in [0, 1). */
  next: () => number;
  /** An integer in [min, max]. */
  int: (min: number, max: number) => number;
  /** One of the options, by relative weight. */
  pick: <T>(options: readonly (readonly [T, number])[]) => T;
  chance: (p: number) => boolean;
}>;

export function seeded(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(options: readonly (readonly [T, number])[]): T => {
    const total = options.reduce((s, [, w]) => s + w, 0);
    let x = next() * total;
    for (const [value, w] of options) if ((x -= w) < 0) return value;
    return options[options.length - 1]![0];
  };
  return { next, int, pick, chance: (p) => next() < p };
}
