import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const global_average_pool: OpDef = {
  op: 'global_average_pool',
  inferShapes: () => notImplemented('global_average_pool', 'inferShapes'),
  evalFloat: () => notImplemented('global_average_pool', 'evalFloat'),
};
