import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Reshape: OpDef = {
  op: 'Reshape',
  inferShapes: () => notImplemented('Reshape', 'inferShapes'),
  evalFloat: () => notImplemented('Reshape', 'evalFloat'),
};
