import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { runFloat } from '../graph/interpret.js';
import { floatTensor } from '../ir/tensor.js';
import { calibrate, calibrateAsync } from './calibrate.js';
import { createOrtEngine } from './ort_engine.js';
import { pixelsToInt8Nchw, runInt8 } from './interpret_int8.js';
import { floatToInt8Input } from './index.js';
import { chooseActivationParams, inputQuantization, mseWeightScale, quantizeGraph } from './quantize.js';
import { hasWeights, weightedLayer } from '../int8/types.js';
import { naiveLayerInt8, pixelsToFloat, randomPixels, rng, tinyMobileNet, tinyPoolAffine } from './testing.js';

const SIZE = 16;
const images = Array.from({ length: 12 }, (_, i) => randomPixels(100 + i, SIZE));
const floatInputs = images.map((px) => pixelsToFloat(px, SIZE, 127.5, 127.5));

describe('activation and input parameters', () => {
  it('widens ranges to include 0 and makes the zero point an integer', () => {
    expect(chooseActivationParams({ min: 0, max: 6 })).toEqual({ scale: 6 / 255, zeroPoint: -128 });
    const w = chooseActivationParams({ min: 1, max: 2.55 }); // widened to [0, 2.55]
    expect(w.scale).toBeCloseTo(0.01, 15);
    expect(w.zeroPoint).toBe(-128);
    const p = chooseActivationParams({ min: -1, max: 3 }); // scale 4/255, zp = round(−128 + 63.75) = −64
    expect(p.scale).toBeCloseTo(4 / 255, 12);
    expect(p.zeroPoint).toBe(-64);
    expect(chooseActivationParams({ min: -2, max: -1 })).toEqual({ scale: 2 / 255, zeroPoint: 127 });
  });
  it('recovers the firmware int8 input from a float input made from pixels', () => {
    for (const [spec, mean, std] of [['x/127.5-1', 127.5, 127.5], ['x/255', 0, 255]] as const) {
      for (const px of images.slice(0, 3)) {
        expect(Array.from(floatToInt8Input(pixelsToFloat(px, SIZE, mean, std), spec))).toEqual(Array.from(pixelsToInt8Nchw(px, SIZE, SIZE)));
      }
    }
  });
  it('maps x/255 exactly and x/127.5-1 with a half-step residual', () => {
    const a = inputQuantization('x/255');
    expect(a.q).toEqual({ scale: 1 / 255, zeroPoint: -128 });
    expect(a.exact).toBe(true);
    // pixel 255 → int8 127 → real (127 + 128)/255 = 1
    expect(a.q.scale * (127 - a.q.zeroPoint)).toBe(1);
    const b = inputQuantization('x/127.5-1');
    expect(b.q).toEqual({ scale: 1 / 127.5, zeroPoint: 0 });
    expect(b.exact).toBe(false);
    // true real of pixel p: (p − 127.5)/127.5 = declared (p − 128)/127.5 + 0.5/127.5
    for (const r of b.residual) expect(r).toBeCloseTo(0.5 / 127.5, 15);
    expect(inputQuantization('x').q).toEqual({ scale: 1, zeroPoint: -128 });
    expect(() => inputQuantization('mean=123.675,116.28,103.53;std=58.395,57.12,57.375')).toThrow(/one std/);
  });
});

