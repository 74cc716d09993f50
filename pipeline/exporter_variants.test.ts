/**
 * The float passes on the exporter-style variants (fixtures/exporter_variants.ts): whatever the
 * style (PyTorch: BN pre-folded, Dropout/Identity, Flatten+Gemm; tf2onnx: NHWC input + Transpose,
 * explicit Pad, Reshape head, Constant nodes; other opsets), the canonical graph is the same network
 * as the original model's: the same op sequence with the same attributes, and the same outputs.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HAVE_SHARED, sharedModel, skipMessage } from '../src/util/shared.js';
import { importOnnx, importOnnxBytes } from '../src/onnx/import.js';
import type { Graph } from '../src/ir/graph.js';
import { exporterVariants } from '../fixtures/exporter_variants.js';
import { runFloat } from '../src/ir/interpret.js';
import { maxAbsDiff, maxRelDiff, randomFeeds } from '../src/passes/testing.js';
import { runFloatPasses } from './index.js';

skipMessage('float passes on exporter-style variants of the real models');

/** What identifies the network: op, attributes and weight shapes of every node, in order. */
function structure(g: Graph): string[] {
  return g.nodes.map((n) => `${n.op} ${JSON.stringify(n.attrs, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))} ${n.inputs.slice(1).map((i) => `[${g.values.get(i)?.shape}]`).join(' ')}`);
}

describe.skipIf(!HAVE_SHARED)('float passes on exporter-style variants', () => {
  for (const file of ['mobilenet_v1_0.25_128_imagenet.onnx', 'vww_96_mlcommons.onnx']) {
    it(`${file}: every variant gives the same canonical network and outputs`, () => {
      const original = importOnnx(sharedModel(file).path);
      const reference = runFloatPasses(original);
      const feeds = randomFeeds(reference, 7, -1, 1);
      const x = feeds[reference.inputs[0]];
      const logits = (h: Graph): string => h.nodes[h.nodes.length - 1].inputs[0];
      const ref = runFloat(reference, feeds, { keep: 'all' });
      const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-variants-'));
      try {
        for (const v of exporterVariants(original)) {
          for (const [name, bytes] of v.sideFiles) writeFileSync(join(dir, name), bytes);
          const g = runFloatPasses(importOnnxBytes(v.model, { baseDir: dir, source: v.name }));
          expect(structure(g), v.name).toEqual(structure(reference));
          expect(g.meta.inputLayout ?? 'nchw', v.name).toBe(v.inputLayout);
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
