/**
 * The quantizer on the real MobileNet v1 models of ../shared: dead channels, the integer reference
 * against the naive BigInt reference, the onnxruntime float engine against the TypeScript
 * interpreter, and an accuracy smoke test. Kept small (a few images) — `eval` measures the rest.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../pipeline/index.js';
import { resolveModelSource } from '../model_source/model_source.js';
import { readImageCsv } from '../images/list.js';
import { runFloat } from '../graph/interpret.js';
import { HAVE_SHARED, sharedPath, skipMessage } from '../util/shared.js';
import { calibrate, calibrateAsync } from './calibrate.js';
import { evaluate, type ImageInput } from './index.js';
import { weightedLayer } from '../int8/types.js';
import type { CalibrationStats } from './calibrate.js';
import type { QuantizedModel } from '../int8/types.js';
import { runInt8 } from './interpret_int8.js';
import { createOrtEngine } from './ort_engine.js';
import { naiveLayerInt8 } from './testing.js';
import type { Graph } from '../ir/graph.js';

skipMessage('quantization of the real models');

describe.skipIf(!HAVE_SHARED)('int8 on mobilenet_v1_0.25_128_imagenet', () => {
  let g: Graph;
  let calib: ImageInput[];
  let model: QuantizedModel;
  let stats: CalibrationStats;
  beforeAll(async () => {
    const calibPaths = readImageCsv(sharedPath('images', 'imagenet-val128', 'labels.csv')).map((r) => r.path).slice(0, 8);
    const source = resolveModelSource(sharedPath('models', 'mobilenet_v1_0.25_128_imagenet.onnx'));
    const r = await runPipeline({ source, calibration: calibPaths, options: { progress: 'none' } }, 'quantize');
    ({ passes: g, quantize: model } = r);
    ({ stats, images: calib } = { ...r.calibrate, images: [...r.calibrate.images] });
  });

  it('handles the dead channels of conv_pw_2 (7, 10) and conv_pw_3 (19): bias fits, weights 0, output = relu6(bias)', () => {
    for (const [name, channels] of [['conv_pw_2', [7, 10]], ['conv_pw_3', [19]]] as const) {
      const layer = weightedLayer(model.layers.find((l) => l.name === name)!);
      const wFloat = g.constants.get(g.nodes.find((n) => n.name === name)!.inputs[1])!.data as Float32Array;
      const bFloat = g.constants.get(g.nodes.find((n) => n.name === name)!.inputs[2])!.data as Float32Array;
      const per = layer.weightShape[1];
      const res = runInt8(model, calib[0].int8, { keep: 'all' });
      const y = res.tensors!.get(layer.output)!;
      const plane = layer.outputShape[2] * layer.outputShape[3];
      for (const c of channels) {
        const maxAbs = Math.max(...Array.from(wFloat.subarray(c * per, (c + 1) * per), Math.abs));
        expect(maxAbs).toBeLessThan(1e-10); // really dead
        // At s_w = max|w|/127 the bias would not fit int32 …
        expect(Math.abs(bFloat[c]) / (layer.inputQ[0].scale * (maxAbs / 127))).toBeGreaterThan(2 ** 31);
        // … so the scale was enlarged: the bias fits with headroom and the weights are 0
        expect(Math.abs(layer.bias[c])).toBeLessThanOrEqual(2 ** 30);
        expect(Array.from(layer.weights.subarray(c * per, (c + 1) * per)).every((v) => v === 0)).toBe(true);
        const want = Math.min(6, Math.max(0, bFloat[c]));
        for (let p = 0; p < plane; p++) {
          const got = layer.outputQ.scale * (y[c * plane + p] - layer.outputQ.zeroPoint);
          expect(Math.abs(got - want)).toBeLessThanOrEqual(layer.outputQ.scale / 2 + 1e-7);
        }
      }
    }
  });

  it('equals the naive BigInt reference byte for byte on real activations (cheap layers)', () => {
    const res = runInt8(model, calib[1].int8, { keep: 'all' });
    const picks = ['conv1', 'conv_dw_1', 'conv_dw_2', 'conv_pw_2', 'conv_dw_12', 'global_average_pooling2d_2', 'conv_preds'];
    for (const name of picks) {
      const l = model.layers.find((x) => x.name === name)!;
      expect(Array.from(res.tensors!.get(l.output)!), name).toEqual(Array.from(naiveLayerInt8(l, res.tensors!.get(l.inputs[0])!)));
    }
  });

  it('the onnxruntime float engine gives the TypeScript interpreter\'s calibration', async () => {
    const ts = calibrate(g, calib.slice(0, 2).map((c) => c.float), { progress: 'none' });
    const engine = await createOrtEngine(g);
    try {
      const ort = await engine.run(calib[0].float);
      expect(ort.size).toBe(g.nodes.length + 1);
    } finally {
      await engine.release();
    }
    const ortStats = await calibrateAsync(g, calib.slice(0, 2).map((c) => c.float), { progress: 'none' });
    for (const [name, r] of ts.ranges) {
      const o = ortStats.ranges.get(name)!;
      expect(Math.abs(o.min - r.min), name).toBeLessThan(1e-4);
      expect(Math.abs(o.max - r.max), name).toBeLessThan(1e-4);
    }
    for (const [name, m] of ts.windowMeans) {
      const o = ortStats.windowMeans.get(name)!;
      for (let i = 0; i < m.length; i++) expect(Math.abs(o[i] - m[i])).toBeLessThan(1e-4);
    }
    expect(stats.count).toBe(8);
  });

  it('keeps float\'s top-1 on most sample images (smoke test; `eval` measures the full set)', async () => {
    const rows = readImageCsv(sharedPath('images', 'imagenet-samples', 'labels.csv')).filter((_, i) => i % 50 === 0);
    const res = await evaluate(g, model, rows.map((r) => ({ path: r.path, label: Number(r.fields.index) })), { inputScaling: 'x/127.5-1', progress: 'none' });
    expect(res.images).toBe(20);
    expect(res.agreement).toBeGreaterThanOrEqual(0.75);
    expect(res.outputSqnr).toBeGreaterThan(15);
  });

  for (const method of ['percentile', 'entropy', 'mse'] as const) {
    it(`the ${method} observer does not collapse the model on real activations`, async () => {
      const m = (await runPipeline({ source: resolveModelSource(sharedPath('models', 'mobilenet_v1_0.25_128_imagenet.onnx')), calibration: calib.map((c) => c.path), options: { method, progress: 'none' } }, 'quantize')).quantize;
      const rows = readImageCsv(sharedPath('images', 'imagenet-samples', 'labels.csv')).filter((_, i) => i % 50 === 25);
      const res = await evaluate(g, m, rows.map((r) => ({ path: r.path, label: Number(r.fields.index) })), { inputScaling: 'x/127.5-1', progress: 'none' });
      // a collapsed observer (e.g. textbook KL on these models) lands near chance: agreement ≈ 0
      expect(res.agreement).toBeGreaterThanOrEqual(0.75);
      expect(res.outputSqnr).toBeGreaterThan(15);
    });
  }

});

describe.skipIf(!HAVE_SHARED)('int8 on vww_96_mlcommons (x/255 input, plain Relu, pooled Gemm head)', () => {
  it('matches float\'s decision on the 8 vww images with |Δp(person)| ≤ 0.1, calibrated on them', async () => {
    const rows = readImageCsv(sharedPath('images', 'vww', 'labels.csv'));
    const source = resolveModelSource(sharedPath('models', 'vww_96_mlcommons.onnx'));
    expect(source.scale).toBe('x/255');
    const r = await runPipeline({ source, calibration: rows.map((x) => x.path), options: { progress: 'none' } }, 'quantize');
    const { passes: g, quantize: model } = r;
    const imgs = r.calibrate.images;
    expect(model.input.q).toEqual({ scale: 1 / 255, zeroPoint: -128 });
    let same = 0;
    for (const im of imgs) {
      const f = runFloat(g, { [g.inputs[0]]: im.float }).get(g.outputs[0])!.data as Float32Array;
      const q = runInt8(model, im.int8).output;
      expect(Math.abs(q[1] - f[1])).toBeLessThanOrEqual(0.1);
      if ((f[1] > 0.5) === (q[1] > 0.5)) same++;
    }
    expect(same).toBeGreaterThanOrEqual(7);
  });
});
