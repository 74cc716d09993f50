/**
 * Opset differences, removed at import: every op leaves here with the attribute form the brief fixes
 * for the IR, whatever opset the file was written for.
 *   Clip       min/max attributes (opset < 11) or inputs (≥ 11)  → attrs min/max, ±Infinity if absent
 *   Pad        pads/value attributes (< 11) or inputs (≥ 11, axes ≥ 18) → attrs pads/mode/value
 *   Squeeze, Unsqueeze  axes attribute (< 13) or input (≥ 13) → attr axes
 *   Softmax    default axis 1 and 2-D coercion (< 13) or -1 (≥ 13) → explicit axis (+ legacy_2d)
 *   Dropout    ratio/training_mode inputs or attributes → input [x] only
 * Defaults are written out for Conv, pools, Gemm, Flatten and BatchNormalization so that later
 * stages read attributes without knowing ONNX's defaults. Optional outputs nobody reads (Dropout
 * mask, MaxPool indices, BatchNormalization training statistics) are dropped.
 */
import type { Attr, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { toNumbers } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

export interface NormalizeContext {
  readonly opset: number;
  /** The value of a tensor when it is a constant (initializer or Constant node). */
  constant(name: string): Tensor | undefined;
  /** The rank of a tensor when the file declares it (graph input, value_info, constant). */
  rank(name: string): number | undefined;
  /** Whether a tensor is read by some node or is a graph output. */
  isUsed(name: string): boolean;
  /** "model.onnx: node 'x' (Op)" for messages. */
  where(node: Node): string;
}

type Attrs = Record<string, Attr>;

export function normalizeNode(node: Node, ctx: NormalizeContext): Node {
  switch (node.op) {
    case 'Clip': return normalizeClip(node, ctx);
    case 'Pad': return normalizePad(node, ctx);
    case 'Squeeze':
    case 'Unsqueeze': return normalizeAxes(node, ctx);
    case 'Softmax': return normalizeSoftmax(node, ctx);
    case 'Dropout': return withOnly(dropUnusedOutputs(node, ctx, 1), [node.inputs[0]], {});
    case 'Conv': return normalizeConv(node, ctx);
    case 'AveragePool':
    case 'MaxPool': return normalizePool(dropUnusedOutputs(node, ctx, 1));
    case 'Gemm': return withDefaults(node, { alpha: 1, beta: 1, transA: 0, transB: 0 });
    case 'Flatten': return withDefaults(node, { axis: 1 });
    case 'BatchNormalization': return withDefaults(dropUnusedOutputs(node, ctx, 1), { epsilon: 1e-5 });
    default: return node;
  }
}

function withOnly(node: Node, inputs: readonly string[], attrs: Attrs): Node {
  return { ...node, inputs: [...inputs], attrs };
}

function withDefaults(node: Node, defaults: Attrs): Node {
  return { ...node, attrs: { ...defaults, ...node.attrs } };
}

/** Keeps the first `keep` outputs; a dropped optional output that something reads is an error. */
function dropUnusedOutputs(node: Node, ctx: NormalizeContext, keep: number): Node {
  if (node.outputs.length <= keep) return node;
  for (const [i, o] of node.outputs.entries()) {
    if (i >= keep && o && ctx.isUsed(o)) {
      throw new UserError(`${ctx.where(node)}: output ${i} '${o}' is used, but only output 0 is supported (inference mode)`);
    }
  }
  return { ...node, outputs: node.outputs.slice(0, keep) };
}

/** Input `index` as a constant tensor, or undefined when absent; a runtime tensor there is an error. */
function constInput(node: Node, index: number, what: string, ctx: NormalizeContext): Tensor | undefined {
  const name = node.inputs[index];
  if (!name) return undefined;
  const t = ctx.constant(name);
  if (!t) throw new UserError(`${ctx.where(node)}: input ${index} '${name}' (${what}) must be a constant (initializer or Constant)`);
  return t;
}

function scalarOf(t: Tensor, node: Node, what: string, ctx: NormalizeContext): number {
  const v = toNumbers(t);
  if (v.length !== 1) throw new UserError(`${ctx.where(node)}: ${what} must be a scalar, got shape [${t.shape.join(', ')}]`);
  return v[0];
}

function normalizeClip(node: Node, ctx: NormalizeContext): Node {
  let min = -Infinity;
  let max = Infinity;
  if (ctx.opset < 11) {
    if (typeof node.attrs.min === 'number') min = node.attrs.min;
    if (typeof node.attrs.max === 'number') max = node.attrs.max;
  } else {
    const tMin = constInput(node, 1, 'min', ctx);
    const tMax = constInput(node, 2, 'max', ctx);
    if (tMin) min = scalarOf(tMin, node, 'min', ctx);
    if (tMax) max = scalarOf(tMax, node, 'max', ctx);
  }
  return withOnly(node, [node.inputs[0]], { min, max });
}

function normalizePad(node: Node, ctx: NormalizeContext): Node {
  const mode = typeof node.attrs.mode === 'string' ? node.attrs.mode : 'constant';
  if (mode !== 'constant') throw new UserError(`${ctx.where(node)}: Pad mode '${mode}' is not supported (only 'constant')`);
  let pads: number[];
  let value = 0;
  if (ctx.opset < 11) {
    const p = node.attrs.pads;
    if (!Array.isArray(p)) throw new UserError(`${ctx.where(node)}: missing attribute 'pads'`);
    pads = [...(p as number[])];
    if (typeof node.attrs.value === 'number') value = node.attrs.value;
  } else {
    const tPads = constInput(node, 1, 'pads', ctx);
    if (!tPads) throw new UserError(`${ctx.where(node)}: missing input 1 'pads'`);
    pads = toNumbers(tPads);
    const tValue = constInput(node, 2, 'constant_value', ctx);
    if (tValue) value = scalarOf(tValue, node, 'constant_value', ctx);
    const tAxes = constInput(node, 3, 'axes', ctx);
    if (tAxes) pads = expandPadsOverAxes(node, pads, toNumbers(tAxes), ctx);
  }
  return withOnly(node, [node.inputs[0]], { pads, mode: 'constant', value });
}

/** Opset 18 Pad may pad only some axes; the IR form lists every axis. */
function expandPadsOverAxes(node: Node, pads: number[], axes: number[], ctx: NormalizeContext): number[] {
  const rank = ctx.rank(node.inputs[0]);
  if (rank === undefined) {
    throw new UserError(`${ctx.where(node)}: Pad with an 'axes' input needs the rank of '${node.inputs[0]}', which the file does not declare`);
  }
  if (pads.length !== 2 * axes.length) {
    throw new UserError(`${ctx.where(node)}: ${pads.length} pads for ${axes.length} axes (need 2 per axis)`);
  }
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, i) => {
    const axis = a < 0 ? a + rank : a;
    if (axis < 0 || axis >= rank) throw new UserError(`${ctx.where(node)}: Pad axis ${a} out of range for rank ${rank}`);
    full[axis] = pads[i];
    full[axis + rank] = pads[i + axes.length];
  });
  return full;
}

