/**
 * "An op is one file" — the proof: max_pool and add (a two-input op, TFLite's rescaling ADD) were
 * added as src/ops/max_pool.ts and src/ops/add.ts, their C kernels in src/runtime and a registry
 * line each, and no other production file. This test runs a small graph using both through every
 * stage: float against onnxruntime (their toOnnx), quantize, the generated C byte for byte against
 * the integer reference (gcc/clang, sanitizers, flash and blob paths), and the QDQ export against
 * onnxruntime. It also checks that no other production file names them.
 */
import { readdirSync, readFileSync, statSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { runFloat } from '../graph/interpret.js';
import type { Graph } from '../ir/graph.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { calibrate } from '../quant/calibrate.js';
import { quantizeGraph } from '../quant/quantize.js';
import { createOrtEngine } from '../quant/ort_engine.js';
import { pixelsToInt8Nchw, runInt8 } from '../quant/interpret_int8.js';
import { pixelsToFloat, randomPixels, rng } from '../quant/testing.js';
import { crossCheckWithOrt, layerGapsWithOrt } from '../crosscheck/crosscheck.js';
import { emitModel, writeFiles } from '../emit/testing.js';
import { availableCompilers } from '../verify/compile.js';
import { verifyArtifacts } from '../verify/verify.js';
import { PROJECT_ROOT } from '../util/shared.js';

const SIZE = 14;

/** conv 3×3 + Relu → max_pool 3×3/2 pad 1 → two 1×1 convs → add (+ Relu6) → global pool → fc → softmax. */
function residualGraph(seed: number): Graph {
  const r = rng(seed);
  const t = (shape: number[], s: number) => floatTensor(shape, Float32Array.from({ length: sizeOf(shape) }, () => s * (2 * r() - 1)));
  return new GraphBuilder('residual')
    .input('input', [1, 3, SIZE, SIZE])
    .constant('w1', t([8, 3, 3, 3], 0.6)).constant('b1', t([8], 0.2))
    .constant('wa', t([6, 8, 1, 1], 0.5)).constant('ba', t([6], 0.2))
    .constant('wb', t([6, 8, 1, 1], 0.3)).constant('bb', t([6], 0.1))
    .constant('wf', t([4, 6], 0.7)).constant('bf', t([4], 0.1))
    .node('conv2d', ['input', 'w1', 'b1'], ['c1'], { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], act_min: 0, act_max: Infinity }, 'conv1')
    .node('max_pool', ['c1'], ['p1'], { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, 'pool')
    .node('conv2d', ['p1', 'wa', 'ba'], ['ya'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }, 'branch_a')
    .node('conv2d', ['p1', 'wb', 'bb'], ['yb'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] }, 'branch_b')
    .node('add', ['ya', 'yb'], ['s'], { act_min: 0, act_max: 6 }, 'residual_add')
    .node('global_average_pool', ['s'], ['g'], {}, 'gap')
    .node('fully_connected', ['g', 'wf', 'bf'], ['logits'], {}, 'fc')
    .node('softmax', ['logits'], ['probs'], { axis: -1 }, 'softmax')
    .output('probs')
    .build();
}

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-extension-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('max_pool and add, each added as one op file + C kernel + registry line', () => {
  const g = residualGraph(5);
  const pixels = Array.from({ length: 10 }, (_, i) => randomPixels(500 + i, SIZE));
  const floats = pixels.map((px) => pixelsToFloat(px, SIZE, 127.5, 127.5));
  const model = quantizeGraph(g, calibrate(g, floats, { method: 'minmax', progress: 'none' }), {
    inputScaling: 'x/127.5-1',
    calibrationInt8: pixels.map((px) => pixelsToInt8Nchw(px, SIZE, SIZE)),
  });

  it('float: the interpreter equals onnxruntime running their standard ONNX form (toOnnx)', async () => {
    const engine = await createOrtEngine(g);
    try {
      for (const x of floats.slice(0, 3)) {
        const ours = runFloat(g, { input: x }, { keep: 'all' });
        const ort = await engine.run(x);
        for (const t of ['p1', 's', 'probs']) {
          const a = ours.get(t)!.data as Float32Array;
          const b = ort.get(t)!.data as Float32Array;
          let max = 0;
          for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
          expect(max, t).toBeLessThan(1e-5);
        }
      }
    } finally {
      await engine.release();
    }
  });

  it('quantize: the layers of the two ops, max_pool keeping its input quantization, add reading two tensors', () => {
    expect(model.layers.map((l) => l.op)).toEqual(['conv2d', 'max_pool', 'conv2d', 'conv2d', 'add', 'global_average_pool', 'fully_connected']);
    const pool = model.layers[1];
    expect(pool.outputQ).toEqual(pool.inputQ[0]);
    const sum = model.layers[4];
    expect(sum.inputs).toEqual(['ya', 'yb']);
    expect(sum.inputQ).toEqual([model.tensors.ya.q, model.tensors.yb.q]);
    // The add's Relu6 clamp in int8 units, and it bites on this data.
    expect(sum.actMin).toBe(sum.outputQ.zeroPoint);
    const res = runInt8(model, pixelsToInt8Nchw(pixels[0], SIZE, SIZE), { keep: 'all' });
    expect(Math.min(...res.tensors!.get('s')!)).toBe(sum.actMin);
  });

  it.skipIf(availableCompilers().length === 0)('C: the generated runner equals the integer reference byte for byte (gcc/clang, sanitizers, flash and blob)', async () => {
    const e = emitModel(model, { labels: ['a', 'b', 'c', 'd'] });
    expect(e.lowered.layers.map((c) => c.kernel)).toEqual(['conv_im2col', 'max_pool', 'conv_1x1', 'conv_1x1', 'add', 'global_avg_pool', 'fc']);
    expect([...e.files.keys()]).toEqual(expect.arrayContaining(['model_max_pool_s8.c', 'model_max_pool_s8.h', 'model_add_s8.c', 'model_add_s8.h']));
    const dir = join(work, 'c');
    writeFiles(dir, e.files);
    const res = await verifyArtifacts(dir, { model, random: 40, sanitizedInputs: 4 });
    expect(res).toMatchObject({ random: 40, mismatches: 0 });
    // and from the artifacts alone (manifest + weights.bin: the generic reader knows neither op)
    expect((await verifyArtifacts(dir, { random: 8, sanitizedInputs: 1, compilers: [availableCompilers()[0]] })).mismatches).toBe(0);
  });

  it('QDQ: onnxruntime agrees — max_pool exactly, add within one step — and end to end on top-1', async () => {
    const inputs = pixels.map((px) => pixelsToInt8Nchw(px, SIZE, SIZE));
    const gaps = await layerGapsWithOrt(model, inputs[0]);
    expect(gaps.find((l) => l.op === 'max_pool')!.maxGapSteps).toBe(0);
    for (const l of gaps) expect(l.maxGapSteps, l.layer).toBeLessThanOrEqual(1);
    const res = await crossCheckWithOrt(model, inputs);
    expect(res.agreementUpToTies).toBe(1);
    expect(res.maxGapSteps).toBeLessThanOrEqual(3);
  });

  it('no production file but their own names them', () => {
    const own = new Set(['src/ops/max_pool.ts', 'src/ops/add.ts', 'src/ops/registry.ts', 'src/runtime/onnx2mcu_max_pool_s8.c', 'src/runtime/onnx2mcu_max_pool_s8.h', 'src/runtime/onnx2mcu_add_s8.c', 'src/runtime/onnx2mcu_add_s8.h']);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|c|h)$/.test(f) && !/(\.test\.ts|testing\.ts)$/.test(f)) files.push(relative(PROJECT_ROOT, p));
      }
    };
    for (const d of ['src', 'pipeline']) walk(join(PROJECT_ROOT, d));
    const naming = files.filter((f) => !own.has(f) && /max_pool_s8|MaxPoolLayer|'max_pool'|add_s8|AddLayer|op: 'add'/.test(readFileSync(join(PROJECT_ROOT, f), 'utf8')));
    expect(naming).toEqual([]);
  });
});
