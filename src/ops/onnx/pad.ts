import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Pad: OpDef = {
  op: 'Pad',
  inferShapes: () => notImplemented('Pad', 'inferShapes'),
  evalFloat: () => notImplemented('Pad', 'evalFloat'),
};
