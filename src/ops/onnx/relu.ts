import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Relu: OpDef = {
  op: 'Relu',
  inferShapes: () => notImplemented('Relu', 'inferShapes'),
  evalFloat: () => notImplemented('Relu', 'evalFloat'),
};
