import { describe, expect, it } from 'vitest';
import { EntropyObserver, klThresholdBins } from './entropy.js';
import { Histogram } from './histogram.js';
import { makeObserver } from './index.js';
import { MinMaxObserver } from './minmax.js';
import { MseObserver } from './mse.js';
import { PercentileObserver } from './percentile.js';

// ---- deterministic samples of known distributions ----
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return (s + 0.5) / 4294967296; // (0, 1)
  };
}
/** n evenly spaced points of U[a, b]: the exact quantiles are known. */
function uniform(n: number, a = 0, b = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => a + ((i + 0.5) / n) * (b - a));
}
function gaussian(n: number, seed = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = r(), v = r();
    const m = Math.sqrt(-2 * Math.log(u));
    out[i] = m * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = m * Math.sin(2 * Math.PI * v);
  }
  return out;
}
const concat = (...parts: Float32Array[]) => {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
/** Feeds values in chunks, as calibration does image by image. */
function observe<T extends { update(v: ArrayLike<number>): void }>(obs: T, values: Float32Array, chunk = 65536): T {
  for (let i = 0; i < values.length; i += chunk) obs.update(values.subarray(i, i + chunk));
  return obs;
}

describe('Histogram', () => {
  it('keeps bin edges aligned with 0 while the range grows, and loses no value', () => {
    const h = new Histogram(16);
    h.update([0.1, 0.2, -0.05]);
    const w0 = h.width;
    expect(Number.isInteger(Math.log2(w0))).toBe(true); // a power of two
    h.update([3.0, -7.5, 0]);
    expect(h.width).toBeGreaterThan(w0);
    expect(7.5).toBeLessThan(16 * h.width);
    expect(h.count).toBe(6);
    expect(h.zeros).toBe(1);
    const total = h.pos.reduce((s, c) => s + c, 0) + h.neg.reduce((s, c) => s + c, 0);
    expect(total).toBe(6);
    expect(h.pos[Math.floor(3.0 / h.width)]).toBe(1);
    expect(h.neg[Math.floor(7.5 / h.width)]).toBe(1);
  });
});

describe('minmax', () => {
  it('returns the exact extremes', () => {
    expect(observe(new MinMaxObserver(), concat(gaussian(1000), Float32Array.of(-9, 11))).range()).toEqual({ min: -9, max: 11 });
  });
});

describe('percentile', () => {
  it('cuts the top 0.01 % of U[0, 1] at 0.9999', () => {
    const r = observe(new PercentileObserver({ percentile: 99.99 }), uniform(1_000_000)).range();
    expect(r.min).toBeCloseTo(0.0000005, 6);
    expect(r.max).toBeCloseTo(0.9999, 3);
  });
  it('cuts 0.5 % from each tail of N(0, 1) at ±2.576 (z of 0.995)', () => {
    const r = observe(new PercentileObserver({ percentile: 99 }), gaussian(1_000_000)).range();
    expect(r.min).toBeCloseTo(-2.576, 1);
    expect(r.max).toBeCloseTo(2.576, 1);
  });
  it('ignores a few huge outliers', () => {
    const r = observe(new PercentileObserver({ percentile: 99.99 }), concat(gaussian(1_000_000), new Float32Array(10).fill(1000))).range();
    // 10 outliers of 100 cut values: the cut lands near z = 3.9 (0.99995 two-sided ≈ 3.89σ)
    expect(r.max).toBeGreaterThan(3.3);
    expect(r.max).toBeLessThan(4.6);
  });
});

describe('entropy (KL)', () => {
  it('keeps the whole range of a uniform distribution (clipping costs, quantizing it does not)', () => {
    const r = observe(new EntropyObserver(), uniform(1_000_000)).range();
    expect(r.max).toBeGreaterThan(0.97);
    expect(r.max).toBeLessThanOrEqual(1);
  });
  it('clips far outliers of a gaussian', () => {
    // Outliers at 50 (10× the bulk): 2048 bins of 1/32 leave the bulk ~320 bins to resolve it
    // (a threshold can never fall below 128 of 2048 bins, as in TensorRT).
    const r = observe(new EntropyObserver(), concat(gaussian(1_000_000), new Float32Array(10).fill(50))).range();
    expect(r.max).toBeLessThan(10);
    expect(r.max).toBeGreaterThan(2);
    expect(r.min).toBeCloseTo(-r.max, 6); // signed data: symmetric threshold on |x|
  });
  it('is not pulled down by a spike of exact zeros (ReLU floor): 0 is exact in int8', () => {
    const halfNormal = gaussian(1_000_000).map(Math.abs);
    const values = concat(new Float32Array(1_000_000), halfNormal);
    const withZeros = observe(new EntropyObserver(), values).range();
    const without = observe(new EntropyObserver(), halfNormal).range();
    expect(withZeros.max).toBe(without.max);
    expect(without.max).toBeGreaterThan(3.5); // keeps > 99.9 % of a half-normal
    // The guard matters: the textbook search on the same histogram, zeros left in bin 0, clips at
    // about 2σ (4.5 % of the non-zero values).
    const h = new Histogram();
    observe(h, values);
    expect(klThresholdBins(Float64Array.from(h.pos), 256) * h.width).toBeLessThan(0.6 * without.max);
  });
  it('keeps a dead channel\'s constant output (10 % of the values in one bin) inside the range', () => {
    const half = gaussian(900_000).map(Math.abs);
    const values = concat(half, new Float32Array(100_000).fill(2.5));
    const r = observe(new EntropyObserver(), values).range();
    expect(r.max).toBeGreaterThanOrEqual(2.5);
    expect(r.max).toBeLessThan(5);
  });
  it('is deterministic', () => {
    const v = concat(gaussian(200_000, 3).map(Math.abs), new Float32Array(5).fill(40));
    expect(observe(new EntropyObserver(), v).range()).toEqual(observe(new EntropyObserver(), v).range());
  });
});

describe('mse', () => {
  it('does not clip a uniform distribution', () => {
    const r = observe(new MseObserver(), uniform(1_000_000, -1, 1)).range();
    expect(r.max).toBeGreaterThan(0.98);
    expect(r.min).toBeLessThan(-0.98);
  });
  it('clips N(0, 1) near ±3.9σ, the MSE-optimal 8-bit clip of a gaussian (Banner et al., ACIQ)', () => {
    const r = observe(new MseObserver(), gaussian(1_000_000)).range();
    expect(r.max).toBeGreaterThan(3.4);
    expect(r.max).toBeLessThan(4.4);
  });
  it('clips outliers where rounding noise and clipping error balance', () => {
    const r = observe(new MseObserver(), concat(uniform(1_000_000), new Float32Array(3).fill(50))).range();
    // err(R) = 10^6·(R/255)²/12 + 3·(50 − R)² is least at R = 300 / (2·10^6/(255²·12) + 6) ≈ 35.0;
    // the α grid steps by 0.5.
    expect(Math.abs(r.max - 35.03)).toBeLessThanOrEqual(0.6);
  });
});

describe('makeObserver', () => {
  it('makes each method and rejects unknown ones', () => {
    for (const m of ['minmax', 'percentile', 'entropy', 'mse'] as const) {
      const o = makeObserver(m);
      o.update(uniform(10000));
      const r = o.range();
      expect(r.min).toBeGreaterThanOrEqual(0);
      expect(r.max).toBeGreaterThan(0.9);
    }
    expect(() => makeObserver('bogus' as never)).toThrow(/unknown calibration method/);
  });
});
