import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const GlobalAveragePool: OpDef = {
  op: 'GlobalAveragePool',
  inferShapes: () => notImplemented('GlobalAveragePool', 'inferShapes'),
  evalFloat: () => notImplemented('GlobalAveragePool', 'evalFloat'),
};
