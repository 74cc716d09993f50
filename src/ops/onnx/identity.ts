import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Identity: OpDef = {
  op: 'Identity',
  inferShapes: () => notImplemented('Identity', 'inferShapes'),
  evalFloat: () => notImplemented('Identity', 'evalFloat'),
};
