/**
 * The TF.js and ONNX files of the same model (same h5 weights) give the same network:
 * - the same canonical graph after runFloatPasses: op sequence, attributes and weight shapes;
 * - plain variants: bit-identical weights, and the same int8 model from quantizeFromImages;
 * - fused variants: TF folded BatchNormalization itself before writing the file, and it rounded
 *   var + ε to float32 where fold_batchnorm works in float64. The test reproduces TF's fused
 *   weights bit for bit from the plain variant with that one rounding, bounds the difference to
 *   ours, and measures what it does to the int8 model (int8 weights and zero points equal; scales,
 *   multipliers and biases off by that rounding, much more in the biases once the empirical bias
 *   correction, which runs the int8 model, amplifies flipped roundings).
 */
import { describe, expect, it } from 'vitest';
import { runFloatPasses } from '../../pipeline/index.js';
import type { Graph, Node } from '../ir/graph.js';
import { importOnnx } from '../onnx/import.js';
import type { QuantizedModel } from '../quant/index.js';
import { loadImageInputs, quantizeFromImages, runInt8 } from '../quant/index.js';
import { HAVE_SHARED, skipMessage } from '../util/shared.js';
import type { TfjsFixture } from './fixtures.js';
import { TFJS_FIXTURES } from './fixtures.js';
import { importTfjs } from './import.js';

skipMessage('TF.js against ONNX: canonical graph and int8 model');

/** What identifies the network: op, attributes and weight shapes of every node, in order. */
function structure(g: Graph): string[] {
  return g.nodes.map((n) => `${n.op} ${JSON.stringify(n.attrs, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} ${n.inputs.slice(1).map((i) => `[${g.values.get(i)?.shape}]`).join(' ')}`);
}

/** Distance in float32 steps (units in the last place) between two float32 values. */
function ulps(a: number, b: number): number {
  const i = new Int32Array(Float32Array.of(a, b).buffer);
  const ordered = (x: number): number => (x < 0 ? -(x & 0x7fffffff) : x);
  return Math.abs(ordered(i[0]) - ordered(i[1]));
}

interface WeightDiff {
  maxAbs: number;
  /** Largest distance in float32 steps among weights (input 1) and biases (input 2). */
  weightUlps: number;
  biasUlps: number;
  differing: number;
  total: number;
}

/** Differences between the constant inputs of corresponding nodes of two same-structured graphs. */
function weightDiff(g: Graph, ref: Graph): WeightDiff {
  const d: WeightDiff = { maxAbs: 0, weightUlps: 0, biasUlps: 0, differing: 0, total: 0 };
  g.nodes.forEach((n, i) => n.inputs.forEach((name, k) => {
    const a = g.constants.get(name);
    const b = ref.constants.get(ref.nodes[i].inputs[k]);
    if (!a && !b) return;
    if (!a || !b) throw new Error(`node ${i} input ${k}: a constant on one side only`);
    const x = a.data as Float32Array;
    const y = b.data as Float32Array;
    expect(x.length).toBe(y.length);
    for (let j = 0; j < x.length; j++) {
      const u = ulps(x[j], y[j]);
      d.total++;
      if (u === 0) continue;
      d.differing++;
      d.maxAbs = Math.max(d.maxAbs, Math.abs(x[j] - y[j]));
      if (k === 1) d.weightUlps = Math.max(d.weightUlps, u);
      else d.biasUlps = Math.max(d.biasUlps, u);
    }
  }));
  return d;
}

const onnxCanonical = new Map<string, Graph>();
function canonicalOnnx(fx: TfjsFixture): Graph {
  let g = onnxCanonical.get(fx.onnx);
  if (!g) onnxCanonical.set(fx.onnx, (g = runFloatPasses(importOnnx(fx.onnx))));
  return g;
}

/**
 * TF's fold (tfjs-converter fold_batch_norms on numpy float32 arrays): var + ε is a float32 sum,
 * a conv bias is first folded into the mean in float32, the rest is float64 rounded once.
 */
