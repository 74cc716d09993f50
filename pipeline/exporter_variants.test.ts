/**
 * The float passes on the exporter-style variants (fixtures/exporter_variants.ts): whatever the
 * style (PyTorch: BN pre-folded, Dropout/Identity, Flatten+Gemm; tf2onnx: NHWC input + Transpose,
 * explicit Pad, Reshape head, Constant nodes; other opsets), the canonical graph is the same network
 * as the original model's: the same op sequence with the same attributes and weight shapes, the
 * same weight values, and (for the models up to 128×128) the same outputs on a random input. For
 * the 224×224 models the float runs are skipped (about 0.3–0.6 s each, ten per model): same
 * structure and bit-identical weights already make it the same network.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_SHARED, sharedModels, skipMessage } from '../src/util/shared.js';
import { importOnnx, importOnnxBytes } from '../src/onnx/import.js';
import type { Graph } from '../src/ir/graph.js';
import { exporterVariants } from '../fixtures/exporter_variants.js';
import { runFloat } from '../src/graph/interpret.js';
import { maxAbsDiff, maxRelDiff, randomFeeds } from '../src/passes/testing.js';
import { runFloatPasses } from './index.js';

skipMessage('float passes on exporter-style variants of the real models');

/** What identifies the network: op, attributes and weight shapes of every node, in order. */
function structure(g: Graph): string[] {
  return g.nodes.map((n) => `${n.op} ${JSON.stringify(n.attrs, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} ${n.inputs.slice(1).map((i) => `[${g.values.get(i)?.shape}]`).join(' ')}`);
}

/**
 * The largest difference between the constant inputs (weights, biases) of corresponding nodes.
 * Both sides fold BatchNormalization with the same float64 formula rounded once to float32
 * (fixtures/exporter_variants.ts for the PyTorch style, fold_batchnorm otherwise): measured 0.
 */
function weightDiff(g: Graph, reference: Graph): number {
  let m = 0;
  g.nodes.forEach((n, i) => n.inputs.forEach((name, k) => {
    const a = g.constants.get(name);
    const b = reference.constants.get(reference.nodes[i].inputs[k]);
    if (!a && !b) return;
    if (!a || !b) throw new Error(`node ${i} input ${k}: a constant on one side only`);
    m = Math.max(m, maxAbsDiff(a.data as Float32Array, b.data as Float32Array));
  }));
  return m;
}

describe.skipIf(!HAVE_SHARED)('float passes on exporter-style variants', () => {
  const models = sharedModels();
  it('covers all five shared models', () => expect(models.map((m) => m.file).sort()).toEqual([
    'mobilenet_v1_0.25_128_imagenet.onnx', 'mobilenet_v1_0.25_224_imagenet.onnx', 'mobilenet_v1_0.25_96_flowers.onnx',
    'mobilenet_v1_0.5_224_flowers.onnx', 'vww_96_mlcommons.onnx',
  ]));
  for (const { file, path, resolution } of models) {
    const runOutputs = resolution <= 128;
    it(`${file}: every variant gives the same canonical network${runOutputs ? ' and outputs' : ' (structure and weights)'}`, () => {
      const original = importOnnx(path);
      const reference = runFloatPasses(original);
      const feeds = randomFeeds(reference, 7, -1, 1);
      const x = feeds[reference.inputs[0]];
      const logits = (h: Graph): string => h.nodes[h.nodes.length - 1].inputs[0];
      const ref = runOutputs ? runFloat(reference, feeds, { keep: 'all' }) : undefined;
      const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-variants-'));
      try {
        for (const v of exporterVariants(original)) {
          for (const [name, bytes] of v.sideFiles) writeFileSync(join(dir, name), bytes);
          const g = runFloatPasses(importOnnxBytes(v.model, { baseDir: dir, source: v.name }));
          expect(structure(g), v.name).toEqual(structure(reference));
          expect(g.meta.inputLayout ?? 'nchw', v.name).toBe(v.inputLayout);
          expect(weightDiff(g, reference), v.name).toBe(0);
          if (!ref) continue;
          // tf2onnx's NHWC input is now the NCHW tensor, so the same feed works for every variant.
          const got = runFloat(g, { [g.inputs[0]]: x }, { keep: 'all' });
          const y = got.get(g.outputs[0])!;
          expect(y.shape, v.name).toEqual(ref.get(reference.outputs[0])!.shape);
          expect(maxAbsDiff(y.data as Float32Array, ref.get(reference.outputs[0])!.data as Float32Array), v.name).toBeLessThan(1e-5);
          // The logits too (softmax input), relative.
          const a = got.get(logits(g))!.data as Float32Array;
          expect(maxRelDiff(a, ref.get(logits(reference))!.data as Float32Array), v.name).toBeLessThan(1e-4);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
