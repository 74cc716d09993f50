import { describe, expect, it } from 'vitest';
import {
  INT32_MAX, INT32_MIN, frexp, multiplierValue, multiplyByQuantizedMultiplier, quantizeMultiplier,
  roundedMean, roundingDivideByPOT, saturatingRoundingDoublingHighMul,
} from './arith.js';

// ---- BigInt oracles written straight from the gemmlowp / DESIGN.md definitions ----
function srdhmOracle(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n)); // BigInt division truncates toward zero
}
function rdbpotOracle(x: number, n: number): number {
  const X = BigInt(x);
  const mask = (1n << BigInt(n)) - 1n;
  const rem = X & mask; // two's complement semantics on BigInt
  const threshold = (mask >> 1n) + (X < 0n ? 1n : 0n);
  return Number((X >> BigInt(n)) + (rem > threshold ? 1n : 0n));
}
function mbqmOracle(acc: number, m: number, shift: number): number {
  const left = Math.max(shift, 0);
  const right = Math.max(-shift, 0);
  const shifted = Number(BigInt.asIntN(32, BigInt(acc) << BigInt(left)));
  return rdbpotOracle(srdhmOracle(shifted, m), right);
}

// Deterministic xorshift so failures reproduce.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s;
  };
}
const int32 = (r: () => number) => r() | 0;


/**
 * The first few cases `ok` rejects: one expect per test rather than one per case (vitest's expect
 * costs microseconds, and these loops run up to 100,000 cases).
 */
function failures<T>(cases: readonly T[], ok: (c: T) => boolean, keep = 5): T[] {
  const bad: T[] = [];
  for (const c of cases) if (!ok(c) && bad.push(c) >= keep) break;
  return bad;
}

describe('saturatingRoundingDoublingHighMul (SRDHM)', () => {
  it('saturates only for INT32_MIN · INT32_MIN', () => {
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN)).toBe(INT32_MAX);
    // INT32_MIN · INT32_MAX = −2^62 + 2^31 → (−2^62 + 2^31 + 1 − 2^30)/2^31 truncated = −2^31 + 1
    expect(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MAX)).toBe(-2147483647);
    // INT32_MAX² = 2^62 − 2^32 + 1 → (… + 2^30)/2^31 = 2^31 − 2 + (1 + 2^30)/2^31 → 2147483646
    expect(saturatingRoundingDoublingHighMul(INT32_MAX, INT32_MAX)).toBe(2147483646);
  });
  it('rounds positive ties up and negative ties toward zero (gemmlowp nudge)', () => {
    // a·b = 2^30 exactly is a tie at 0.5 → 1; −2^30 → (−2^30 + 1 − 2^30)/2^31 → trunc(−0.99…) = 0 …
    expect(saturatingRoundingDoublingHighMul(1 << 15, 1 << 15)).toBe(1);
    // … while −2^30 − 1 falls past the half: (−2^31)/2^31 = −1
    expect(saturatingRoundingDoublingHighMul(-(1 << 15), 1 << 15)).toBe(0);
    expect(saturatingRoundingDoublingHighMul(-((1 << 30) + 1), 1)).toBe(-1);
    // multiplying by 2^30 (= 0.5 in Q31): 3·0.5 = 1.5 → 2, but −1.5: (−3·2^30 + 1 − 2^30)/2^31 =
    // −2 + 2^−31 truncates to −1 — gemmlowp's negative nudge is 1 − 2^30, not −2^30.
    expect(saturatingRoundingDoublingHighMul(3, 1 << 30)).toBe(2);
    expect(saturatingRoundingDoublingHighMul(-3, 1 << 30)).toBe(-1);
    expect(saturatingRoundingDoublingHighMul(-5, 1 << 30)).toBe(-2); // −2.5 → −2
    expect(saturatingRoundingDoublingHighMul(0, INT32_MIN)).toBe(0);
  });
  it('matches a BigInt oracle on random and edge values', () => {
    const r = rng(12345);
    const edges = [0, 1, -1, 2, -2, 32767, -32768, 65535, 65536, -65536, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30)];
    const cases: [number, number][] = edges.flatMap((a) => edges.map((b): [number, number] => [a, b]));
    for (let i = 0; i < 20000; i++) {
      const a = int32(r);
      cases.push([a, i % 2 ? int32(r) : (int32(r) >> (r() % 31))]);
    }
    expect(failures(cases, ([a, b]) => Object.is(saturatingRoundingDoublingHighMul(a, b), srdhmOracle(a, b)))).toEqual([]);
  });
});

