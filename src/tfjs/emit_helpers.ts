/**
 * Small building blocks shared by the op converters: chains of IR nodes where the last one takes
 * the TF node's name, layout-aware reshapes, and the attribute checks every NHWC op repeats.
 */
import type { Attr } from '../ir/graph.js';
import { UserError } from '../util/errors.js';
import { attrString } from './attributes.js';
import type { ConvertContext } from './context.js';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, irShapeOf, sameElementOrder, tfShapeOf } from './layout.js';
import { intVector } from './static_shapes.js';

/** One IR node of a chain: op, the inputs after the running tensor, attributes, a name suffix. */
export interface Step {
  readonly op: string;
  readonly extra?: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly suffix: string;
}

/**
 * Adds `steps` one after another starting from `input`; every node's origin is the TF node. The
 * first node takes the TF node's name (it is the op proper: a fused conv's Conv, which the
 * activation after it later fuses into) and the last one writes the TF node's output 0 under its
 * name. Returns that tensor.
 */
export function emitChain(c: ConvertContext, input: string, steps: readonly Step[]): string {
  let cur = input;
  steps.forEach((s, i) => {
    const helper = c.helperName(s.suffix);
    const name = i === 0 ? c.b.own(c.node.name, 'node') : helper;
    const output = i === steps.length - 1 ? c.outputName(0) : helper;
    cur = c.b.add({ op: s.op, name, inputs: [cur, ...(s.extra ?? [])], output, attrs: s.attrs, origin: [c.node.name] }, c.where);
  });
  c.define(0, { kind: 'runtime', name: cur });
  return cur;
}

/** The TF (NHWC for rank 4) shape of an IR runtime tensor. */
export function tfShape(c: ConvertContext, tensor: string): number[] {
  return tfShapeOf(c.b.info(tensor).shape);
}

/** Input k: a runtime tensor of TF rank `rank` (UserError otherwise). Returns [IR name, TF shape]. */
export function runtimeOfRank(c: ConvertContext, k: number, what: string, rank: number): [string, number[]] {
  const x = c.runtime(k, what);
  const s = tfShape(c, x);
  if (s.length !== rank) throw new UserError(`${c.where}: ${what} '${c.node.inputs[k]}' has shape [${s.join(', ')}], expected rank ${rank}`);
  return [x, s];
}

/** data_format must be NHWC (TF.js runs nothing else on the CPU; NCHW graphs come from GPU training setups). */
export function requireNhwc(c: ConvertContext): void {
  const f = attrString(c.node.attr, 'data_format', c.where, 'NHWC');
  if (f !== 'NHWC') throw new UserError(`${c.where}: data_format '${f}' is not supported (only NHWC)`);
}

/** A TF [1, a, b, 1] attribute (strides, ksize, dilations) as [a, b]. */
export function spatialPair(values: readonly number[], c: ConvertContext, name: string): [number, number] {
  if (values.length !== 4 || values[0] !== 1 || values[3] !== 1 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new UserError(`${c.where}: attribute '${name}' [${values.join(', ')}] must be [1, h, w, 1] with positive h, w`);
  }
  return [values[1], values[2]];
}

/**
 * Reshape of runtime tensor `x` to the TF shape `target`, written as IR nodes that respect the
 * layout rule: a rank-4 source is put back in NHWC order first and a rank-4 result brought to
 * NCHW after, unless the element order is the same either way (a 1×1 map, one channel), where a
 * plain Reshape does. The last node takes the TF node's name.
 */
export function emitTfReshape(c: ConvertContext, x: string, target: readonly number[]): string {
  const steps: Step[] = [];
  const src = tfShape(c, x);
  if (src.length === 4 && !sameElementOrder(src)) steps.push({ op: 'Transpose', attrs: { perm: [...NCHW_TO_NHWC] }, suffix: 'to_nhwc' });
  const shapeConst = (s: readonly number[], suffix: string): string => c.b.constant(c.helperName(suffix), intVector(s, 'int64'));
  if (target.length === 4 && !sameElementOrder(target)) {
    steps.push({ op: 'Reshape', extra: [shapeConst(target, 'shape')], attrs: {}, suffix: 'reshape' });
    steps.push({ op: 'Transpose', attrs: { perm: [...NHWC_TO_NCHW] }, suffix: 'to_nchw' });
  } else {
    steps.push({ op: 'Reshape', extra: [shapeConst(irShapeOf(target), 'shape')], attrs: {}, suffix: 'reshape' });
  }
  return emitChain(c, x, steps);
}
