import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const conv2d: OpDef = {
  op: 'conv2d',
  inferShapes: () => notImplemented('conv2d', 'inferShapes'),
  evalFloat: () => notImplemented('conv2d', 'evalFloat'),
};
