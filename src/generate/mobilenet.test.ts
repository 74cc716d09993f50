import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { runFloat } from '../graph/interpret.js';
import { floatTensor } from '../ir/tensor.js';
import { importOnnxBytes } from '../onnx/import.js';
import { exportOnnx } from '../onnx/export.js';
import { inspectGraph } from '../cli/inspect.js';
import { generateMobileNetV1, scaledChannels } from './mobilenet.js';
import { SeededRandom } from '../util/random.js';

// MobileNet paper (Howard et al. 2017), Tables 6 and 7: million mult-adds and million parameters.
// The paper rounds some rows and truncates others (568.7 → 569, 290.7 → 290), hence the tolerances.
const PAPER: readonly { width: number; resolution: number; macsM: number; paramsM?: number }[] = [
  { width: 1.0, resolution: 224, macsM: 569, paramsM: 4.2 },
  { width: 0.75, resolution: 224, macsM: 325, paramsM: 2.6 },
  { width: 0.5, resolution: 224, macsM: 149, paramsM: 1.3 },
  { width: 0.25, resolution: 224, macsM: 41, paramsM: 0.5 },
  { width: 1.0, resolution: 192, macsM: 418 },
  { width: 1.0, resolution: 160, macsM: 290 },
  { width: 1.0, resolution: 128, macsM: 186 },
];

describe('generateMobileNetV1 reproduces the MobileNet paper (Tables 6/7) through inspect', () => {
  it.each(PAPER)('$width / $resolution: $macsM M mult-adds', ({ width, resolution, macsM, paramsM }) => {
    const g = generateMobileNetV1({ width, resolution });
    const { totals } = inspectGraph(g);
    console.log(`MobileNet ${width}/${resolution}: ${(totals.macs / 1e6).toFixed(2)}M MACs (paper ${macsM}M), ${(totals.params / 1e6).toFixed(3)}M params${paramsM ? ` (paper ${paramsM}M)` : ''}`);
    expect(Math.abs(totals.macs / 1e6 - macsM)).toBeLessThan(1);
    // Parameters do not depend on resolution: 1.0 at any ρ has the 1.0/224 count.
    expect(Math.abs(totals.params / 1e6 - (paramsM ?? 4.2))).toBeLessThan(0.1);
  });
});

