/**
 * Issue 4's accuracy targets on the real ImageNet models of ../shared, through the same path as
 * `onnx2mcu eval` (the pipeline up to 'quantize', then src/quant/evaluate.ts): calibrate on all 50 images of
 * imagenet-val128 (default observer, default empirical bias correction), then compare int8 with
 * float (onnxruntime on the same uint8 pixels) on all 1000 images of imagenet-samples, as the
 * issue states the targets. (A 250-image subset was tried first: the paired top-1 difference has a
 * standard error of about 2 points there, so a 1.0-point target on it tests sampling noise; it
 * measured −1.2 on 0.25/224 where the full set gives −0.6.) About 1.5 and 3.5 minutes per model
 * on 2 cores, most of it the TypeScript integer reference.
 *
 * Targets exactly as issue 4 states them: int8 top-1 within 1.0 point of float, top-1 agreement
 * with float ≥ 88 %, SQNR of the int8 logits ≥ 20 dB.
 */
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../pipeline/index.js';
import { evalItems } from '../cli/eval.js';
import { listImages } from '../images/list.js';
import { resolveModelSource } from '../model_source/model_source.js';
import { evaluate } from './evaluate.js';
import { HAVE_SHARED, sharedModel, sharedPath, skipMessage } from '../util/shared.js';

skipMessage('int8 accuracy targets on the ImageNet models');

describe.skipIf(!HAVE_SHARED)('int8 accuracy vs float on the 1000 imagenet-samples (issue 4 targets)', () => {
  for (const file of ['mobilenet_v1_0.25_128_imagenet.onnx', 'mobilenet_v1_0.25_224_imagenet.onnx']) {
    it(`${file}: top-1 within 1.0 point of float, agreement ≥ 88 %, logits SQNR ≥ 20 dB`, async () => {
      const m = sharedModel(file);
      const all = evalItems(sharedPath('images', 'imagenet-samples'), sharedPath('images', 'imagenet-samples', 'labels.csv'), undefined, undefined, m.classes);
      expect(all.length).toBe(1000);
      expect(all.every((x) => x.label !== undefined)).toBe(true);
      const items = all;
      const t0 = performance.now();
      const source = resolveModelSource(m.path);
      expect(source.scale).toBe(m.input.scale);
      const q = await runPipeline({ source, calibration: listImages(sharedPath('images', 'imagenet-val128')), options: { progress: 'none' } }, 'quantize');
      const r = await evaluate(q.passes, q.quantize, items, { inputScaling: source.scale, progress: 'none' });
      const secs = (performance.now() - t0) / 1000;
      const delta = 100 * (r.int8.top1 - r.float.top1);
      console.log(
        `${file} (${r.images} of 1000 imagenet-samples, calibrated on 50 imagenet-val128, ${secs.toFixed(1)} s): ` +
          `float top-1 ${(100 * r.float.top1).toFixed(1)} % top-5 ${(100 * r.float.top5).toFixed(1)} %, ` +
          `int8 top-1 ${(100 * r.int8.top1).toFixed(1)} % top-5 ${(100 * r.int8.top5).toFixed(1)} % (Δ ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points), ` +
          `agreement ${(100 * r.agreement).toFixed(1)} %, logits SQNR ${r.outputSqnr.toFixed(1)} dB`,
      );
      expect(r.images).toBe(1000);
      // the float path is sane (independent of our int8 code): near models.json's onnxruntime figure on all 1000
      expect(Math.abs(r.float.top1 - m.float_top1!['imagenet-samples'])).toBeLessThan(0.06);
      // soft: a miss on one target still checks (and reports) the others
      expect.soft(Math.abs(delta), 'int8 top-1 − float top-1, points').toBeLessThanOrEqual(1.0);
      expect.soft(r.agreement, 'top-1 agreement').toBeGreaterThanOrEqual(0.88);
      expect.soft(r.outputSqnr, 'logits SQNR, dB').toBeGreaterThanOrEqual(20);
    }, 900_000);
  }
});