function normalizeAxes(node: Node, ctx: NormalizeContext): Node {
  const attrs: Attrs = { ...node.attrs };
  delete attrs.axes;
  if (ctx.opset < 13) {
    if (Array.isArray(node.attrs.axes)) attrs.axes = [...(node.attrs.axes as number[])];
  } else {
    const t = constInput(node, 1, 'axes', ctx);
    if (t) attrs.axes = toNumbers(t);
  }
  if (node.op === 'Unsqueeze' && attrs.axes === undefined) throw new UserError(`${ctx.where(node)}: Unsqueeze without axes`);
  return withOnly(node, [node.inputs[0]], attrs);
}

function normalizeSoftmax(node: Node, ctx: NormalizeContext): Node {
  if (ctx.opset < 13) return { ...node, attrs: { ...node.attrs, axis: node.attrs.axis ?? 1, legacy_2d: 1 } };
  return withDefaults(node, { axis: -1 });
}

function normalizeConv(node: Node, ctx: NormalizeContext): Node {
  let kernel = node.attrs.kernel_shape as readonly number[] | undefined;
  if (kernel === undefined) {
    const w = ctx.constant(node.inputs[1] ?? '');
    if (w) kernel = w.shape.slice(2);
  }
  const attrs: Attrs = { group: 1, auto_pad: 'NOTSET', ...node.attrs };
  if (kernel) {
    const d = spatialDefaults(kernel.length, node.attrs);
    Object.assign(attrs, { kernel_shape: [...kernel], strides: d.strides, dilations: d.dilations });
    if (usesExplicitPads(attrs)) attrs.pads = d.pads;
  }
  return { ...node, attrs };
}

function normalizePool(node: Node): Node {
  const kernel = node.attrs.kernel_shape as readonly number[] | undefined;
  const attrs: Attrs = { auto_pad: 'NOTSET', ceil_mode: 0, ...node.attrs };
  if (node.op === 'AveragePool' && attrs.count_include_pad === undefined) attrs.count_include_pad = 0;
  if (kernel) {
    const d = spatialDefaults(kernel.length, node.attrs);
    attrs.strides = d.strides;
    if (usesExplicitPads(attrs)) attrs.pads = d.pads;
    if (node.attrs.dilations !== undefined) attrs.dilations = d.dilations;
  }
  return { ...node, attrs };
}

/** ONNX forbids pads next to auto_pad SAME_UPPER/SAME_LOWER/VALID, so pads are filled in only for NOTSET. */
function usesExplicitPads(attrs: Readonly<Attrs>): boolean {
  return attrs.auto_pad === 'NOTSET' || attrs.auto_pad === '';
}

function spatialDefaults(k: number, attrs: Readonly<Attrs>): { strides: number[]; pads: number[]; dilations: number[] } {
  const list = (name: string, n: number, fill: number): number[] =>
    Array.isArray(attrs[name]) ? [...(attrs[name] as number[])] : new Array<number>(n).fill(fill);
  return { strides: list('strides', k, 1), pads: list('pads', 2 * k, 0), dilations: list('dilations', k, 1) };
}