describe('generateMobileNetV1 structure', () => {
  const g = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 7, seed: 3 });

  it('is Conv + BatchNormalization + Clip(0, 6) × 27 with Keras names, then GAP, conv_preds, Flatten, Softmax', () => {
    const ops = g.nodes.map((n) => n.op);
    expect(ops.slice(0, 3)).toEqual(['Conv', 'BatchNormalization', 'Clip']);
    expect(ops.filter((o) => o === 'Conv')).toHaveLength(28);
    expect(ops.filter((o) => o === 'BatchNormalization')).toHaveLength(27);
    expect(ops.slice(-4)).toEqual(['GlobalAveragePool', 'Conv', 'Flatten', 'Softmax']);
    const names = g.nodes.map((n) => n.name);
    expect(names.slice(0, 6)).toEqual(['conv1', 'conv1_bn', 'conv1_relu', 'conv_dw_1', 'conv_dw_1_bn', 'conv_dw_1_relu']);
    expect(names).toContain('conv_pw_13_relu');
    expect(names).toContain('conv_preds');
    const clip = g.nodes.find((n) => n.name === 'conv_pw_5_relu')!;
    expect([clip.attrs.min, clip.attrs.max]).toEqual([0, 6]);
    expect(g.nodes.filter((n) => n.op === 'Conv' && n.name !== 'conv_preds').every((n) => n.inputs.length === 2)).toBe(true);
    expect(g.values.get('output')!.shape).toEqual([1, 7]);
  });

  it('writes pads like the Keras files: stride 2 pads bottom/right only, depthwise is group = C', () => {
    const conv1 = g.nodes.find((n) => n.name === 'conv1')!;
    expect(conv1.attrs.pads).toEqual([0, 0, 1, 1]);
    expect(conv1.attrs.strides).toEqual([2, 2]);
    const dw2 = g.nodes.find((n) => n.name === 'conv_dw_2')!; // stride 2
    expect(dw2.attrs.pads).toEqual([0, 0, 1, 1]);
    expect(dw2.attrs.group).toBe(16);
    expect(g.constants.get('conv_dw_2.weight')!.shape).toEqual([16, 1, 3, 3]);
    const dw3 = g.nodes.find((n) => n.name === 'conv_dw_3')!; // stride 1
    expect(dw3.attrs.pads).toEqual([1, 1, 1, 1]);
    expect(g.values.get('conv1_relu')!.shape).toEqual([1, 8, 48, 48]);
    expect(g.values.get('conv_pw_13_relu')!.shape).toEqual([1, 256, 3, 3]);
  });

  it('uses Keras channel counts int(c·α)', () => {
    expect([scaledChannels(32, 0.75), scaledChannels(64, 0.75), scaledChannels(1024, 0.75)]).toEqual([24, 48, 768]);
    expect([scaledChannels(32, 0.35), scaledChannels(64, 0.35), scaledChannels(1024, 0.35)]).toEqual([11, 22, 358]);
    expect(scaledChannels(1024, 0.1)).toBe(102);
  });

  it('is deterministic per seed; BN variances are positive', () => {
    const again = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 7, seed: 3 });
    const other = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 7, seed: 4 });
    const w = (x: typeof g) => Array.from(x.constants.get('conv_pw_7.weight')!.data as Float32Array);
    expect(w(again)).toEqual(w(g));
    expect(w(other)).not.toEqual(w(g));
    for (const [name, t] of g.constants) if (name.endsWith('_bn.var')) expect((t.data as Float32Array).every((v) => v > 0)).toBe(true);
  });

  it('has He-scaled weights: sample std of a pointwise kernel ≈ √(2/fan_in)', () => {
    const w = g.constants.get('conv_pw_13.weight')!; // 256 × 256 × 1 × 1
    const d = w.data as Float32Array;
    const mean = d.reduce((a, v) => a + v, 0) / d.length;
    const std = Math.sqrt(d.reduce((a, v) => a + (v - mean) ** 2, 0) / d.length);
    expect(Math.abs(std / Math.sqrt(2 / 256) - 1)).toBeLessThan(0.02);
  });

  it('offers a Flatten + Gemm head', () => {
    const h = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 5, head: 'gemm' });
    expect(h.nodes.slice(-4).map((n) => n.op)).toEqual(['GlobalAveragePool', 'Flatten', 'Gemm', 'Softmax']);
    expect(inspectGraph(h).totals).toEqual(inspectGraph(generateMobileNetV1({ width: 0.25, resolution: 96, classes: 5 })).totals);
  });

  it('rejects bad options in one line', () => {
    expect(() => generateMobileNetV1({ width: -1, resolution: 96 })).toThrow(/--width -1: must be a number in \(0, 4\]/);
    expect(() => generateMobileNetV1({ width: 0.01, resolution: 96 })).toThrow(/--width 0.01: too small/);
    expect(() => generateMobileNetV1({ width: 1, resolution: 95.5 })).toThrow(/--resolution 95.5/);
    expect(() => generateMobileNetV1({ width: 1, resolution: 96, classes: 0 })).toThrow(/--classes 0/);
  });
});

describe('the generated model as ONNX', () => {
  it('runs in onnxruntime like in our interpreter, with activations in a sane range', async () => {
    const g = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 10, seed: 11 });
    const bytes = exportOnnx(g);
    const back = importOnnxBytes(bytes, { source: 'generated' });
    expect(inspectGraph(back)).toEqual(inspectGraph(g));

    const rng = new SeededRandom(5);
    const x = Float32Array.from({ length: 3 * 96 * 96 }, () => rng.uniform(-1, 1));
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const ref = (await session.run({ input: new ort.Tensor('float32', x, [1, 3, 96, 96]) })).output.data as Float32Array;
    const all = runFloat(g, { input: floatTensor([1, 3, 96, 96], x) }, { keep: 'all' });
    const ours = all.get('output')!.data as Float32Array;
    expect(ref.length).toBe(10);
    for (let i = 0; i < 10; i++) expect(Math.abs(ours[i] - ref[i])).toBeLessThan(1e-4);
    expect(ref.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 5);
    // Sane activations: every Clip output has live units (not all zero) and is not mostly saturated at 6.
    for (const n of g.nodes.filter((n) => n.op === 'Clip')) {
      const a = all.get(n.outputs[0])!.data as Float32Array;
      const live = a.filter((v) => v > 0).length / a.length;
      const saturated = a.filter((v) => v >= 6).length / a.length;
      expect(live, `${n.name} live`).toBeGreaterThan(0.05);
      expect(saturated, `${n.name} saturated`).toBeLessThan(0.5);
    }
  });
});
