import type { Observer, Range } from './observer.js';

/** The exact minimum and maximum seen. */
export class MinMaxObserver implements Observer {
  private min = Infinity;
  private max = -Infinity;

  update(values: ArrayLike<number>): void {
    let lo = this.min;
    let hi = this.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.min = lo;
    this.max = hi;
  }

  range(): Range {
    if (this.min > this.max) throw new Error('MinMaxObserver: no values observed');
    return { min: this.min, max: this.max };
  }
}
