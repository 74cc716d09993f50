/**
 * A streaming histogram of real values for the histogram-based observers (percentile, entropy,
 * mse). Two halves anchored at 0: bin i of `pos` holds values in [i·w, (i+1)·w), bin i of `neg`
 * values in (−(i+1)·w, −i·w] (0 itself counts as positive). The bin width w is a power of two;
 * when a value falls past the last bin, w doubles and neighbouring bins merge, so the edges stay
 * aligned with 0 and the result depends only on the values and their order (deterministic).
 * Exact zeros are also counted apart (`zeros`): they are the ReLU floor and the dead channels'
 * output, and are represented exactly by any int8 range that contains 0.
 */
export class Histogram {
  readonly bins: number;
  width = 0;
  readonly pos: Float64Array;
  readonly neg: Float64Array;
  count = 0;
  zeros = 0;
  min = Infinity;
  max = -Infinity;

  constructor(bins = 2048) {
    this.bins = bins;
    this.pos = new Float64Array(bins);
    this.neg = new Float64Array(bins);
  }

  update(values: ArrayLike<number>): void {
    const n = values.length;
    if (n === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error('Histogram: non-finite activation value');
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    const absMax = Math.max(-lo, hi);
    if (this.width === 0) {
      if (absMax === 0) { this.count += n; this.zeros += n; this.pos[0] += n; return; }
      // Smallest power of two with absMax < bins·w.
      this.width = Math.pow(2, Math.floor(Math.log2(absMax / this.bins)));
      while (absMax >= this.bins * this.width) this.width *= 2;
    }
    while (absMax >= this.bins * this.width) this.grow();
    const inv = 1 / this.width; // a power of two: exact
    const pos = this.pos;
    const neg = this.neg;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v >= 0) {
        if (v === 0) zeros++;
        pos[Math.floor(v * inv)]++;
      } else {
        neg[Math.floor(-v * inv)]++;
      }
    }
    this.count += n;
    this.zeros += zeros;
  }

  /** Doubles the bin width, merging bins 2i and 2i+1 into i. */
  private grow(): void {
    for (const h of [this.pos, this.neg]) {
      for (let i = 0; i < this.bins / 2; i++) h[i] = h[2 * i] + h[2 * i + 1];
      h.fill(0, this.bins / 2);
    }
    this.width *= 2;
  }

  /**
   * The histogram as one ascending list of bins over [−bins·w, bins·w): edges[i]..edges[i]+w holds
   * counts[i]. Index `bins` is the bin starting at 0.
   */
  signed(): { counts: Float64Array; start: number; width: number } {
    const counts = new Float64Array(2 * this.bins);
    for (let i = 0; i < this.bins; i++) {
      counts[this.bins - 1 - i] = this.neg[i];
      counts[this.bins + i] = this.pos[i];
    }
    return { counts, start: -this.bins * this.width, width: this.width };
  }

  /** Histogram of |x|: bin i holds |x| ∈ [i·w, (i+1)·w). */
  absolute(): Float64Array {
    const out = new Float64Array(this.bins);
    for (let i = 0; i < this.bins; i++) out[i] = this.pos[i] + this.neg[i];
    return out;
  }
}
