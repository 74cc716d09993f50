import { EntropyObserver } from './entropy.js';
import { MinMaxObserver } from './minmax.js';
import { MseObserver } from './mse.js';
import type { Observer, ObserverMethod, ObserverOptions } from './observer.js';
import { PercentileObserver } from './percentile.js';
import { UserError } from '../../util/errors.js';

export type { Observer, ObserverMethod, ObserverOptions, Range } from './observer.js';
export { OBSERVER_METHODS } from './observer.js';

/** A fresh observer of the given method. */
export function makeObserver(method: ObserverMethod, opts: ObserverOptions = {}): Observer {
  switch (method) {
    case 'minmax': return new MinMaxObserver();
    case 'percentile': return new PercentileObserver(opts);
    case 'entropy': return new EntropyObserver(opts);
    case 'mse': return new MseObserver(opts);
    default: throw new UserError(`unknown calibration method '${String(method)}' (minmax, percentile, entropy, mse)`);
  }
}
