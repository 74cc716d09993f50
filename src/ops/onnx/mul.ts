import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Mul: OpDef = {
  op: 'Mul',
  inferShapes: () => notImplemented('Mul', 'inferShapes'),
  evalFloat: () => notImplemented('Mul', 'evalFloat'),
};