describe('quantizeGraph + runInt8 on a small MobileNet-like graph', () => {
  const g = tinyMobileNet(7, { size: SIZE });
  const stats = calibrate(g, floatInputs, { method: 'minmax', progress: 'none' });
  const model = quantizeGraph(g, stats, { inputScaling: 'x/127.5-1' });

  it('produces the documented contract', () => {
    expect(model.layers.map((l) => l.op)).toEqual(['conv2d', 'depthwise_conv2d', 'conv2d', 'global_average_pool', 'fully_connected']);
    expect(model.output).toMatchObject({ name: 'logits', shape: [1, 10], softmax: { axis: 1 }, floatOutput: 'probs' });
    expect(model.input).toMatchObject({ name: 'input', shape: [1, 3, SIZE, SIZE], pixelOffset: 128 });
    for (const layer of model.layers) {
      if (hasWeights(layer)) {
        const l = layer;
        expect(Math.max(...l.weights)).toBeLessThanOrEqual(127);
        expect(Math.min(...l.weights)).toBeGreaterThanOrEqual(-127);
        // every channel uses the full weight range (max |w_q| = 127) — none is dead here
        const O = l.weightShape[0];
        const per = l.weights.length / O;
        for (let o = 0; o < O; o++) expect(Math.max(...Array.from(l.weights.subarray(o * per, (o + 1) * per), Math.abs))).toBe(127);
      }
    }
    // Relu6 layers: the lower clamp is the zero point (real 0) since the ranges start at 0
    const conv1 = model.layers[0];
    expect(conv1.outputQ.zeroPoint).toBe(-128);
    expect(conv1.actMin).toBe(-128);
    // the pool keeps its input's parameters (TFLite)
    expect(model.layers[3].inputQ).toEqual([model.layers[3].outputQ]);
  });

  it('matches a naive BigInt reference byte for byte on every layer', () => {
    for (const px of images.slice(0, 4)) {
      const res = runInt8(model, pixelsToInt8Nchw(px, SIZE, SIZE), { keep: 'all' });
      for (const l of model.layers) {
        const x = res.tensors!.get(l.inputs[0])!;
        expect(Array.from(res.tensors!.get(l.output)!), l.name).toEqual(Array.from(naiveLayerInt8(l, x)));
      }
    }
  });

  it('stays close to the float graph: dequantized logits within 5 % of their range, same top-1 mostly', () => {
    let agree = 0;
    for (let i = 0; i < images.length; i++) {
      const f = runFloat(g, { input: floatInputs[i] }, { keep: 'all' });
      const logitsF = f.get('logits')!.data as Float32Array;
      const res = runInt8(model, pixelsToInt8Nchw(images[i], SIZE, SIZE));
      const lo = Math.min(...logitsF), hi = Math.max(...logitsF);
      for (let k = 0; k < logitsF.length; k++) expect(Math.abs(res.dequantized[k] - logitsF[k])).toBeLessThan(0.05 * (hi - lo));
      const probsF = f.get('probs')!.data as Float32Array;
      const top = (a: ArrayLike<number>) => Array.from(a).indexOf(Math.max(...Array.from(a)));
      if (top(probsF) === top(res.output)) agree++;
      expect(res.output.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    }
    expect(agree).toBeGreaterThanOrEqual(10);
  });

  it('is deterministic', () => {
    const again = quantizeGraph(g, calibrate(g, floatInputs, { progress: 'none' }), { inputScaling: 'x/127.5-1' });
    expect(JSON.stringify(again, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v))).toBe(
      JSON.stringify(model, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int8Array) : v)),
    );
  });
});

describe('dead channels (weights ≈ 1e-14, as conv_pw_2/3 of the real 0.25/128 model)', () => {
  const g = tinyMobileNet(11, { size: SIZE, deadChannel: true });
  const stats = calibrate(g, floatInputs, { progress: 'none' });
  const model = quantizeGraph(g, stats, { inputScaling: 'x/127.5-1' });
  const pw = weightedLayer(model.layers.find((l) => l.name === 'conv_pw_1')!);

  it('enlarges the weight scale so the int32 bias fits, as TFLite does', () => {
    const sIn = pw.inputQ[0].scale;
    // With s_w = max|w|/127 ≈ 6e-17 the bias 0.7 would need 0.7/(s_in·6e-17) ≫ 2^31.
    expect(0.7 / (sIn * (8e-14 / 127))).toBeGreaterThan(2 ** 31);
    expect(Math.abs(pw.bias[1])).toBeLessThanOrEqual(2 ** 30);
    expect(pw.bias[1]).toBeGreaterThan(2 ** 28);
    // the dead weights quantize to 0 and the channel's output is relu6(0.7) = 0.7 within a step
    const per = pw.weightShape[1];
    expect(Array.from(pw.weights.subarray(per, 2 * per))).toEqual(new Array(per).fill(0));
    const res = runInt8(model, pixelsToInt8Nchw(images[0], SIZE, SIZE), { keep: 'all' });
    const a3 = res.tensors!.get('a3')!;
    const plane = SIZE / 2 * SIZE / 2;
    for (let p = 0; p < plane; p++) {
      const v = pw.outputQ.scale * (a3[plane + p] - pw.outputQ.zeroPoint);
      expect(Math.abs(v - 0.7)).toBeLessThanOrEqual(pw.outputQ.scale / 2 + 1e-9);
    }
  });
});

