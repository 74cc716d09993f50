import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Transpose: OpDef = {
  op: 'Transpose',
  inferShapes: () => notImplemented('Transpose', 'inferShapes'),
  evalFloat: () => notImplemented('Transpose', 'evalFloat'),
};
