import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Dropout: OpDef = {
  op: 'Dropout',
  inferShapes: () => notImplemented('Dropout', 'inferShapes'),
  evalFloat: () => notImplemented('Dropout', 'evalFloat'),
};
