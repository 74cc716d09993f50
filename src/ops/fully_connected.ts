import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const fully_connected: OpDef = {
  op: 'fully_connected',
  inferShapes: () => notImplemented('fully_connected', 'inferShapes'),
  evalFloat: () => notImplemented('fully_connected', 'evalFloat'),
};
