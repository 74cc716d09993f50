import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Flatten: OpDef = {
  op: 'Flatten',
  inferShapes: () => notImplemented('Flatten', 'inferShapes'),
  evalFloat: () => notImplemented('Flatten', 'evalFloat'),
};