function tfFold(w: Float32Array, bias: Float32Array | undefined, bn: Float32Array[], eps: number): { w: Float32Array; b: Float32Array } {
  const [gamma, beta, mean, variance] = bn;
  const O = gamma.length;
  const row = w.length / O;
  const w2 = new Float32Array(w.length);
  const b2 = new Float32Array(O);
  for (let o = 0; o < O; o++) {
    const scale = (1 / Math.sqrt(Math.fround(variance[o] + eps))) * gamma[o];
    const m = Math.fround(mean[o] - (bias?.[o] ?? 0));
    for (let k = 0; k < row; k++) w2[o * row + k] = w[o * row + k] * scale;
    b2[o] = -m * scale + beta[o];
  }
  return { w: w2, b: b2 };
}

describe.skipIf(!HAVE_SHARED)('TF.js and ONNX files of the same model: the same canonical graph', () => {
  for (const fx of TFJS_FIXTURES) {
    it(`${fx.name}: same ops, attributes and weight shapes; weights ${fx.variant === 'plain' ? 'bit-identical' : 'within TF’s float32 folding'}`, () => {
      const g = runFloatPasses(importTfjs(fx.dir));
      const ref = canonicalOnnx(fx);
      expect(structure(g)).toEqual(structure(ref));
      expect(g.values.get(g.inputs[0])!.shape).toEqual(ref.values.get(ref.inputs[0])!.shape);
      const d = weightDiff(g, ref);
      console.log(`[tfjs] ${fx.name} vs ONNX canonical weights: max |Δ| ${d.maxAbs.toExponential(2)}, ${d.differing} of ${d.total} values differ, weights ≤ ${d.weightUlps} ulp, biases ≤ ${d.biasUlps} ulp`);
      if (fx.variant === 'plain') {
        expect(d.differing).toBe(0);
      } else {
        // TF rounded var + ε to float32: a weight moves by at most one float32 step; a folded bias
        // (β − μ·s, with cancellation) by a step of its larger terms.
        expect(d.weightUlps).toBeLessThanOrEqual(1);
        expect(d.maxAbs).toBeLessThan(1e-5);
      }
    });
  }

  for (const base of ['vww_96_mlcommons', 'mobilenet_v1_0.25_128_imagenet']) {
    it(`${base}: the fused weights are the plain ones folded with var + ε rounded to float32, bit for bit`, () => {
      const plain = importTfjs(TFJS_FIXTURES.find((f) => f.name === `${base}_plain`)!.dir);
      const fused = importTfjs(TFJS_FIXTURES.find((f) => f.name === `${base}_fused`)!.dir);
      const convs = (g: Graph): Node[] => g.nodes.filter((n) => n.op === 'Conv');
      const [pc, fc] = [convs(plain), convs(fused)];
      expect(pc.length).toBe(fc.length);
      let folded = 0;
      pc.forEach((conv, i) => {
        const bn = plain.nodes.find((n) => n.op === 'BatchNormalization' && n.inputs[0] === conv.outputs[0]);
        if (!bn) return;
        const data = (g: Graph, name: string | undefined): Float32Array | undefined => (name ? (g.constants.get(name)!.data as Float32Array) : undefined);
        const want = tfFold(data(plain, conv.inputs[1])!, data(plain, conv.inputs[2]), bn.inputs.slice(1).map((p) => data(plain, p)!), bn.attrs.epsilon as number);
        expect(data(fused, fc[i].inputs[1]), fc[i].name).toEqual(want.w);
        expect(data(fused, fc[i].inputs[2]), fc[i].name).toEqual(want.b);
        folded++;
      });
      expect(folded).toBe(27);
    });
  }
});

interface QuantDiff {
  int8Weights: number;
  zeroPoints: number;
  shifts: number;
  /** Largest relative difference of activation and weight scales, and of multipliers. */
  scaleRel: number;
  multiplierRel: number;
  biases: number;
  biasMax: number;
}