describe('bias correction', () => {
  // One fully-connected layer y = 1.0·x0 + 0.3·x1 + 0.1, inputs x0 ∈ [−1, 1] averaging 0 and x1 = 10.
  // Per-channel s_w = 1/127; 0.3·127 = 38.1 → 38, so w1 becomes 38/127 and the output mean moves by
  // (38/127 − 0.3)·10 = −0.0078740…; bias correction adds that back.
  const g = new GraphBuilder('fc')
    .input('x', [1, 2])
    .constant('w', floatTensor([1, 2], Float32Array.of(1.0, 0.3)))
    .constant('b', floatTensor([1], Float32Array.of(0.1)))
    .node('fully_connected', ['x', 'w', 'b'], ['y'], {}, 'fc')
    .output('y')
    .build();
  const inputs = [-1, -0.5, 0, 0.5, 1].map((v) => floatTensor([1, 2], Float32Array.of(v, 10)));
  const stats = calibrate(g, inputs, { progress: 'none' });

  it('measures the window means of the input', () => {
    const m = stats.windowMeans.get('fc')!;
    expect(m[0]).toBeCloseTo(0, 12);
    expect(m[1]).toBeCloseTo(10, 6);
  });
  it('subtracts the mean shift from the bias before quantizing it', () => {
    const on = weightedLayer(quantizeGraph(g, stats, { inputScaling: 'x' }).layers[0]);
    const off = weightedLayer(quantizeGraph(g, stats, { inputScaling: 'x', biasCorrection: false }).layers[0]);
    const sb = on.inputQ[0].scale * on.weightScales[0];
    expect(on.weightScales[0]).toBeCloseTo(1 / 127, 12);
    expect(Array.from(on.weights)).toEqual([127, 38]);
    const shift = (38 / 127 - Math.fround(0.3)) * 10;
    expect(off.bias[0]).toBe(Math.round(Math.fround(0.1) / sb));
    expect(on.bias[0]).toBe(Math.round((Math.fround(0.1) - shift) / sb));
    expect(on.bias[0] - off.bias[0]).toBeGreaterThan(0);
  });
});

describe('average_pool and channel_affine (not in MobileNet)', () => {
  const size = 12;
  const px = Array.from({ length: 6 }, (_, i) => randomPixels(300 + i, size));
  const inputs = px.map((p) => pixelsToFloat(p, size, 0, 255));
  for (const cip of [0, 1] as const) {
    it(`count_include_pad = ${cip}: int8 equals the naive reference and tracks float`, () => {
      const g = tinyPoolAffine(5, cip, size);
      const model = quantizeGraph(g, calibrate(g, inputs, { progress: 'none' }), { inputScaling: 'x/255' });
      expect(model.layers.map((l) => l.op)).toEqual(['conv2d', 'average_pool', 'depthwise_conv2d', 'fully_connected']);
      expect(model.input.q).toEqual({ scale: 1 / 255, zeroPoint: -128 });
      for (let i = 0; i < px.length; i++) {
        const res = runInt8(model, pixelsToInt8Nchw(px[i], size, size), { keep: 'all' });
        for (const l of model.layers) {
          expect(Array.from(res.tensors!.get(l.output)!), l.name).toEqual(Array.from(naiveLayerInt8(l, res.tensors!.get(l.inputs[0])!)));
        }
        const f = runFloat(g, { input: inputs[i] }).get('y')!.data as Float32Array;
        const range = Math.max(...f) - Math.min(...f);
        for (let k = 0; k < f.length; k++) expect(Math.abs(res.output[k] - f[k])).toBeLessThan(0.05 * range + 0.05);
      }
    });
  }
});

