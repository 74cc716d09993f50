import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const AveragePool: OpDef = {
  op: 'AveragePool',
  inferShapes: () => notImplemented('AveragePool', 'inferShapes'),
  evalFloat: () => notImplemented('AveragePool', 'evalFloat'),
};
