/**
 * The oracle is the real library: each TF.js fixture of ../shared/models/tfjs is run by
 * @tensorflow/tfjs-converter's loadGraphModel on @tensorflow/tfjs-backend-cpu, and by our float
 * interpreter on our imported graph (NHWC input, as imported) and on the canonical graph after
 * runFloatPasses (NCHW input): the same real images, preprocessed by src/images with the model's
 * scaling. Both must be within 1e-4 of tfjs (softmax probabilities) with the same top-1.
 */
import { describe, expect, it } from 'vitest';
import { runFloatPasses } from '../../pipeline/index.js';
import type { Graph } from '../ir/graph.js';
import { runFloat } from '../graph/interpret.js';
import { floatTensor } from '../ir/tensor.js';
import { loadImageTensor } from '../images/load.js';
import { HAVE_SHARED, skipMessage } from '../util/shared.js';
import { TFJS_FIXTURES } from './fixtures.js';
import { importTfjs } from './import.js';
import { loadReferenceModel, nchwToNhwc, runReference } from './testing.js';

skipMessage('TF.js fixtures against tfjs-converter');

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function output(g: Graph, feed: Float32Array, shape: number[]): Float32Array {
  return runFloat(g, { [g.inputs[0]]: floatTensor(shape, feed) }).get(g.outputs[0])!.data as Float32Array;
}

describe.skipIf(!HAVE_SHARED)('TF.js fixtures: our import against tfjs-converter on real images', () => {
  for (const fx of TFJS_FIXTURES) {
    it(`${fx.name}: imported and canonical graphs within 1e-4 of tfjs, same top-1`, async () => {
      const imported = importTfjs(fx.dir);
      const canonical = runFloatPasses(imported);
      expect(imported.meta.inputLayout).toBe('nhwc');
      expect(canonical.meta.inputLayout).toBe('nhwc');
      const [, H, W, C] = imported.values.get(imported.inputs[0])!.shape;
      expect(canonical.values.get(canonical.inputs[0])!.shape).toEqual([1, C, H, W]);
      const reference = await loadReferenceModel(fx.dir);
      let worstImported = 0;
      let worstCanonical = 0;
      const images = fx.images();
      expect(images.length).toBe(8);
      for (const path of images) {
        const x = await loadImageTensor(path, { size: [H, W], scale: fx.scale });
        const nhwc = nchwToNhwc(x);
        const want = await runReference(reference, nhwc, [1, H, W, C]);
        const a = output(imported, nhwc, [1, H, W, C]);
        const b = output(canonical, x.data as Float32Array, [1, C, H, W]);
        worstImported = Math.max(worstImported, maxAbsDiff(a, want.data));
        worstCanonical = Math.max(worstCanonical, maxAbsDiff(b, want.data));
        expect(argmax(a), path).toBe(argmax(want.data));
        expect(argmax(b), path).toBe(argmax(want.data));
      }
      console.log(`[tfjs] ${fx.name}: ${images.length} images, max |Δp| vs tfjs: imported ${worstImported.toExponential(2)}, canonical ${worstCanonical.toExponential(2)}`);
      expect(worstImported).toBeLessThan(1e-4);
      expect(worstCanonical).toBeLessThan(1e-4);
    });
  }
});
