/** ONNX Add with numpy broadcasting. */
import type { OpDef } from '../common/op.js';
import { binaryOp } from './binary.js';

export const Add: OpDef = binaryOp('Add', (a, b) => a + b);
