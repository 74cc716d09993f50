/**
 * Test helpers for src/emit: a QuantizedModel built by hand (seeded) that exercises every kernel
 * variant the emitter chooses, and a temp-folder writer. Used only by *.test.ts files.
 */
import { quantizeMultiplier } from '../int8/arith.js';
import type { QuantizedLayer, QuantizedModel, QuantParams } from '../int8/types.js';
import { mulberry32 as rng } from '../util/random.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lowerModel, type LowerOptions, type LoweredModel } from '../lower/lower.js';
import { planMemory, type PlanMemoryOptions, type RunnerPlan } from '../memory/plan_memory.js';
import { emitArtifacts, type Artifacts, type EmitOptions } from './emit.js';


const outSize = (n: number, k: number, s: number, d: number, p0: number, p1: number) => Math.floor((n + p0 + p1 - d * (k - 1) - 1) / s) + 1;

/**
 * input [1,3,S,S] → conv 3×3/2 SAME (im2col fast path) → depthwise 3×3/1 pad 1 (fast path, in place)
 * → conv 1×1 (pointwise fast path) → depthwise 3×3/2 pads [0,0,1,1] (fast path, strided)
 * → depthwise 5×5 multiplier 2 dilation 1 pad 2 (general) → conv 3×3 dilation 2 (general: one channel
 * shifts left)
 * → average_pool 3×3/2 pad 1 count_include_pad 0 → fully_connected on the 4-D pool output
 * (weights permuted to NHWC by the emitter) → logits [1, classes].
 */
