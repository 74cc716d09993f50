import { Histogram } from './histogram.js';
import type { Observer, ObserverOptions, Range } from './observer.js';

/**
 * Clips the rarest values: keeps `percentile` % of them. Non-negative data (ReLU outputs) keeps
 * the minimum and cuts the top (100 − p) %; signed data cuts (100 − p)/2 % from each tail.
 * Quantiles interpolate linearly inside a histogram bin and never pass the observed min/max.
 */
export class PercentileObserver implements Observer {
  private readonly hist: Histogram;
  private readonly percentile: number;

  constructor(opts: ObserverOptions = {}) {
    this.percentile = opts.percentile ?? 99.99;
    if (!(this.percentile > 0 && this.percentile <= 100)) throw new Error(`percentile ${this.percentile} not in (0, 100]`);
    this.hist = new Histogram(opts.bins);
  }

  update(values: ArrayLike<number>): void {
    this.hist.update(values);
  }

  range(): Range {
    const h = this.hist;
    if (h.count === 0) throw new Error('PercentileObserver: no values observed');
    if (h.width === 0) return { min: 0, max: 0 };
    const drop = 1 - this.percentile / 100;
    if (h.min >= 0) return { min: h.min, max: Math.min(h.max, quantile(h, 1 - drop)) };
    return { min: Math.max(h.min, quantile(h, drop / 2)), max: Math.min(h.max, quantile(h, 1 - drop / 2)) };
  }
}

/** The value below which a share `q` of the histogram's mass lies. */
export function quantile(h: Histogram, q: number): number {
  const { counts, start, width } = h.signed();
  const target = q * h.count;
  let cum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0 && cum + c >= target) return start + (i + (target - cum) / c) * width;
    cum += c;
  }
  return start + counts.length * width;
}