describe('onnxruntime float engine', () => {
  it('calibrates like the TypeScript interpreter', async () => {
    for (const g of [tinyMobileNet(3, { size: SIZE }), tinyPoolAffine(4, 1, SIZE)]) {
      const ts = calibrate(g, floatInputs, { progress: 'none' });
      const ort = await calibrateAsync(g, floatInputs, { engine: 'ort', progress: 'none' });
      expect([...ort.ranges.keys()].sort()).toEqual([...ts.ranges.keys()].sort());
      for (const [name, r] of ts.ranges) {
        expect(Math.abs(ort.ranges.get(name)!.max - r.max), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.max)));
        expect(Math.abs(ort.ranges.get(name)!.min - r.min), name).toBeLessThan(1e-5 * Math.max(1, Math.abs(r.min)));
      }
    }
  });
  it('runs an average pool whose (merged) padding is larger than its kernel, as the interpreter does', async () => {
    // ONNX AveragePool requires pads < kernel; the passes can merge a Pad 3 into a 2×2 pool.
    const x = floatTensor([1, 2, 4, 4], Float32Array.from({ length: 32 }, (_, i) => ((i * 7) % 11) - 3));
    const g = new GraphBuilder('padded_pool')
      .input('x', [1, 2, 4, 4])
      .node('average_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [3, 3, 3, 3], count_include_pad: 1 }, 'pool')
      .output('y')
      .build();
    const engine = await createOrtEngine(g);
    try {
      const got = (await engine.run(x)).get('y')!;
      const want = runFloat(g, { x }).get('y')!;
      expect(got.shape).toEqual([1, 2, 5, 5]);
      expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
      expect(new Set(got.data as Float32Array).size).toBeGreaterThan(3); // not all padding
    } finally {
      await engine.release();
    }
  });
});

describe('empirical bias correction', () => {
  // y = x0 + 0.3·(odd x) − 0.2965·(even x) + 0.1 on raw pixels ('x' scaling: int8 = p − 128 is
  // exact). s_w = 1/127 and both weights round down (38.1 → 38, −37.66 → −38), so the mean output
  // moves by (32·(38/127 − 0.3) + 31·(0.2965 − 38/127))·E[x] ≈ −0.11·128 ≈ −14: a few output steps.
  const K = 64;
  const w = Float32Array.from({ length: K }, (_, k) => (k === 0 ? 1 : k % 2 ? 0.3 : -0.2965));
  const g = new GraphBuilder('fc64')
    .input('x', [1, K])
    .constant('w', floatTensor([1, K], w))
    .constant('b', floatTensor([1], Float32Array.of(0.1)))
    .node('fully_connected', ['x', 'w', 'b'], ['y'], {}, 'fc')
    .output('y')
    .build();
  const px = Array.from({ length: 20 }, (_, i) => randomPixels(500 + i, 5).subarray(0, K));
  const floats = px.map((p) => floatTensor([1, K], Float32Array.from(p)));
  const int8s = px.map((p) => Int8Array.from(p, (v) => v - 128));
  const stats = calibrate(g, floats, { progress: 'none' });
  const meanGap = (biasCorrection: false | 'empirical') => {
    const model = quantizeGraph(g, stats, { inputScaling: 'x', biasCorrection, calibrationInt8: int8s });
    let gap = 0;
    floats.forEach((f, i) => { gap += runInt8(model, int8s[i]).dequantized[0] - (runFloat(g, { x: f }).get('y')!.data as Float32Array)[0]; });
    return { gap: gap / floats.length, step: model.output.q.scale };
  };
  it('brings the int8 mean output to float\'s within half an output step', () => {
    const off = meanGap(false);
    expect(Math.abs(off.gap)).toBeGreaterThan(2 * off.step); // the uncorrected drift is several steps
    const on = meanGap('empirical');
    expect(Math.abs(on.gap)).toBeLessThanOrEqual(0.5 * on.step);
  });
  it('needs the int8 calibration inputs', () => {
    expect(() => quantizeGraph(g, stats, { inputScaling: 'x', biasCorrection: 'empirical' })).toThrow(/int8 calibration inputs/);
  });
});

