/**
 * The float passes on the real models in ../shared: the canonical graph's output on real images
 * equals onnxruntime's on the ORIGINAL .onnx file (within 1e-4 absolute, same top-1), its logits
 * equal the float interpreter's on the imported graph (1e-4 relative), only the canonical
 * vocabulary remains, and the imported graph is not mutated.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { HAVE_SHARED, sharedModel, sharedModels, sharedPath, skipMessage } from '../src/util/shared.js';
import type { SharedModel } from '../src/util/shared.js';
import { importOnnx } from '../src/onnx/import.js';
import { runOrt } from '../src/onnx/ort_reference.js';
import { loadImageTensor } from '../src/images/index.js';
import { runFloat } from '../src/graph/interpret.js';
import { attrFloat } from '../src/ir/graph.js';
import { fingerprint, maxAbsDiff, maxRelDiff, totalCost } from '../src/passes/testing.js';
import { runFloatPasses } from './index.js';

skipMessage('float passes on the real models');

const VOCABULARY = new Set(['conv2d', 'depthwise_conv2d', 'fully_connected', 'average_pool', 'global_average_pool', 'softmax']);

/** A few real images per model: what the model was trained on where ../shared has it. */
function imagesFor(m: SharedModel): string[] {
  if (m.file.startsWith('vww')) return ['COCO_train2014_000000000250.jpg', 'person.png', 'COCO_train2014_000000001111.jpg'].map((f) => sharedPath('images', 'vww', f));
  if (m.file.includes('flowers')) return [sharedPath('images', 'photos', 'sunflower.png'), sharedPath('images', 'imagenet-val128', 'ILSVRC2012_val_00000999.jpg')];
  return ['ILSVRC2012_val_00000999.jpg', 'ILSVRC2012_val_00001999.jpg', 'ILSVRC2012_val_00002999.jpg'].map((f) => sharedPath('images', 'imagenet-val128', f));
}

function argmax(d: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < d.length; i++) if (d[i] > d[best]) best = i;
  return best;
}

describe.skipIf(!HAVE_SHARED)('float passes on the models in ../shared', () => {
  it('the folded graphs have the mult-adds and parameters of the MobileNet paper (Table 6)', () => {
    // 0.25 MobileNet-224: 41M mult-adds, 0.5M parameters (1000 classes).
    const a = totalCost(runFloatPasses(importOnnx(sharedModel('mobilenet_v1_0.25_224_imagenet.onnx').path)));
    expect(Math.round(a.macs / 1e6)).toBe(41);
    expect(Math.round(a.params / 1e5) / 10).toBe(0.5);
    // 0.5 MobileNet-224: 149M mult-adds (the 5-class head changes the 1000-class count by < 0.6M).
    const b = totalCost(runFloatPasses(importOnnx(sharedModel('mobilenet_v1_0.5_224_flowers.onnx').path)));
    expect(Math.round(b.macs / 1e6)).toBe(149);
  });

  for (const m of sharedModels()) {
    it(`${m.file}: canonical ops only, outputs equal onnxruntime on the original model`, async () => {
      const imported = importOnnx(m.path);
      const before = fingerprint(imported);
      const g = runFloatPasses(imported);
      expect(fingerprint(imported)).toBe(before);

      // Vocabulary and structure.
      const left = g.nodes.filter((n) => !VOCABULARY.has(n.op)).map((n) => `${n.op} ${n.name}`);
      expect(left).toEqual([]);
      const convs = g.nodes.filter((n) => n.op === 'conv2d' || n.op === 'depthwise_conv2d');
      expect(convs.length).toBe(27);
      // Every backbone conv carries its activation: Relu6 (Keras) or Relu (VWW).
      const wantMax = m.file.startsWith('vww') ? Infinity : 6;
      for (const c of convs) expect([attrFloat(c, 'act_min'), attrFloat(c, 'act_max')], c.name).toEqual([0, wantMax]);
      expect(g.nodes.filter((n) => n.op === 'depthwise_conv2d').length).toBe(13);
      expect(g.nodes.slice(-3).map((n) => n.op)).toEqual(['global_average_pool', 'fully_connected', 'softmax']);
      expect(g.values.get(g.outputs[0])!.shape).toEqual([1, m.classes]);
      expect(g.inputs).toEqual(imported.inputs);

      const softmaxIn = g.nodes[g.nodes.length - 1].inputs[0];
      for (const path of imagesFor(m)) {
        const x = await loadImageTensor(path, { size: [m.resolution, m.resolution], scale: m.input.scale });
        const ort = (await runOrt(m.path, { [m.input.name]: { shape: x.shape, data: x.data as Float32Array } })).get(imported.outputs[0])!;
        const ours = runFloat(g, { [g.inputs[0]]: x }, { keep: 'all' });
        const y = ours.get(g.outputs[0])!.data as Float32Array;
        expect(maxAbsDiff(y, ort.data), join(m.file, path)).toBeLessThan(1e-4);
        expect(argmax(y), path).toBe(argmax(ort.data));
        // The logits (softmax input) also match the unoptimized graph's, which has the same tensor name.
        const ref = runFloat(imported, { [imported.inputs[0]]: x }, { keep: 'all' }).get(softmaxIn);
        expect(ref, `tensor ${softmaxIn} in the imported graph`).toBeDefined();
        expect(maxRelDiff(ours.get(softmaxIn)!.data as Float32Array, ref!.data as Float32Array)).toBeLessThan(1e-4);
      }
    });
  }
});
