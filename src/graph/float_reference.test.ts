/**
 * The float interpreter against onnxruntime-node on every real model in ../shared/models with
 * real images: per-element difference ≤ 1e-4 and the same top-1 class on every image.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { runFloat } from './interpret.js';
import { verifyGraph } from './verify.js';
import type { Tensor } from '../ir/tensor.js';
import { importOnnx } from '../onnx/import.js';
import { loadImageTensor } from '../images/load.js';
import { HAVE_SHARED, sharedModels, sharedPath, skipMessage } from '../util/shared.js';

skipMessage('float interpreter vs onnxruntime on the real models');

function images(model: string): string[] {
  const dir = (name: string) =>
    readdirSync(sharedPath('images', name))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()
      .map((f) => sharedPath('images', name, f));
  if (model.startsWith('vww')) return dir('vww');
  const val = dir('imagenet-val128').slice(0, 10);
  if (model.includes('flowers')) return [...val, sharedPath('images', 'photos', 'sunflower.png')];
  return val;
}

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
}

describe.skipIf(!HAVE_SHARED)('runFloat equals onnxruntime on the real models', () => {
  for (const m of sharedModels()) {
    it(`${m.file}`, async () => {
      const g = importOnnx(m.path);
      verifyGraph(g);
      const session = await ort.InferenceSession.create(m.path, { graphOptimizationLevel: 'disabled' });
      try {
        const files = images(m.file);
        expect(files.length).toBeGreaterThanOrEqual(8);
        const [, , h, w] = m.input.shape;
        for (const file of files) {
          const x: Tensor = await loadImageTensor(file, { size: [h, w], scale: m.input.scale });
          const ours = runFloat(g, { [g.inputs[0]]: x }).get(g.outputs[0])!;
          const res = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data as Float32Array, [...x.shape]) });
          const ref = res[session.outputNames[0]].data as Float32Array;
          const y = ours.data as Float32Array;
          expect(y.length, file).toBe(ref.length);
          let maxDiff = 0;
          for (let i = 0; i < ref.length; i++) maxDiff = Math.max(maxDiff, Math.abs(y[i] - ref[i]));
          expect(maxDiff, `${m.file} on ${file}`).toBeLessThanOrEqual(1e-4);
          expect(argmax(y), `${m.file} top-1 on ${file}`).toBe(argmax(ref));
          if (file.endsWith('sunflower.png')) expect(m.labels[argmax(y)]).toBe('sunflowers');
        }
      } finally {
        await session.release();
      }
    });
  }
});
