import { Histogram } from './histogram.js';
import type { Observer, ObserverOptions, Range } from './observer.js';

/**
 * KL-divergence calibration as TensorRT does it (Migacz, "8-bit Inference with TensorRT", 2017):
 * for each candidate threshold i (in bins), P = the histogram clipped at i with the clipped mass
 * added to its last bin, Q = the unclipped bins quantized to `levels` groups and spread back
 * evenly over P's non-empty bins; pick the i with the smallest KL(P‖Q).
 *
 * Two guards make it robust on real MobileNet activations, where a textbook version collapsed the
 * model to chance accuracy:
 * - Exact zeros (the ReLU floor, dead channels) are left out: int8 represents 0 exactly, and a
 *   zero bin holding half the mass makes every wide first group look costly, driving the
 *   threshold toward 0.
 * - Spike bins (one bin with ≥ 1 % of the mass and ≥ 8× both neighbours — a dead channel's
 *   constant output, Relu6 saturation) are left out of the search too, and the final range is
 *   widened to cover them: a point mass costs at most half a step inside the range, but clipping
 *   it shifts a whole channel.
 * Non-negative data uses 256 levels over [0, T]; signed data a histogram of |x| with 128 levels.
 * Candidates step through the bins so that at most ~512 are tried per tensor.
 */
export class EntropyObserver implements Observer {
  private readonly hist: Histogram;

  constructor(opts: ObserverOptions = {}) {
    this.hist = new Histogram(opts.bins);
  }

  update(values: ArrayLike<number>): void {
    this.hist.update(values);
  }

  range(): Range {
    const h = this.hist;
    if (h.count === 0) throw new Error('EntropyObserver: no values observed');
    if (h.width === 0) return { min: 0, max: 0 };
    const oneSided = h.min >= 0;
    const bins = oneSided ? Float64Array.from(h.pos) : h.absolute();
    bins[0] -= h.zeros;
    const spikes = removeSpikes(bins);
    const levels = oneSided ? 256 : 128;
    let t = klThresholdBins(bins, levels) * h.width;
    for (const s of spikes) t = Math.max(t, (s + 1) * h.width);
    if (oneSided) return { min: h.min, max: Math.min(h.max, t) };
    return { min: Math.max(h.min, -t), max: Math.min(h.max, t) };
  }
}

/** Zeroes spike bins in place and returns their indices. */
export function removeSpikes(bins: Float64Array): number[] {
  let total = 0;
  for (const c of bins) total += c;
  const spikes: number[] = [];
  for (let i = 0; i < bins.length; i++) {
    const c = bins[i];
    if (c < 0.01 * total) continue;
    const left = i > 0 ? bins[i - 1] : 0;
    const right = i + 1 < bins.length ? bins[i + 1] : 0;
    if (c >= 8 * Math.max(left, right)) spikes.push(i);
  }
  for (const i of spikes) bins[i] = 0;
  return spikes;
}

/**
 * The threshold (a bin count i: values up to i·w are kept) minimizing KL(P‖Q). Returns the last
 * non-empty bin + 1 when there are too few bins to choose from.
 */
export function klThresholdBins(bins: Float64Array, levels: number): number {
  let last = bins.length;
  while (last > 0 && bins[last - 1] === 0) last--;
  if (last <= levels) return Math.max(last, 1);
  const suffix = new Float64Array(bins.length + 1);
  for (let i = bins.length - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + bins[i];
  let best = last;
  let bestKl = Infinity;
  const p = new Float64Array(last);
  const q = new Float64Array(last);
  // At most ~512 candidates (every bin up to 2048 bins' worth would be O(bins²) per tensor).
  const step = Math.max(1, Math.floor((last - levels) / 512));
  for (let i = levels; i <= last; i += step) {
    for (let k = 0; k < i; k++) p[k] = bins[k];
    p[i - 1] += suffix[i];
    // Quantize bins[0..i) into `levels` groups; spread each group's mass over its non-empty P bins.
    for (let g = 0; g < levels; g++) {
      const a = Math.floor((g * i) / levels);
      const b = Math.floor(((g + 1) * i) / levels);
      let sum = 0;
      let nonEmpty = 0;
      for (let k = a; k < b; k++) {
        sum += bins[k];
        if (p[k] > 0) nonEmpty++;
      }
      const each = nonEmpty > 0 ? sum / nonEmpty : 0;
      for (let k = a; k < b; k++) q[k] = p[k] > 0 ? each : 0;
    }
    const kl = klDivergence(p, q, i);
    if (kl < bestKl) { bestKl = kl; best = i; }
  }
  return best;
}

/**
 * KL(P‖Q) of the first n entries, both normalized. Where Q is 0 but P is not (clipped mass landing
 * in an empty group), Q gets a small floor instead of making the divergence infinite.
 */
function klDivergence(p: Float64Array, q: Float64Array, n: number): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < n; k++) { sp += p[k]; sq += q[k]; }
  if (sp === 0) return 0;
  const floor = 1e-4 / n;
  let kl = 0;
  for (let k = 0; k < n; k++) {
    if (p[k] === 0) continue;
    const pk = p[k] / sp;
    const qk = sq > 0 ? Math.max(q[k] / sq, floor) : floor;
    kl += pk * Math.log(pk / qk);
  }
  return kl;
}