function quantDiff(a: QuantizedModel, b: QuantizedModel): QuantDiff {
  const d: QuantDiff = { int8Weights: 0, zeroPoints: 0, shifts: 0, scaleRel: 0, multiplierRel: 0, biases: 0, biasMax: 0 };
  const rel = (x: number, y: number): number => (x === y ? 0 : Math.abs(x / y - 1));
  expect(a.layers.map((l) => l.op)).toEqual(b.layers.map((l) => l.op));
  a.layers.forEach((la, i) => {
    const lb = b.layers[i];
    expect([la.actMin, la.actMax, la.weightShape, la.kernel, la.strides, la.pads]).toEqual([lb.actMin, lb.actMax, lb.weightShape, lb.kernel, lb.strides, lb.pads]);
    for (const q of ['inputQ', 'outputQ'] as const) {
      if (la[q].zeroPoint !== lb[q].zeroPoint) d.zeroPoints++;
      d.scaleRel = Math.max(d.scaleRel, rel(la[q].scale, lb[q].scale));
    }
    la.weights?.forEach((w, k) => { if (w !== lb.weights![k]) d.int8Weights++; });
    la.weightScales?.forEach((s, k) => { d.scaleRel = Math.max(d.scaleRel, rel(s, lb.weightScales![k])); });
    la.shift?.forEach((s, k) => { if (s !== lb.shift![k]) d.shifts++; });
    la.multiplier?.forEach((m, k) => { d.multiplierRel = Math.max(d.multiplierRel, rel(m, lb.multiplier![k])); });
    la.bias?.forEach((v, k) => {
      const diff = Math.abs(v - lb.bias![k]);
      if (diff) d.biases++;
      d.biasMax = Math.max(d.biasMax, diff);
    });
  });
  return d;
}

describe.skipIf(!HAVE_SHARED)('TF.js and ONNX files of the same model: the int8 model', () => {
  for (const fx of TFJS_FIXTURES) {
    it(`${fx.name}: quantized like the ONNX model on the same 8 calibration images`, async () => {
      const images = fx.images();
      const quantize = async (g: Graph, biasCorrection?: false): Promise<QuantizedModel> =>
        (await quantizeFromImages(g, images, { inputScaling: fx.scale, progress: 'none', threads: 1, ...(biasCorrection === false ? { biasCorrection } : {}) })).model;
      const g = runFloatPasses(importTfjs(fx.dir));
      const ref = canonicalOnnx(fx);
      const ours = await quantize(g);
      const theirs = await quantize(ref);
      const d = quantDiff(ours, theirs);
      expect(ours.input.q).toEqual(theirs.input.q);
      if (fx.variant === 'plain') {
        expect(d).toEqual({ int8Weights: 0, zeroPoints: 0, shifts: 0, scaleRel: 0, multiplierRel: 0, biases: 0, biasMax: 0 });
        console.log(`[tfjs] ${fx.name}: int8 model identical to the ONNX one (${ours.layers.length} layers)`);
        return;
      }
      // Fused: TF's float32 rounding moves max|w| and the calibrated ranges by ~1e-7 relative.
      expect(d.int8Weights).toBe(0);
      expect(d.zeroPoints).toBe(0);
      expect(d.shifts).toBe(0);
      expect(d.scaleRel).toBeLessThan(1e-6);
      expect(d.multiplierRel).toBeLessThan(1e-6);
      // Without the empirical bias correction the biases differ only by that rounding.
      const plainOurs = await quantize(g, false);
      const plainTheirs = await quantize(ref, false);
      const noCorrection = quantDiff(plainOurs, plainTheirs);
      expect(noCorrection.int8Weights).toBe(0);
      // The models' outputs on the calibration images, int8 against int8.
      let differing = 0;
      let maxStep = 0;
      let sameTop1 = 0;
      const argmax = (v: Int8Array): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
      const all = await loadImageInputs(images, [ours.input.shape[2], ours.input.shape[3]], fx.scale);
      for (const x of all) {
        const ya = runInt8(ours, x.int8).raw;
        const yb = runInt8(theirs, x.int8).raw;
        ya.forEach((v, k) => {
          if (v !== yb[k]) differing++;
          maxStep = Math.max(maxStep, Math.abs(v - yb[k]));
        });
        if (argmax(ya) === argmax(yb)) sameTop1++;
      }
      console.log(
        `[tfjs] ${fx.name} vs ONNX int8: int8 weights and zero points identical; scales ≤ ${d.scaleRel.toExponential(1)} relative, multipliers ≤ ${d.multiplierRel.toExponential(1)}; ` +
          `biases: ${d.biases} differ (≤ ${d.biasMax} int32 steps) with bias correction, ${noCorrection.biases} (≤ ${noCorrection.biasMax}) without; ` +
          `outputs on the ${all.length} calibration images: ${differing} of ${all.length * ours.output.shape[1]} logits differ (≤ ${maxStep} steps), top-1 same on ${sameTop1}/${all.length}`,
      );
    });
  }
});
