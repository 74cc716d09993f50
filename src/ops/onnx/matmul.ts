import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const MatMul: OpDef = {
  op: 'MatMul',
  inferShapes: () => notImplemented('MatMul', 'inferShapes'),
  evalFloat: () => notImplemented('MatMul', 'evalFloat'),
};
