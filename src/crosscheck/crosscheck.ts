/**
 * The independent int8 cross-check: our integer reference (runInt8) against onnxruntime running the
 * same quantized model as a QDQ graph (qdq_export.ts), input by input.
 *
 * onnxruntime runs with graph optimizations disabled: its fused int8 kernels (QLinearConv etc.,
 * chosen when QDQ pairs are fused) gave wrong results on this machine's CPU, while the plain
 * DequantizeLinear → float op → QuantizeLinear path is the ONNX semantics.
 *
 * Gaps are measured in output steps: |ours − ort| / scale of the dequantized outputs, which is the
 * difference of the raw int8 values.
 */
import * as ort from 'onnxruntime-node';
import { sizeOf } from '../ir/tensor.js';
import { runInt8 } from '../quant/interpret_int8.js';
import type { QuantizedLayer, QuantizedModel } from '../int8/types.js';
import { UserError } from '../util/errors.js';
import { int8ToQdqFeed, QDQ_RAW_OUTPUT, quantizedModelToQdqOnnx } from './qdq_export.js';
import { createOrtSession } from '../onnx/ort_session.js';

export interface CrossCheckResult {
  readonly images: number;
  /** Share of inputs whose top-1 (argmax of the int8 output, first index on ties) agrees. */
  readonly agreement: number;
  /**
   * Share of inputs whose sets of top-scoring classes intersect: a tie at the top of either int8
   * output counts as agreement when it contains the other side's top-1. At int8 resolution the
   * largest two logits are often equal (≈ 5–10 % of ImageNet images on the 1000-class models),
   * and then "first index wins" turns a coin flip into a disagreement.
   */
  readonly agreementUpToTies: number;
  /** Largest |ours − ort| over every output element of every input, in output steps. */
  readonly maxGapSteps: number;
  /** Mean |ours − ort| over every output element of every input, in output steps. */
  readonly meanGapSteps: number;
  /** Share of output elements that are equal. */
  readonly exactShare: number;
  /** The inputs whose (first-index) top-1 differs. */
  readonly disagreements: readonly Disagreement[];
}

export interface Disagreement {
  /** Position in the inputs. */
  readonly index: number;
  /** Top-1 class of runInt8 and of onnxruntime. */
  readonly ours: number;
  readonly ort: number;
  /** ours[ours] − ours[ort] and ort[ort] − ort[ours], in output steps (0 = a tie). */
  readonly oursMarginSteps: number;
  readonly ortMarginSteps: number;
  /** The two top-1 sets intersect (see agreementUpToTies). */
  readonly tie: boolean;
}

export interface CrossCheckOptions {
  /** Called after each input (for a progress display). */
  readonly onInput?: (done: number, total: number) => void;
  /**
   * runInt8(model, inputs[i]).raw when the caller already has it (e.g. `eval`, which runs the
   * integer reference anyway); computed here otherwise.
   */
  readonly reference?: readonly Int8Array[];
}

export function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

/** Every index holding the maximum. */
function topSet(a: ArrayLike<number>): Set<number> {
  const m = a[argmax(a)];
  const s = new Set<number>();
  for (let i = 0; i < a.length; i++) if (a[i] === m) s.add(i);
  return s;
}

/** A session on QDQ bytes with graph optimizations disabled (see the file comment). */
export async function createQdqSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return createOrtSession(bytes, 'the QDQ model');
}

/** Runs a QDQ session on one int8 input; returns the requested int8 outputs by QDQ output name. */
export async function runQdq(
  session: ort.InferenceSession,
  m: QuantizedModel,
  input: Int8Array,
  outputs: readonly string[] = [QDQ_RAW_OUTPUT],
): Promise<Map<string, Int8Array>> {
  const feed = new ort.Tensor('float32', int8ToQdqFeed(input, m.input.q), [...m.input.shape]);
  const res = await session.run({ [m.input.name]: feed }, [...outputs]);
  const out = new Map<string, Int8Array>();
  for (const name of outputs) {
    const t = res[name];
    if (t.type !== 'int8') throw new Error(`qdq output '${name}' is ${t.type}, expected int8`);
    out.set(name, Int8Array.from(t.data as Int8Array));
  }
  return out;
}

function checkInput(m: QuantizedModel, x: Int8Array, i: number): void {
  const n = sizeOf(m.input.shape);
  if (x.length !== n) throw new UserError(`cross-check input ${i}: ${x.length} values, model '${m.name}' expects ${n} ([${m.input.shape}])`);
}

