import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const BatchNormalization: OpDef = {
  op: 'BatchNormalization',
  inferShapes: () => notImplemented('BatchNormalization', 'inferShapes'),
  evalFloat: () => notImplemented('BatchNormalization', 'evalFloat'),
};
