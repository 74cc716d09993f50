import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Conv: OpDef = {
  op: 'Conv',
  inferShapes: () => notImplemented('Conv', 'inferShapes'),
  evalFloat: () => notImplemented('Conv', 'evalFloat'),
};
