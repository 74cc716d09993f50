/**
 * The fixed-point primitives of TFLite / CMSIS-NN int8 ("double rounding", DESIGN.md), exact to
 * the bit. Every int8 op is built on these; src/runtime has the same few functions in C.
 *
 * Exactness: a 32×32-bit product needs 62 bits, more than a double's 53, so the product is split
 * into 16-bit halves whose partial sums stay below 2^53 (see saturatingRoundingDoublingHighMul).
 * No BigInt on the hot path; the tests check every function against a BigInt oracle.
 */

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;
const TWO_30 = 1073741824;
const TWO_15 = 32768;
const TWO_16 = 65536;
const TWO_21 = 2097152;

/**
 * SRDHM(a, b) (gemmlowp SaturatingRoundingDoublingHighMul): the high 32 bits of 2·a·b rounded,
 * i.e. (a·b + (a·b ≥ 0 ? 2^30 : 1 − 2^30)) / 2^31 truncated toward zero; INT32_MAX when
 * a = b = INT32_MIN (the only overflow). a and b are int32.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  // b = bh·2^16 + bl, bl ∈ [0, 2^16), bh ∈ [−2^15, 2^15).
  const bl = b & 0xffff;
  const bh = b >> 16;
  const p = a * bh; // |p| < 2^46: exact
  const q = a * bl; // |q| < 2^47: exact
  // a·b = p·2^16 + q; write p = ph·2^15 + pl with pl ∈ [0, 2^15) so that p·2^16 = ph·2^31 + pl·2^16.
  const ph = Math.floor(p / TWO_15);
  const pl = p - ph * TWO_15;
  const nonNegative = a === 0 || b === 0 || (a > 0) === (b > 0);
  const nudge = nonNegative ? TWO_30 : 1 - TWO_30;
  const r = pl * TWO_16 + q + nudge; // |r| < 2^48: exact
  const rq = Math.floor(r / TWO_31);
  const floorTotal = ph + rq; // floor((a·b + nudge) / 2^31)
  const rem = r - rq * TWO_31; // ∈ [0, 2^31)
  // Truncation toward zero: a negative non-integer quotient rounds up.
  return floorTotal < 0 && rem !== 0 ? floorTotal + 1 : floorTotal;
}

/**
 * RDBPOT(x, n) (gemmlowp RoundingDivideByPOT): x / 2^n rounded half away from zero, for int32 x and
 * n ∈ [0, 31]: (x >> n) + ((x & mask) > threshold), mask = 2^n − 1, threshold = (mask >> 1) + (x < 0).
 */
export function roundingDivideByPOT(x: number, n: number): number {
  const mask = ((1 << n) - 1) | 0; // n = 31: (−2^31 − 1) | 0 = 2^31 − 1
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> n) + (remainder > threshold ? 1 : 0);
}

/**
 * y = RDBPOT(SRDHM(acc · 2^max(shift, 0), M0), max(−shift, 0)) — TFLite's
 * MultiplyByQuantizedMultiplier. The left shift wraps in 32 bits as the C does
 * ((int32_t)((uint32_t)acc << s)); the quantizer only produces shift ≤ 0 for real models.
 */
export function multiplyByQuantizedMultiplier(acc: number, multiplier: number, shift: number): number {
  if (shift <= 0 && acc < TWO_21 && acc > -TWO_21) {
    // Fast path, same result: |acc·M0| < 2^52, so the product and the nudge are exact doubles and
    // dividing by 2^31 is exact. For an integer p = acc·M0, gemmlowp's sign-dependent nudge with
    // truncation equals floor((p + 2^30) / 2^31) for both signs (one rounding rule, no branch on
    // the sign, which real data mispredicts). Then RDBPOT inline, its threshold without a branch.
    const high = Math.floor((acc * multiplier + TWO_30) / TWO_31) | 0;
    const n = -shift;
    const mask = ((1 << n) - 1) | 0;
    const threshold = (mask >> 1) - (high >> 31);
    return (high >> n) + ((high & mask) > threshold ? 1 : 0);
  }
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(left ? acc << left : acc, multiplier), right);
}

/** frexp: x = m · 2^e with |m| ∈ [0.5, 1) (m = 0, e = 0 for x = 0). */
export function frexp(x: number): { mantissa: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { mantissa: x, exponent: 0 };
  let e = Math.floor(Math.log2(Math.abs(x))) + 1;
  // Math.log2 may be off by one near powers of two; fix up exactly (scaling by 2^k is exact).
  let m = x * Math.pow(2, -e);
  while (Math.abs(m) >= 1) { m /= 2; e += 1; }
  while (Math.abs(m) < 0.5) { m *= 2; e -= 1; }
  return { mantissa: m, exponent: e };
}

/**
 * A real multiplier as (M0, shift) with M ≈ M0 · 2^(shift − 31) (DESIGN.md): frexp(M) = (q, e);
 * M0 = round(q·2^31) half away from zero; M0 = 2^31 → (2^30, e + 1); e < −31 → (0, 0).
 * Throws for shift > 30 (a multiplier ≥ 2^30 cannot be applied without overflow).
 */
export function quantizeMultiplier(real: number): { multiplier: number; shift: number } {
  if (!Number.isFinite(real)) throw new Error(`quantizeMultiplier: ${real} is not finite`);
  if (real === 0) return { multiplier: 0, shift: 0 };
  const { mantissa, exponent } = frexp(real);
  let e = exponent;
  const scaled = mantissa * TWO_31; // exact
  let m0 = Math.sign(scaled) * Math.round(Math.abs(scaled)); // half away from zero
  if (m0 === TWO_31) { m0 = TWO_30; e += 1; }
  if (m0 === -TWO_31) { m0 = -TWO_30; e += 1; }
  if (e < -31) return { multiplier: 0, shift: 0 };
  if (e > 30) throw new Error(`quantizeMultiplier: multiplier ${real} too large (shift ${e} > 30)`);
  return { multiplier: m0, shift: e };
}

/** The real value that (multiplier, shift) stands for. */
export function multiplierValue(multiplier: number, shift: number): number {
  return multiplier * Math.pow(2, shift - 31);
}

/**
 * TFLite's rounded integer mean for average pooling: (sum ± floor(count/2)) / count with C's
 * truncating division, + when sum > 0, − otherwise.
 */
export function roundedMean(sum: number, count: number): number {
  const half = Math.floor(count / 2);
  return Math.trunc(sum > 0 ? (sum + half) / count : (sum - half) / count) | 0;
}

/** Clamp x to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Round half away from zero (TFLite's rounding of reals to integers, C's round()). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}
