import type { OpDef } from './op.js';
import { notImplemented } from './op.js';

export const depthwise_conv2d: OpDef = {
  op: 'depthwise_conv2d',
  inferShapes: () => notImplemented('depthwise_conv2d', 'inferShapes'),
  evalFloat: () => notImplemented('depthwise_conv2d', 'evalFloat'),
};
