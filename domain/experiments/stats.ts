/** 95 % two-sided normal quantile. */
export const Z_95 = 1.959963984540054;

/**
 * Wilson score interval for a binomial proportion: unlike the normal
 * approximation it stays inside [0, 1] and behaves at 0 and n successes and for
 * small n. With no trials nothing is known: [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): [number, number] {
  if (trials === 0) return [0, 1];
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or n successes the bound is exactly 0 or 1; floating point would leave it a hair inside.
  return [successes === 0 ? 0 : Math.max(0, centre - half), successes === trials ? 1 : Math.min(1, centre + half)];
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 for erf, error below 1.5e-7). */
export function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

export type Comparison = Readonly<{ difference: number; z: number; pValue: number }>;

/**
 * Two-proportion z-test of arm B against arm A (pooled variance), two-sided.
 * With no trials on either side, or a pooled rate of 0 or 1, there is no
 * evidence of a difference: z 0, p 1.
 */
export function twoProportionTest(aSuccesses: number, aTrials: number, bSuccesses: number, bTrials: number): Comparison {
  const pa = aTrials === 0 ? 0 : aSuccesses / aTrials;
  const pb = bTrials === 0 ? 0 : bSuccesses / bTrials;
  const difference = pb - pa;
  if (aTrials === 0 || bTrials === 0) return { difference, z: 0, pValue: 1 };
  const pooled = (aSuccesses + bSuccesses) / (aTrials + bTrials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / aTrials + 1 / bTrials));
  if (se === 0) return { difference, z: 0, pValue: 1 };
  const z = difference / se;
  return { difference, z, pValue: 2 * (1 - normalCdf(Math.abs(z))) };
}

/** Upper tail of the chi-square distribution (Wilson–Hilferty cube-root approximation; plenty for a warning). */
export function chiSquareUpperTail(statistic: number, degrees: number): number {
  if (degrees <= 0) return 1;
  const k = degrees;
  const x = (Math.cbrt(statistic / k) - (1 - 2 / (9 * k))) / Math.sqrt(2 / (9 * k));
  return 1 - normalCdf(x);
}

export type SampleRatio = Readonly<{ chiSquare: number; pValue: number; mismatch: boolean }>;

/**
 * Sample-ratio-mismatch check: do the arms' exposure counts fit their weights?
 * A p-value below 0.001 (the usual threshold) means the split itself is broken
 * (a bug in assignment or exposure logging), so the arms' rates cannot be trusted.
 */
export function sampleRatioCheck(counts: readonly number[], weights: readonly number[]): SampleRatio {
  const n = counts.reduce((s, c) => s + c, 0);
  const total = weights.reduce((s, w) => s + w, 0);
  if (n === 0 || counts.length < 2) return { chiSquare: 0, pValue: 1, mismatch: false };
  const chiSquare = counts.reduce((s, c, i) => {
    const expected = (n * (weights[i] ?? 0)) / total;
    return expected > 0 ? s + (c - expected) ** 2 / expected : s;
  }, 0);
  const pValue = chiSquareUpperTail(chiSquare, counts.length - 1);
  return { chiSquare, pValue, mismatch: pValue < 0.001 };
}
