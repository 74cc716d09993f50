import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const MaxPool: OpDef = {
  op: 'MaxPool',
  inferShapes: () => notImplemented('MaxPool', 'inferShapes'),
  evalFloat: () => notImplemented('MaxPool', 'evalFloat'),
};
