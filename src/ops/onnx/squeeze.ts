import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Squeeze: OpDef = {
  op: 'Squeeze',
  inferShapes: () => notImplemented('Squeeze', 'inferShapes'),
  evalFloat: () => notImplemented('Squeeze', 'evalFloat'),
};
