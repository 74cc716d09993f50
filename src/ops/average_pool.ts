import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const average_pool: OpDef = {
  op: 'average_pool',
  inferShapes: () => notImplemented('average_pool', 'inferShapes'),
  evalFloat: () => notImplemented('average_pool', 'evalFloat'),
};
