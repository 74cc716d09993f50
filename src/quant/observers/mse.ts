import { Histogram } from './histogram.js';
import type { Observer, ObserverOptions, Range } from './observer.js';

/**
 * The range that minimizes the expected squared quantization error over the observed values:
 * candidates shrink [min(min, 0), max(max, 0)] by α ∈ {1, 0.99, …, 0.20}; a value inside costs
 * step²/12 (uniform rounding noise), one outside its squared distance to the range (plus the
 * same rounding noise), measured at histogram bin centres. Exact zeros cost nothing (the zero point
 * is an integer, so 0 is exact). Ties keep the wider range.
 */
export class MseObserver implements Observer {
  private readonly hist: Histogram;

  constructor(opts: ObserverOptions = {}) {
    this.hist = new Histogram(opts.bins);
  }

  update(values: ArrayLike<number>): void {
    this.hist.update(values);
  }

  range(): Range {
    const h = this.hist;
    if (h.count === 0) throw new Error('MseObserver: no values observed');
    if (h.width === 0) return { min: 0, max: 0 };
    const lo0 = Math.min(h.min, 0);
    const hi0 = Math.max(h.max, 0);
    const { counts, start, width } = h.signed();
    const zeroBin = h.bins; // the bin [0, w) — exact zeros are taken out of it
    let best = { min: h.min, max: h.max };
    let bestErr = Infinity;
    for (let k = 0; k <= 80; k++) {
      const alpha = 1 - k / 100;
      const lo = lo0 * alpha;
      const hi = hi0 * alpha;
      const step = (hi - lo) / 255;
      const noise = (step * step) / 12;
      let err = 0;
      for (let i = 0; i < counts.length; i++) {
        let c = counts[i];
        if (i === zeroBin) c -= h.zeros;
        if (c === 0) continue;
        // Bin centre, kept within the observed extremes (the outermost bins are partly empty).
        const v = Math.min(Math.max(start + (i + 0.5) * width, h.min), h.max);
        const d = v < lo ? lo - v : v > hi ? v - hi : 0;
        err += c * (d * d + noise);
      }
      if (err < bestErr) { bestErr = err; best = { min: Math.max(lo, h.min), max: Math.min(hi, h.max) }; }
    }
    return best;
  }
}
