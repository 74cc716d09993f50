import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Softmax: OpDef = {
  op: 'Softmax',
  inferShapes: () => notImplemented('Softmax', 'inferShapes'),
  evalFloat: () => notImplemented('Softmax', 'evalFloat'),
};
