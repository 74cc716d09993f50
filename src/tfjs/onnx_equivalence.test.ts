/**
 * The TF.js and ONNX files of the same model (same h5 weights) give the same network:
 * - the same canonical graph after runFloatPasses: op sequence, attributes and weight shapes;
 * - plain variants: bit-identical weights, and the same int8 model from the pipeline (up to 'quantize');
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
import { loadImageInputs, runInt8 } from '../quant/index.js';
import { runPipeline } from '../../pipeline/index.js';
import { resolveModelSource } from '../model_source/model_source.js';
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

/** How one numeric field (by property name: 'weights', 'bias', 'scale', 'zeroPoint' …) differs over all layers. */
interface FieldDiff {
  differing: number;
  maxAbs: number;
  maxRel: number;
}

/** Fields that hold names (tensor and node names differ between the two files by design). */
const NAME_FIELDS = new Set(['name', 'origin', 'input', 'inputs', 'output', 'floatOutput']);

/**
 * Every numeric value of two QuantizedModels, walked side by side (the structure must be the
 * same), differences collected per property name. Generic on purpose: it compares whatever
 * the quantized-model contract holds (weights, bias, multiplier, shift, scales, zero points,
 * activation clamps, geometry) without listing it.
 */
function quantDiff(a: QuantizedModel, b: QuantizedModel): Map<string, FieldDiff> {
  const out = new Map<string, FieldDiff>();
  const note = (field: string, x: number, y: number): void => {
    const f = out.get(field) ?? { differing: 0, maxAbs: 0, maxRel: 0 };
    out.set(field, f);
    if (Object.is(x, y)) return;
    f.differing++;
    f.maxAbs = Math.max(f.maxAbs, Math.abs(x - y));
    f.maxRel = Math.max(f.maxRel, Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)));
  };
  const walk = (x: unknown, y: unknown, field: string, path: string): void => {
    if (NAME_FIELDS.has(field)) return;
    if (typeof x === 'number' && typeof y === 'number') return note(field, x, y);
    if (ArrayBuffer.isView(x) || Array.isArray(x)) {
      const xs = x as unknown as ArrayLike<unknown>;
      const ys = y as ArrayLike<unknown>;
      expect(ys?.length, path).toBe(xs.length);
      for (let i = 0; i < xs.length; i++) walk(xs[i], ys[i], field, `${path}[${i}]`);
      return;
    }
    if (typeof x === 'object' && x !== null) {
      expect(Object.keys(y as object).sort(), path).toEqual(Object.keys(x).sort());
      for (const [k, v] of Object.entries(x)) walk(v, (y as Record<string, unknown>)[k], k, `${path}.${k}`);
      return;
    }
    expect(y, path).toEqual(x);
  };
  walk(a.layers, b.layers, 'layers', 'layers');
  walk(a.input, b.input, 'input', 'input');
  walk(a.output, b.output, 'output', 'output');
  return out;
}

/** The fields with differences, for messages: 'bias 549 (≤ 39, 1.6e-1 rel.)'. */
function describeDiff(d: ReadonlyMap<string, FieldDiff>): string {
  const parts = [...d].filter(([, f]) => f.differing > 0).map(([k, f]) => `${k} ${f.differing} (≤ ${f.maxAbs >= 1 ? `${f.maxAbs}, ` : ''}${f.maxRel.toExponential(1)} rel.)`);
  return parts.length ? parts.join(', ') : 'none';
}

describe.skipIf(!HAVE_SHARED)('TF.js and ONNX files of the same model: the int8 model', () => {
  for (const fx of TFJS_FIXTURES) {
    it(`${fx.name}: quantized like the ONNX model on the same 8 calibration images`, async () => {
      const images = fx.images();
      // The pipeline up to 'quantize', as convert runs it, from each file.
      const quantize = async (model: string, biasCorrection?: false): Promise<QuantizedModel> =>
        (await runPipeline({ source: resolveModelSource(model, fx.scale), calibration: images, options: { progress: 'none', threads: 1, ...(biasCorrection === false ? { biasCorrection } : {}) } }, 'quantize')).quantize;
      const g = fx.dir;
      const ref = fx.onnx;
      const ours = await quantize(g);
      const theirs = await quantize(ref);
      const d = quantDiff(ours, theirs);
      const differing = (field: string): number => d.get(field)?.differing ?? 0;
      expect(d.get('weights')?.differing, 'int8 weights compared').toBe(0);
      if (fx.variant === 'plain') {
        expect(describeDiff(d)).toBe('none');
        console.log(`[tfjs] ${fx.name}: int8 model identical to the ONNX one (${ours.layers.length} layers, fields compared: ${[...d.keys()].join(', ')})`);
        return;
      }
      // Fused: TF's float32 rounding moves max|w| and the calibrated ranges by ~1e-7 relative;
      // nothing quantized to int8 moves, nor the geometry or the clamps.
      for (const [field, f] of d) {
        if (['scale', 'weightScales', 'multiplier', 'bias'].includes(field)) continue;
        expect(f.differing, `${field}: ${describeDiff(new Map([[field, f]]))}`).toBe(0);
      }
      expect(d.get('scale')?.maxRel ?? 0).toBeLessThan(1e-6);
      expect(d.get('weightScales')?.maxRel ?? 0).toBeLessThan(1e-6);
      expect(d.get('multiplier')?.maxRel ?? 0).toBeLessThan(1e-6);
      // Without the empirical bias correction the biases differ only by that rounding.
      const noCorrection = quantDiff(await quantize(g, false), await quantize(ref, false));
      expect(noCorrection.get('weights')?.differing).toBe(0);
      // The models' outputs on the calibration images, int8 against int8.
      let outputsDiffering = 0;
      let maxStep = 0;
      let sameTop1 = 0;
      const argmax = (v: Int8Array): number => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
      const all = await loadImageInputs(images, [ours.input.shape[2], ours.input.shape[3]], fx.scale);
      for (const x of all) {
        const ya = runInt8(ours, x.int8).raw;
        const yb = runInt8(theirs, x.int8).raw;
        ya.forEach((v, k) => {
          if (v !== yb[k]) outputsDiffering++;
          maxStep = Math.max(maxStep, Math.abs(v - yb[k]));
        });
        if (argmax(ya) === argmax(yb)) sameTop1++;
      }
      console.log(
        `[tfjs] ${fx.name} vs ONNX int8 (int8 weights: ${differing('weights')} differ): ${describeDiff(d)}; without bias correction: ${describeDiff(noCorrection)}; ` +
          `outputs on the ${all.length} calibration images: ${outputsDiffering} of ${all.length * ours.output.shape[1]} logits differ (≤ ${maxStep} steps), top-1 same on ${sameTop1}/${all.length}`,
      );
    });
  }
});