describe('roundingDivideByPOT (RDBPOT)', () => {
  it('shift 0 is the identity, shift 31 maps to −1, 0 or 1', () => {
    for (const x of [0, 1, -1, INT32_MAX, INT32_MIN, 12345]) expect(roundingDivideByPOT(x, 0)).toBe(x);
    expect(roundingDivideByPOT(INT32_MAX, 31)).toBe(1); // 0.99… → 1
    expect(roundingDivideByPOT(INT32_MIN, 31)).toBe(-1); // −1 exactly
    expect(roundingDivideByPOT(1 << 30, 31)).toBe(1); // +0.5 tie → away from zero
    expect(roundingDivideByPOT(-(1 << 30), 31)).toBe(-1); // −0.5 tie → away from zero
    expect(roundingDivideByPOT((1 << 30) - 1, 31)).toBe(0);
  });
  it('rounds ties away from zero', () => {
    expect(roundingDivideByPOT(5, 1)).toBe(3); // 2.5
    expect(roundingDivideByPOT(-5, 1)).toBe(-3); // −2.5
    expect(roundingDivideByPOT(6, 2)).toBe(2); // 1.5
    expect(roundingDivideByPOT(-6, 2)).toBe(-2); // −1.5
    expect(roundingDivideByPOT(-7, 2)).toBe(-2); // −1.75
    expect(roundingDivideByPOT(-5, 2)).toBe(-1); // −1.25
  });
  it('matches a BigInt oracle', () => {
    const r = rng(777);
    const cases: [number, number][] = [];
    for (let i = 0; i < 20000; i++) {
      const x = int32(r);
      cases.push([x, r() % 32]);
    }
    expect(failures(cases, ([x, n]) => Object.is(roundingDivideByPOT(x, n), rdbpotOracle(x, n)))).toEqual([]);
  });
});

describe('quantizeMultiplier', () => {
  it('frexp splits exactly', () => {
    for (const x of [1, 0.5, 0.75, 2 ** -40, 3 * 2 ** 20, 0.1, 1 - 2 ** -53]) {
      const { mantissa, exponent } = frexp(x);
      expect(mantissa).toBeGreaterThanOrEqual(0.5);
      expect(mantissa).toBeLessThan(1);
      expect(mantissa * 2 ** exponent).toBe(x);
    }
  });
  it('follows DESIGN.md on exact and rounded values', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ multiplier: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(0.75)).toEqual({ multiplier: 3 * 2 ** 29, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ multiplier: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.25)).toEqual({ multiplier: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(0)).toEqual({ multiplier: 0, shift: 0 });
    // q·2^31 = 2^31 − 2^−22 rounds up to 2^31 → (2^30, e + 1)
    expect(quantizeMultiplier((1 - 2 ** -53) * 2 ** -3)).toEqual({ multiplier: 2 ** 30, shift: -2 });
    // 0.1 = 0.8·2^−3; 0.8·2^31 = 1717986918.4 → 1717986918
    expect(quantizeMultiplier(0.1)).toEqual({ multiplier: 1717986918, shift: -3 });
    // a mantissa at exactly k + 0.5 in Q31 rounds away from zero
    expect(quantizeMultiplier((2 ** 30 + 0.5) / 2 ** 31)).toEqual({ multiplier: 2 ** 30 + 1, shift: 0 });
    // e < −31 → (0, 0); e = −31 still kept
    expect(quantizeMultiplier(2 ** -33)).toEqual({ multiplier: 0, shift: 0 });
    expect(quantizeMultiplier(2 ** -32)).toEqual({ multiplier: 2 ** 30, shift: -31 });
    expect(() => quantizeMultiplier(2 ** 31)).toThrow();
  });
  it('represents random multipliers within half a Q31 step', () => {
    const r = rng(42);
    for (let i = 0; i < 2000; i++) {
      const m = (r() / 2 ** 32) * 2 ** -((r() % 20));
      if (m === 0) continue;
      const { multiplier, shift } = quantizeMultiplier(m);
      expect(multiplier).toBeGreaterThanOrEqual(2 ** 30);
      expect(multiplier).toBeLessThanOrEqual(INT32_MAX);
      expect(Math.abs(multiplierValue(multiplier, shift) - m)).toBeLessThanOrEqual(2 ** (shift - 32));
    }
  });
});