describe('mse weight scale', () => {
  const err = (w: Float32Array, s: number) => w.reduce((e, v) => e + (v - s * Math.max(-127, Math.min(127, Math.round(v / s)))) ** 2, 0);
  it('keeps max/127 when the weights sit on that grid (zero error)', () => {
    const w = Float32Array.from({ length: 50 }, (_, i) => ((i % 11) - 5) * (0.5 / 127));
    w[3] = 0.5; // the max
    expect(mseWeightScale(w, 0, w.length, 0.5)).toBe(0.5 / 127);
  });
  it('never does worse than max/127, and clips a lone outlier when that pays', () => {
    // 5000 weights in ±0.1 and one at 1.0: shrinking the scale by 1–2 % saves ≈ 5000·(s²/12)·2 %
    // ≈ 1e-3 of rounding error for a clipping cost of (0.01–0.02)² ≤ 4e-4.
    const r = rng(77);
    const w = Float32Array.from({ length: 5000 }, () => (r() - 0.5) * 0.2);
    w[0] = 1.0; // one outlier 10× the rest
    const s = mseWeightScale(w, 0, w.length, 1.0);
    expect(err(w, s)).toBeLessThanOrEqual(err(w, 1 / 127));
    expect(s).toBeLessThan(1 / 127);
  });
});

describe('input half-step (x/127.5-1 declared with zero point 0)', () => {
  // A valid (unpadded) 5×5 conv on the image with weights on the int8 grid (k/127), so weight
  // rounding is exact. Declared input real = (p − 128)/127.5 is 0.5/127.5 below the true
  // (p − 127.5)/127.5; unfolded, every output would be off by (0.5/127.5)·Σw ≈ 0.29.
  const w = floatTensor([2, 3, 5, 5], Float32Array.from({ length: 150 }, (_, i) => (i < 75 ? 127 : 64 + (i % 7)) / 127));
  const g = new GraphBuilder('conv5')
    .input('input', [1, 3, SIZE, SIZE])
    .constant('w', w)
    .constant('b', floatTensor([2], Float32Array.of(0.05, -0.1)))
    .node('conv2d', ['input', 'w', 'b'], ['y'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }, 'conv')
    .output('y')
    .build();
  it.each([
    ['folded into the bias (float mode)', false],
    ['measured by empirical bias correction', 'empirical'],
  ] as const)('is %s so the int8 outputs are unbiased', (_what, biasCorrection) => {
    const calibrationInt8 = images.map((px) => pixelsToInt8Nchw(px, SIZE, SIZE));
    const model = quantizeGraph(g, calibrate(g, floatInputs, { progress: 'none' }), { inputScaling: 'x/127.5-1', biasCorrection, calibrationInt8 });
    const step = model.output.q.scale;
    const offset = (0.5 / 127.5) * 75; // channel 0: Σw = 75
    expect(offset).toBeGreaterThan(0.3 * step); // the test can see an unfolded offset
    let err = 0, n = 0;
    images.forEach((px, i) => {
      const f = runFloat(g, { input: floatInputs[i] }).get('y')!.data as Float32Array;
      const q = runInt8(model, pixelsToInt8Nchw(px, SIZE, SIZE)).dequantized;
      const plane = f.length / 2;
      for (let k = 0; k < plane; k++) { err += q[k] - f[k]; n++; }
    });
    expect(Math.abs(err / n)).toBeLessThan(0.15 * offset);
  });
});
