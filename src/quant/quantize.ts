/**
 * quantizeGraph: the canonical float graph + calibration statistics → QuantizedModel
 * (src/int8/types.ts). The model-level part lives here — the input mapping, the tensors' table,
 * the final float softmax, the bias-correction protocol —; each node's layer is built by its op
 * file (OpDef.quantize, dispatched through the registry) from the building blocks of
 * src/int8/quantize_layer.ts, which also documents the int8 scheme.
 */
import type { Graph, Node } from '../ir/graph.js';
import { attrInt } from '../ir/graph.js';
import type { PixelScale } from '../images/scale.js';
import type { CalibrationStats, Int8CalibrationRequest } from '../int8/calibration.js';
import { addWindowSums } from '../int8/calibration.js';
import { chooseActivationParams, inputQuantization, shapeOf, type InputMapping, type QuantizeContext } from '../int8/quantize_layer.js';
import type { QuantizedLayer, QuantizedModel, QuantParams } from '../int8/types.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';
import { runLayerInt8 } from './interpret_int8.js';

export { chooseActivationParams, inputQuantization, mseWeightScale, actClamps } from '../int8/quantize_layer.js';
export type { Int8CalibrationRequest } from '../int8/calibration.js';

export interface QuantizeOptions {
  /** The model's float input scaling, as images/scale.ts parses it ('x/127.5-1', 'x/255', …). */
  readonly inputScaling: string | PixelScale;
  /**
   * Bias correction (default true: 'empirical' when calibrationInt8 is given, else 'float'):
   * - 'float': subtract Σ (w_q·s_w − w)·E[x] with E[x] the float window means (DESIGN.md);
   * - 'empirical': layer by layer, run the int8 layers so far on the calibration inputs
   *   (`calibrationInt8`) and set the bias so that each channel's mean pre-activation output on
   *   the int8 path equals float's. Corrects upstream drift as well as this layer's weight rounding.
   * - false: none.
   */
  readonly biasCorrection?: boolean | 'float' | 'empirical';
  /** The calibration inputs as the int8 path sees them (int8 = pixel − 128, NCHW), same order as calibrated. */
  readonly calibrationInt8?: readonly Int8Array[];
  /** Per-channel weight scale: 'max' (default, max|w|/127) or 'mse' (see quantize_layer.ts). */
  readonly weightScale?: 'max' | 'mse';
  /** Model name (default: the graph's). */
  readonly name?: string;
}

/** Answers Int8CalibrationRequests in this thread, on all calibration inputs. */
export class Int8CalibrationTensors {
  private readonly current = new Map<string, Int8Array[]>();
  constructor(inputName: string, inputs: readonly Int8Array[]) {
    this.current.set(inputName, [...inputs]);
  }
  answer(req: Int8CalibrationRequest): Float64Array | undefined {
    if (req.kind === 'sums') {
      const sums = new Float64Array(req.geometry.taps);
      for (const x of this.tensor(req.tensor)) addWindowSums(x, req.geometry, sums);
      return sums;
    }
    if (req.kind === 'run') {
      const layer = req.layer;
      const inputs = layer.inputs.map((t) => this.tensor(t));
      this.current.set(layer.output, inputs[0].map((_, i) => runLayerInt8(layer, inputs.map((x) => x[i]))));
      return undefined;
    }
    this.current.delete(req.tensor);
    return undefined;
  }
  private tensor(name: string): Int8Array[] {
    const t = this.current.get(name);
    if (!t) throw new Error(`bias correction: int8 tensor '${name}' is not computed`);
    return t;
  }
}

export function quantizeGraph(g: Graph, stats: CalibrationStats, opts: QuantizeOptions): QuantizedModel {
  const steps = quantizeSteps(g, stats, opts);
  const inputs = opts.calibrationInt8;
  const tensors = inputs?.length ? new Int8CalibrationTensors(g.inputs[0], inputs) : undefined;
  let step = steps.next();
  while (!step.done) {
    if (!tensors) throw new Error('quantizeGraph: int8 request without calibration inputs');
    step = steps.next(tensors.answer(step.value));
  }
  return step.value;
}

/** The bias correction mode the options ask for. */
function biasCorrectionMode(opts: QuantizeOptions): QuantizeContext['biasCorrection'] {
  // Default: empirical when the int8 calibration inputs are at hand (measured better on
  // MobileNet 0.25/224, see src/quant/README.md), else float.
  const mode = opts.biasCorrection === undefined || opts.biasCorrection === true
    ? (opts.calibrationInt8?.length ? 'empirical' : 'float')
    : opts.biasCorrection;
  if (mode === 'empirical' && !opts.calibrationInt8?.length) throw new UserError('empirical bias correction needs the int8 calibration inputs');
  return mode === false ? 'none' : mode;
}

/**
 * The quantizer as a generator: yields what the empirical bias correction needs of the int8
 * calibration tensors (nothing in the other modes) and returns the model.
 */
