/** ONNX Mul with numpy broadcasting. */
import type { OpDef } from '../common/op.js';
import { binaryOp } from './binary.js';

export const Mul: OpDef = binaryOp('Mul', (a, b) => a * b);
