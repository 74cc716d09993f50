/**
 * Test helper: a small converted folder (a generated MobileNet v1 0.25/32, 3 classes, seeded
 * weights, calibrated on 6 seeded synthetic images with the TypeScript float engine), as
 * `onnx2mcu convert` writes it. Used by *.test.ts only.
 */
import { join } from 'node:path';
import { convertModel, type ConvertResult } from '../cli/convert.js';
import { writeSyntheticImages } from '../generate/images.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { exportOnnx } from '../onnx/export.js';
import { writeFileAtomic } from '../util/atomic_write.js';

export interface SmallConversion {
  readonly out: string;
  readonly model: string;
  readonly calib: string;
  readonly result: ConvertResult;
}

export async function convertSmallModel(work: string, resolution = 32): Promise<SmallConversion> {
  const model = join(work, `mobilenet_v1_0.25_${resolution}.onnx`);
  writeFileAtomic(model, exportOnnx(generateMobileNetV1({ width: 0.25, resolution, classes: 3, seed: 1 })));
  const calib = join(work, 'calib');
  await writeSyntheticImages(calib, 6, [resolution, resolution], 1);
  const out = join(work, 'converted');
  const result = await convertModel({ model, calib, out, inputScaling: 'x/127.5-1', engine: 'ts', threads: 1, progress: 'none' });
  return { out, model, calib, result };
}