export function* quantizeSteps(g: Graph, stats: CalibrationStats, opts: QuantizeOptions): Generator<Int8CalibrationRequest, QuantizedModel, Float64Array | undefined> {
  if (g.inputs.length !== 1 || g.outputs.length !== 1) {
    throw new UserError(`graph '${g.name}': int8 quantization needs one input and one output (has ${g.inputs.length} and ${g.outputs.length})`);
  }
  const biasCorrection = biasCorrectionMode(opts);
  const empirical = biasCorrection === 'empirical';
  const inputName = g.inputs[0];
  const inputShape = shapeOf(g, inputName);
  const inq = inputQuantization(opts.inputScaling);
  if ((inputShape.length !== 4 || inputShape[1] !== 3) && !inq.exact) {
    throw new UserError(`input '${inputName}': the pixel mapping needs an NCHW input with 3 channels`);
  }
  const tensors: Record<string, { shape: readonly number[]; q: QuantParams }> = { [inputName]: { shape: inputShape, q: inq.q } };
  const ctx = quantizeContext(g, stats, tensors, inputName, inq, { biasCorrection, weightScale: opts.weightScale ?? 'max', calibrationInputs: opts.calibrationInt8?.length ?? 0 });
  const lastReader = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((t) => t && lastReader.set(t, i)));

  const layers: QuantizedLayer[] = [];
  let output: QuantizedModel['output'] | undefined;
  for (const [index, node] of g.nodes.entries()) {
    if (node.op === 'softmax') {
      output = finalSoftmax(g, node, index, ctx);
      continue;
    }
    const def = getOp(node.op)?.quantize;
    if (!def) throw new UserError(`node '${node.name}': op '${node.op}' has no int8 implementation (run the float passes first)`);
    const layer = yield* def.layer(node, ctx);
    tensors[layer.output] = { shape: layer.outputShape, q: layer.outputQ };
    layers.push(layer);
    if (!empirical) continue;
    yield { kind: 'run', layer };
    for (const t of node.inputs) if (t && lastReader.get(t) === index && !g.constants.has(t)) yield { kind: 'drop', tensor: t };
  }

  if (!output) {
    const name = g.outputs[0];
    output = { name, shape: shapeOf(g, name), q: ctx.q(name), floatOutput: name };
  }
  return {
    name: opts.name ?? g.name,
    input: {
      name: inputName,
      shape: inputShape,
      q: inq.q,
      pixelOffset: 128,
      pixelMapping: 'int8 = uint8 pixel - 128',
      floatScaling: inq.spec,
      note: inputNote(inq, empirical),
    },
    output,
    layers,
    tensors,
  };
}

/** The QuantizeContext the op files build their layers with. */
function quantizeContext(
  g: Graph,
  stats: CalibrationStats,
  tensors: Record<string, { shape: readonly number[]; q: QuantParams }>,
  inputName: string,
  inq: InputMapping,
  mode: Pick<QuantizeContext, 'biasCorrection' | 'weightScale' | 'calibrationInputs'>,
): QuantizeContext {
  return {
    graph: g,
    stats,
    ...mode,
    q(name) {
      const t = tensors[name];
      if (!t) throw new UserError(`tensor '${name}' is read before any int8 layer writes it`);
      return t.q;
    },
    outputParams(name) {
      const r = stats.ranges.get(name);
      if (!r) throw new Error(`no calibration range for tensor '${name}'`);
      return chooseActivationParams(r);
    },
    inputMapping: (name) => (name === inputName ? inq : undefined),
  };
}

/** A softmax as the graph's last node is left to the host, in float on the dequantized logits. */
function finalSoftmax(g: Graph, node: Node, index: number, ctx: QuantizeContext): QuantizedModel['output'] {
  const x = node.inputs[0];
  const y = node.outputs[0];
  if (index !== g.nodes.length - 1 || y !== g.outputs[0]) {
    throw new UserError(`node '${node.name}': softmax is only supported as the graph's last node (it runs in float on the dequantized logits)`);
  }
  const shape = shapeOf(g, x);
  const axis = attrInt(node, 'axis', -1);
  return { name: x, shape, q: ctx.q(x), softmax: { axis: axis < 0 ? axis + shape.length : axis }, floatOutput: y };
}

function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

/** How exactly the int8 input represents the float input (QuantizedModel.input.note). */
function inputNote(inq: InputMapping, empirical: boolean): string {
  if (inq.exact) return `exact: real = ${fmt(inq.q.scale)} * (int8 - (${inq.q.zeroPoint})) equals ${inq.spec} of the pixel`;
  return `the float scaling ${inq.spec} would need zero point ${inq.residual.map((r) => fmt(inq.q.zeroPoint - r / inq.q.scale)).join('/')}; ` +
    `declared ${inq.q.zeroPoint}, and the difference (${inq.residual.map(fmt).join('/')} in real units) is ` +
    (empirical
      ? 'absorbed by empirical bias correction in the layers reading the input (measured on the calibration images)'
      : 'folded into the bias of the layers reading the input (exact away from the zero padding)');
}