export function handMadeModel(seed: number, size = 17, classes = 5): QuantizedModel {
  const r = rng(seed);
  const ri = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const q = (): QuantParams => ({ scale: 0.01 + 0.05 * r(), zeroPoint: ri(-128, -60) });
  const layers: QuantizedLayer[] = [];
  const tensors: Record<string, { shape: number[]; q: QuantParams }> = {};
  let shape = [1, 3, size, size];
  let name = 'input';
  let qIn: QuantParams = { scale: 1 / 127.5, zeroPoint: 0 };
  tensors[name] = { shape, q: qIn };
  const inputQ = qIn;

  // leftShift: one channel's effective multiplier above 1 (a positive shift), which keeps the layer
  // off the fast kernels: the general ones stay covered.
  const addConv = (op: 'conv2d' | 'depthwise_conv2d', outC: number, k: number, s: number, d: number, pads: number[], mult = 1, leftShift = false) => {
    const [, C, H, W] = shape;
    const oh = outSize(H, k, s, d, pads[0], pads[2]);
    const ow = outSize(W, k, s, d, pads[1], pads[3]);
    const perOut = op === 'conv2d' ? C * k * k : k * k;
    const weightShape = op === 'conv2d' ? [outC, C, k, k] : [outC, 1, k, k];
    const weights = Int8Array.from({ length: outC * perOut }, () => ri(-127, 127));
    const qOut = q();
    const multiplier = new Int32Array(outC);
    const shift = new Int32Array(outC);
    const weightScales = new Float64Array(outC);
    for (let o = 0; o < outC; o++) {
      weightScales[o] = 0.002 + 0.01 * r();
      const m = quantizeMultiplier(leftShift && o === 1 ? 1.25 : (qIn.scale * weightScales[o]) / qOut.scale);
      multiplier[o] = m.multiplier;
      shift[o] = m.shift;
    }
    const out = `${name}_${op === 'conv2d' ? 'c' : 'd'}${layers.length}`;
    const outShape = [1, outC, oh, ow];
    layers.push({
      name: `layer_${layers.length}.${op}`, op, origin: [`Node${layers.length}`, `Node${layers.length}_bn`, `Node${layers.length}_relu`],
      inputs: [name], output: out, inputShapes: [shape], outputShape: outShape, inputQ: [qIn], outputQ: qOut,
      actMin: qOut.zeroPoint, actMax: ri(90, 127),
      weights, weightShape, weightScales, bias: Int32Array.from({ length: outC }, () => ri(-3000, 3000)), multiplier, shift,
      kernel: [k, k], strides: [s, s], pads, dilations: [d, d], ...(op === 'depthwise_conv2d' ? { depthMultiplier: mult } : {}),
    } as QuantizedLayer);
    tensors[out] = { shape: outShape, q: qOut };
    shape = outShape;
    name = out;
    qIn = qOut;
  };
  addConv('conv2d', 8, 3, 2, 1, [0, 0, 1, 1]);
  addConv('depthwise_conv2d', 8, 3, 1, 1, [1, 1, 1, 1]);
  addConv('conv2d', 12, 1, 1, 1, [0, 0, 0, 0]);
  addConv('depthwise_conv2d', 12, 3, 2, 1, [0, 0, 1, 1]);
  addConv('depthwise_conv2d', 24, 5, 1, 1, [2, 2, 2, 2], 2);
  addConv('conv2d', 6, 3, 1, 2, [2, 2, 2, 2], 1, true);
  {
    const [, C, H, W] = shape;
    const outShape = [1, C, outSize(H, 3, 2, 1, 1, 1), outSize(W, 3, 2, 1, 1, 1)];
    const out = 'pooled';
    layers.push({
      name: 'pool', op: 'average_pool', origin: ['AveragePool_7'], inputs: [name], output: out, inputShapes: [shape], outputShape: outShape,
      inputQ: [qIn], outputQ: qIn, actMin: -128, actMax: 127, kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: 0,
    });
    tensors[out] = { shape: outShape, q: qIn };
    shape = outShape;
    name = out;
  }
  {
    const K = shape[1] * shape[2] * shape[3];
    const qOut = q();
    const mult = new Int32Array(classes);
    const shift = new Int32Array(classes);
    const weightScales = new Float64Array(classes);
    for (let o = 0; o < classes; o++) {
      weightScales[o] = 0.001 + 0.004 * r();
      const m = quantizeMultiplier((qIn.scale * weightScales[o]) / qOut.scale);
      mult[o] = m.multiplier;
      shift[o] = m.shift;
    }
    layers.push({
      name: 'classifier', op: 'fully_connected', origin: ['Flatten_8', 'Gemm_9'], inputs: [name], output: 'logits', inputShapes: [shape], outputShape: [1, classes],
      inputQ: [qIn], outputQ: qOut, actMin: -128, actMax: 127, weights: Int8Array.from({ length: classes * K }, () => ri(-127, 127)), weightShape: [classes, K],
      weightScales, bias: Int32Array.from({ length: classes }, () => ri(-2000, 2000)), multiplier: mult, shift,
    });
    tensors.logits = { shape: [1, classes], q: qOut };
  }
  return {
    name: 'hand_made',
    input: { name: 'input', shape: [1, 3, size, size], q: inputQ, pixelOffset: 128, pixelMapping: 'int8 = uint8 pixel - 128', floatScaling: 'x/127.5-1', note: 'test model' },
    output: { name: 'logits', shape: [1, classes], q: tensors.logits.q, softmax: { axis: 1 }, floatOutput: 'probs' },
    layers,
    tensors,
  };
}

/** lower → plan → emit, for tests that start from a QuantizedModel. */
export function emitModel(model: QuantizedModel, opts: LowerOptions & PlanMemoryOptions & EmitOptions = {}): Artifacts & { lowered: LoweredModel; runner: RunnerPlan } {
  const lowered = lowerModel(model, opts);
  const runner = planMemory(lowered, opts);
  return { ...emitArtifacts(lowered, runner, opts), lowered, runner };
}

/** Writes emitted files into `dir` (tests; the CLI writes atomically). */
export function writeFiles(dir: string, files: ReadonlyMap<string, Buffer>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of files) writeFileSync(join(dir, name), data);
}
