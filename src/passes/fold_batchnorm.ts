/**
 * fold_batchnorm: BatchNormalization after a conv2d, depthwise_conv2d or fully_connected (that no
 * one else reads, with no activation fused yet) folds into it, per output channel o:
 *   s[o] = γ[o] / √(σ²[o] + ε),  w'[o, …] = w[o, …] · s[o],  b'[o] = (b[o] − μ[o]) · s[o] + β[o]
 * (float64 math, float32 storage). Every canonical weight has the output channel as dim 0 — OIHW,
 * depthwise (C·mult, 1, kh, kw) and fully-connected (O, K) — so one rule covers all three. The
 * folded weights get new constants '<node>.weight_folded' / '<node>.bias_folded'; the originals
 * are left untouched (and dropped when unused).
 * A BatchNormalization with nothing to fold into becomes channel_affine(x, s, β − μ·s).
 * Runs after lower_conv and lower_fully_connected, so this one rule serves ONNX Conv (with or
 * without bias: canonical convs always carry one), Gemm and MatMul alike.
 */
import type { Node } from '../ir/graph.js';
import { attrFloat, attrInt } from '../ir/graph.js';
import { floatData, floatTensor, shapeToString, sizeOf } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { UserError } from '../util/errors.js';

/** Ops whose weight rows (dim 0 = output channel) and bias can absorb a per-channel scale and shift. */
export const FOLDS_INTO = new Set(['conv2d', 'depthwise_conv2d', 'fully_connected']);

export const foldBatchnorm: Pass = {
  name: 'fold_batchnorm',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((bn, i) => {
      if (!bn || bn.op !== 'BatchNormalization') return;
      const { scale, shift } = bnAffine(ed, bn);
      const x = bn.inputs[0];
      const p = ed.producerIndex(x);
      const prod = p >= 0 ? ed.nodes[p]! : undefined;
      if (prod && canFoldInto(ed, prod, x)) {
        ed.replace(p, foldScaleShift(ed, prod, scale, shift, bn));
        ed.remove(i);
      } else {
        const s = ed.addConstant(`${bn.name}.scale`, floatTensor([scale.length], Float32Array.from(scale)));
        const b = ed.addConstant(`${bn.name}.shift`, floatTensor([shift.length], Float32Array.from(shift)));
        ed.replace(i, {
          name: bn.name,
          op: 'channel_affine',
          inputs: [x, s, b],
          outputs: [bn.outputs[0]],
          attrs: { act_min: -Infinity, act_max: Infinity },
          origin: originOf(bn),
        });
      }
    });
    return ed.finish();
  },
};

/** y = x·scale + shift per channel, in float64, from γ, β, μ, σ², ε. */
function bnAffine(ed: GraphEditor, bn: Node): { scale: Float64Array; shift: Float64Array } {
  const where = `node '${bn.name}' (BatchNormalization)`;
  if (attrInt(bn, 'training_mode', 0) !== 0 || bn.outputs.slice(1).some((o) => o !== '' && ed.useCount(o) > 0)) {
    throw new UserError(`${where}: training mode (running mean/variance outputs) is not supported`);
  }
  const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((k) => {
    const t = ed.constant(bn.inputs[k]);
    if (!t) throw new UserError(`${where}: parameter '${bn.inputs[k]}' is not a constant`);
    return floatData(t, `${where} parameter '${bn.inputs[k]}'`);
  });
  const eps = attrFloat(bn, 'epsilon', 1e-5);
  const C = gamma.length;
  const scale = new Float64Array(C);
  const shift = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    scale[c] = gamma[c] / Math.sqrt(variance[c] + eps);
    shift[c] = beta[c] - mean[c] * scale[c];
  }
  return { scale, shift };
}

function hasActivation(n: Node): boolean {
  return (n.attrs.act_min ?? -Infinity) !== -Infinity || (n.attrs.act_max ?? Infinity) !== Infinity;
}

/** `prod` writes `x` for nobody else, has no activation yet, and its weights can take a per-channel factor. */
export function canFoldInto(ed: GraphEditor, prod: Node, x: string): boolean {
  return FOLDS_INTO.has(prod.op) && ed.useCount(x) === 1 && !hasActivation(prod) && ed.constant(prod.inputs[1]) !== undefined && ed.constant(prod.inputs[2]) !== undefined;
}

/**
 * `prod` followed by y = x·scale[o] + shift[o] (the node `after`) as one node: weight rows scaled,
 * bias b·s + shift, new constants '<prod>.weight_folded' / '<prod>.bias_folded', output and
 * origin taken over from `after`.
 */
export function foldScaleShift(ed: GraphEditor, prod: Node, scale: ArrayLike<number>, shift: ArrayLike<number>, after: Node): Node {
  const w = ed.constant(prod.inputs[1])!;
  const b = ed.constant(prod.inputs[2])!;
  const O = w.shape[0];
  if (O !== scale.length) {
    throw new UserError(`node '${after.name}' (${after.op}): ${scale.length} channels, its input '${after.inputs[0]}' has ${O} (weight ${shapeToString(w.shape)})`);
  }
  const wd = floatData(w, 'weight');
  const bd = floatData(b, 'bias');
  const row = sizeOf(w.shape) / O;
  const w2 = new Float32Array(wd.length);
  const b2 = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    for (let k = 0; k < row; k++) w2[o * row + k] = wd[o * row + k] * scale[o];
    // (b − μ)·s + β = b·s + (β − μ·s)
    b2[o] = bd[o] * scale[o] + shift[o];
  }
  const wName = ed.addConstant(`${prod.name}.weight_folded`, floatTensor(w.shape, w2));
  const bName = ed.addConstant(`${prod.name}.bias_folded`, floatTensor([O], b2));
  return { ...prod, inputs: [prod.inputs[0], wName, bName], outputs: [after.outputs[0]], origin: [...originOf(prod), ...originOf(after)] };
}
