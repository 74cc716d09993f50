/**
 * The fields of a quantized layer that src/target reads, taken from either form of the
 * quantized-model contract: the committed one (input, inputShape, inputQ) and the layering
 * refactor in progress (inputs[], inputShapes[], inputQ[]; window and weight fields per op). One
 * adapter here keeps the rest of src/target independent of the contract's exact shape; when the
 * refactor lands this file is the only one to simplify.
 */
import type { QuantParams } from './repo.js';
import { TargetError } from './tools.js';

export interface LayerView {
  readonly name: string;
  readonly op: string;
  readonly input: string;
  readonly output: string;
  /** NCHW (fully connected: as the producer left it). */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  readonly inputQ: QuantParams;
  readonly outputQ: QuantParams;
  readonly actMin: number;
  readonly actMax: number;
  readonly kernel?: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly depthMultiplier?: number;
  readonly countIncludePad?: number;
  readonly weights?: Int8Array;
  readonly weightShape?: readonly number[];
  readonly bias?: Int32Array;
  readonly multiplier?: Int32Array;
  readonly shift?: Int32Array;
}

export function viewLayer(layer: unknown): LayerView {
  const r = layer as Record<string, unknown>;
  const name = String(r.name);
  const one = <T>(single: unknown, many: unknown, what: string): T => {
    if (single !== undefined && !(what === 'inputQ' && Array.isArray(single))) return single as T;
    const list = (Array.isArray(single) ? single : many) as T[] | undefined;
    if (!list || list.length !== 1) throw new TargetError(`layer '${name}': ${list?.length ?? 0} inputs (only single-input layers are supported here)`);
    return list[0];
  };
  const inputShape = one<readonly number[]>(r.inputShape, r.inputShapes, 'inputShape');
  // A global average pool's window is its whole input (the refactored contract stores no window for it).
  const globalWindow = r.op === 'global_average_pool' && r.kernel === undefined && inputShape.length === 4
    ? { kernel: [inputShape[2], inputShape[3]], strides: [1, 1], pads: [0, 0, 0, 0] }
    : {};
  return {
    ...(r as object),
    ...globalWindow,
    name,
    op: String(r.op),
    input: one<string>(r.input, r.inputs, 'input'),
    output: String(r.output),
    inputShape,
    outputShape: r.outputShape as readonly number[],
    inputQ: one<QuantParams>(r.inputQ, undefined, 'inputQ'),
    outputQ: r.outputQ as QuantParams,
    actMin: Number(r.actMin),
    actMax: Number(r.actMax),
  } as LayerView;
}
