/** `generate`: a seeded MobileNet v1 written as an ONNX file (atomically). */
import { exportOnnx } from '../onnx/export.js';
import { generateMobileNetV1, type MobileNetOptions } from '../generate/mobilenet.js';
import { inspectGraph, shortCount } from './inspect.js';
import { writeFileAtomic } from '../util/atomic_write.js';

/** Generates the model, writes it to `out`, and returns a one-line summary. */
export function generateModelFile(opts: MobileNetOptions, out: string): string {
  const g = generateMobileNetV1(opts);
  writeFileAtomic(out, exportOnnx(g));
  const { totals } = inspectGraph(g);
  return `wrote ${out}: MobileNet v1 width ${opts.width}, ${opts.resolution}×${opts.resolution}, ${opts.classes ?? 1000} classes, seed ${opts.seed ?? 1} (${shortCount(totals.macs)} MACs, ${shortCount(totals.params)} params)`;
}
