/**
 * An observer watches every value of one activation tensor over the calibration set and proposes
 * the real range [min, max] its int8 quantization should cover. The quantizer widens the range to
 * include 0. Observers are deterministic: same values in the same order, same range.
 */
export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface Observer {
  update(values: ArrayLike<number>): void;
  range(): Range;
}

export type ObserverMethod = 'minmax' | 'percentile' | 'entropy' | 'mse';

export const OBSERVER_METHODS: readonly ObserverMethod[] = ['minmax', 'percentile', 'entropy', 'mse'];

export interface ObserverOptions {
  /** percentile: the share of values kept inside the range, in percent (default 99.99). */
  readonly percentile?: number;
  /** Histogram bins per sign (default 2048). */
  readonly bins?: number;
}
