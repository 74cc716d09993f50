import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const softmax: OpDef = {
  op: 'softmax',
  inferShapes: () => notImplemented('softmax', 'inferShapes'),
  evalFloat: () => notImplemented('softmax', 'evalFloat'),
};