/** Compares runInt8 with onnxruntime on the QDQ export of `model`, one input after another. */
export async function crossCheckWithOrt(model: QuantizedModel, inputs: readonly Int8Array[], opts: CrossCheckOptions = {}): Promise<CrossCheckResult> {
  inputs.forEach((x, i) => checkInput(model, x, i));
  if (opts.reference && opts.reference.length !== inputs.length) throw new Error(`cross-check: ${opts.reference.length} reference outputs for ${inputs.length} inputs`);
  const session = await createQdqSession(quantizedModelToQdqOnnx(model));
  let agree = 0, agreeTies = 0, maxGap = 0, gapSum = 0, exact = 0, elements = 0;
  const disagreements: Disagreement[] = [];
  try {
    for (let i = 0; i < inputs.length; i++) {
      const ours = opts.reference?.[i] ?? runInt8(model, inputs[i]).raw;
      const theirs = (await runQdq(session, model, inputs[i])).get(QDQ_RAW_OUTPUT)!;
      if (theirs.length !== ours.length) throw new Error(`cross-check: onnxruntime gave ${theirs.length} outputs, runInt8 ${ours.length}`);
      for (let k = 0; k < ours.length; k++) {
        const gap = Math.abs(ours[k] - theirs[k]);
        if (gap > maxGap) maxGap = gap;
        gapSum += gap;
        if (gap === 0) exact++;
      }
      elements += ours.length;
      const a = argmax(ours), b = argmax(theirs);
      const theirTop = topSet(theirs);
      const tied = [...topSet(ours)].some((k) => theirTop.has(k));
      if (a === b) agree++;
      else disagreements.push({ index: i, ours: a, ort: b, oursMarginSteps: ours[a] - ours[b], ortMarginSteps: theirs[b] - theirs[a], tie: tied });
      if (tied) agreeTies++;
      opts.onInput?.(i + 1, inputs.length);
    }
  } finally {
    await session.release();
  }
  return {
    images: inputs.length,
    agreement: inputs.length ? agree / inputs.length : 0,
    agreementUpToTies: inputs.length ? agreeTies / inputs.length : 0,
    maxGapSteps: maxGap,
    meanGapSteps: elements ? gapSum / elements : 0,
    exactShare: elements ? exact / elements : 1,
    disagreements,
  };
}

/** One line for a terminal: agreement, gaps and the disagreeing inputs (named by `names` when given). */
export function describeCrossCheck(res: CrossCheckResult, names?: readonly string[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const dis = res.disagreements.map((d) => `${names?.[d.index] ?? `#${d.index}`} (${d.ours} vs ${d.ort}, margins ${d.oursMarginSteps}/${d.ortMarginSteps}${d.tie ? ', tie' : ''})`);
  return (
    `onnxruntime QDQ cross-check on ${res.images} inputs: top-1 agreement ${pct(res.agreement)} (${pct(res.agreementUpToTies)} counting ties),` +
    ` output gap max ${res.maxGapSteps} steps, mean ${res.meanGapSteps.toFixed(3)} steps, ${pct(res.exactShare)} equal` +
    (dis.length ? `; disagreeing: ${dis.join(', ')}` : '')
  );
}

/** A model of one single-input layer of `m`, reading that layer's input as the model input. */
export function singleLayerModel(m: QuantizedModel, layer: QuantizedLayer): QuantizedModel {
  if (layer.inputs.length !== 1) throw new Error(`singleLayerModel: layer '${layer.name}' reads ${layer.inputs.length} tensors`);
  const [input] = layer.inputs;
  return {
    name: `${m.name}/${layer.name}`,
    input: { ...m.input, name: input, shape: layer.inputShapes[0], q: layer.inputQ[0] },
    output: { name: layer.output, shape: layer.outputShape, q: layer.outputQ, floatOutput: `${layer.output}.float` },
    layers: [layer],
    tensors: {
      [input]: { shape: layer.inputShapes[0], q: layer.inputQ[0] },
      [layer.output]: { shape: layer.outputShape, q: layer.outputQ },
    },
  };
}

export interface LayerGap {
  readonly layer: string;
  readonly op: QuantizedLayer['op'];
  /** Largest |ours − ort| in output steps over the layer's outputs. */
  readonly maxGapSteps: number;
  /** Share of output elements that differ. */
  readonly differingShare: number;
}

/**
 * Each layer alone: ORT runs the layer's QDQ form on exactly the int8 input our reference gave that
 * layer (from runInt8 with keep: 'all'), so gaps do not accumulate across layers. Every layer
 * should agree within one step (only rounding-rule differences remain).
 */
export async function layerGapsWithOrt(model: QuantizedModel, input: Int8Array): Promise<LayerGap[]> {
  checkInput(model, input, 0);
  const tensors = runInt8(model, input, { keep: 'all' }).tensors!;
  const gaps: LayerGap[] = [];
  // Layers reading several tensors (not in MobileNet v1) are checked end to end only.
  for (const l of model.layers.filter((x) => x.inputs.length === 1)) {
    const sub = singleLayerModel(model, l);
    const session = await createQdqSession(quantizedModelToQdqOnnx(sub));
    try {
      const theirs = (await runQdq(session, sub, tensors.get(l.inputs[0])!)).get(QDQ_RAW_OUTPUT)!;
      const ours = tensors.get(l.output)!;
      let max = 0, differing = 0;
      for (let k = 0; k < ours.length; k++) {
        const g = Math.abs(ours[k] - theirs[k]);
        if (g > max) max = g;
        if (g) differing++;
      }
      gaps.push({ layer: l.name, op: l.op, maxGapSteps: max, differingShare: differing / ours.length });
    } finally {
      await session.release();
    }
  }
  return gaps;
}

