import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Unsqueeze: OpDef = {
  op: 'Unsqueeze',
  inferShapes: () => notImplemented('Unsqueeze', 'inferShapes'),
  evalFloat: () => notImplemented('Unsqueeze', 'evalFloat'),
};
