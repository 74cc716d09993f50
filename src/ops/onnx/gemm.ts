import type { OpDef } from '../op.js';
import { notImplemented } from '../op.js';

export const Gemm: OpDef = {
  op: 'Gemm',
  inferShapes: () => notImplemented('Gemm', 'inferShapes'),
  evalFloat: () => notImplemented('Gemm', 'evalFloat'),
};
