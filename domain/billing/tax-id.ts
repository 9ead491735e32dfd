/** 统一社会信用代码 characters: digits and capital letters without I, O, Z, S, V. */
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/**
 * Whether `id` is a unified social credit code (GB 32100-2015), the taxpayer id a company's
 * fapiao carries: 18 characters whose last is a check character over the first 17 (mod 31).
 */
export function isTaxId(id: string): boolean {
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(id)) return false;
  const sum = WEIGHTS.reduce((s, w, i) => s + CHARS.indexOf(id.charAt(i)) * w, 0);
  return CHARS.charAt((31 - (sum % 31)) % 31) === id.charAt(17);
}
