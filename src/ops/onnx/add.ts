import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Add: OpDef = {
  op: 'Add',
  inferShapes: () => notImplemented('Add', 'inferShapes'),
  evalFloat: () => notImplemented('Add', 'evalFloat'),
};
