import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const channel_affine: OpDef = {
  op: 'channel_affine',
  inferShapes: () => notImplemented('channel_affine', 'inferShapes'),
  evalFloat: () => notImplemented('channel_affine', 'evalFloat'),
};
