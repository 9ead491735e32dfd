/**
 * Shares `amount` out over parts in proportion to their (signed) sizes, to the fen, so the shares
 * add up to `amount` exactly: each is rounded, and what rounding left over goes to the largest part.
 */
export function shareOut(amount: number, parts: readonly number[]): number[] {
  const whole = parts.reduce((sum, p) => sum + p, 0);
  if (whole === 0 || amount === 0) return parts.map(() => 0);
  const shares = parts.map((p) => Math.round((amount * p) / whole));
  const largest = parts.reduce((best, p, i) => (p > (parts[best] ?? 0) ? i : best), 0);
  shares[largest] = (shares[largest] ?? 0) + amount - shares.reduce((sum, s) => sum + s, 0);
  return shares;
}