describe('multiplyByQuantizedMultiplier', () => {
  it('matches a BigInt oracle for shifts −31…+4', () => {
    const r = rng(99);
    const cases: [number, number, number][] = [];
    for (let i = 0; i < 20000; i++) {
      const acc = i % 3 === 0 ? int32(r) : int32(r) >> (r() % 24);
      const m = (r() >>> 1) | 0x40000000; // normalized Q31 in [2^30, 2^31)
      cases.push([acc, m, (r() % 36) - 31]);
    }
    expect(failures(cases, ([acc, m, shift]) => Object.is(multiplyByQuantizedMultiplier(acc, m, shift), mbqmOracle(acc, m, shift)))).toEqual([]);
  });
  it('agrees with the oracle on both sides of the fast path bound (|acc| < 2^21)', () => {
    const r = rng(2024);
    for (const base of [2 ** 21, -(2 ** 21), 2 ** 20, -(2 ** 20), 0]) {
      for (let d = -3; d <= 3; d++) {
        for (let k = 0; k < 50; k++) {
          const m = (r() >>> 1) | 0x40000000;
          const shift = -(r() % 32);
          expect(multiplyByQuantizedMultiplier(base + d, m, shift)).toBe(mbqmOracle(base + d, m, shift));
        }
      }
    }
  });
  it('rounds exact ties as the oracle in both steps and for both signs (the fast path)', () => {
    // M0 = 2^30 makes acc·M0 / 2^31 = acc / 2: every odd acc is a tie of the doubling high mul; the
    // right shift then meets ties at every shift. 3·2^29 gives ties of the product at acc ≡ 2 mod 4.
    const cases: [number, number, number][] = [];
    for (const m of [2 ** 30, 3 * 2 ** 29]) {
      for (let acc = -2000; acc <= 2000; acc++) {
        for (let shift = 0; shift >= -12; shift--) cases.push([acc, m, shift]);
      }
    }
    expect(failures(cases, ([acc, m, shift]) => Object.is(multiplyByQuantizedMultiplier(acc, m, shift), mbqmOracle(acc, m, shift)))).toEqual([]);
  });
  it('scales by the real multiplier to within one step', () => {
    const r = rng(5);
    for (let i = 0; i < 5000; i++) {
      const acc = int32(r) >> 8;
      const real = (r() / 2 ** 32) * 2 ** -(r() % 12);
      const { multiplier, shift } = quantizeMultiplier(real);
      expect(Math.abs(multiplyByQuantizedMultiplier(acc, multiplier, shift) - acc * real)).toBeLessThanOrEqual(1);
    }
  });
  it('double rounding on a hand case: 3 · 0.25 = 0.75 → 1, −3 · 0.25 → −1, 2 · 0.25 = 0.5 → 1', () => {
    const { multiplier, shift } = quantizeMultiplier(0.25); // (2^30, −1)
    expect(multiplyByQuantizedMultiplier(3, multiplier, shift)).toBe(1);
    expect(multiplyByQuantizedMultiplier(-3, multiplier, shift)).toBe(-1);
    expect(multiplyByQuantizedMultiplier(2, multiplier, shift)).toBe(1);
    expect(multiplyByQuantizedMultiplier(-2, multiplier, shift)).toBe(-1);
  });
});

describe('roundedMean (TFLite average pool)', () => {
  it('rounds half away from zero with truncating division', () => {
    expect(roundedMean(5, 2)).toBe(3); // 2.5
    expect(roundedMean(-5, 2)).toBe(-3);
    expect(roundedMean(7, 4)).toBe(2); // 1.75 → (7+2)/4 = 2
    expect(roundedMean(-7, 4)).toBe(-2);
    expect(roundedMean(0, 9)).toBe(0);
    expect(roundedMean(13, 9)).toBe(1); // 1.44 → (13+4)/9 = 1
    expect(roundedMean(14, 9)).toBe(2); // 1.56
    expect(roundedMean(-128 * 49, 49)).toBe(-128);
  });
});

// The Cortex-M4/M7 assembly requantization (src/runtime/onnx2mcu_gemm_s8.c and the depthwise pixel
// path) shifts in two steps: ((x - (x < 0)) >> (n - 1)) + 2·zp + 1, then >> 1 inside SSAT. It must be
// exactly roundingDivideByPOT(x, n) + zp for every n >= 1 it is used with and every |x| < 2^30
// (the fast requantization's bound).
describe('the two-step rounding shift of the DSP assembly', () => {
  const twoStep = (x: number, n: number, zp: number) => ((((x - (x < 0 ? 1 : 0)) >> (n - 1)) + 2 * zp + 1) >> 1);
  it('equals roundingDivideByPOT(x, n) + zp (BigInt oracle) on edges and 200,000 random cases', () => {
    let state = 12345;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0);
    const xs = [0, 1, -1, 2, -2, 3, -3, (1 << 30) - 1, -((1 << 30) - 1), 1 << 29, -(1 << 29)];
    const cases: [number, number, number][] = [];
    for (const x of xs) for (let n = 1; n <= 31; n++) for (const zp of [-128, -1, 0, 127]) cases.push([x, n, zp]);
    for (let i = 0; i < 200_000; i++) {
      const n = 1 + (next() % 31);
      // ties at every n: x = k·2^n ± 2^(n-1) as often as random values
      const x = i % 2 ? ((next() % (1 << 30)) - (1 << 29)) : (((next() % 2048) - 1024) * 2 ** n + (next() % 2 ? 1 : -1) * 2 ** (n - 1)) | 0;
      if (Math.abs(x) >= 2 ** 30) continue;
      cases.push([x, n, (next() % 256) - 128]);
    }
    const bad = cases.filter(([x, n, zp]) => twoStep(x, n, zp) !== rdbpotOracle(x, n) + zp);
    expect(bad.slice(0, 5)).toEqual([]);
    expect(cases.length).toBeGreaterThan(150_000);
  });
  it('is wrong for n = 0, which is why shift-0 channels take the C path (negative control)', () => {
    expect(twoStep(5, 0, 0)).not.toBe(5);
  });
});
