import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Clip: OpDef = {
  op: 'Clip',
  inferShapes: () => notImplemented('Clip', 'inferShapes'),
  evalFloat: () => notImplemented('Clip', 'evalFloat'),
};
