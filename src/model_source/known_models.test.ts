import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, sharedModel, skipMessage } from '../util/shared.js';
import { findKnownModel } from './known_models.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-known-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.skipIf(!HAVE_SHARED)('findKnownModel', () => {
  skipMessage('label lookup in models.json');
  it('recognises a renamed copy by sha256, a same-named file by name, and nothing else', () => {
    const flowers = sharedModel('mobilenet_v1_0.25_96_flowers.onnx');
    const copy = join(tmp, 'renamed.onnx');
    copyFileSync(flowers.path, copy);
    const k = findKnownModel(copy, readFileSync(copy))!;
    expect(k).toMatchObject({ file: 'mobilenet_v1_0.25_96_flowers.onnx', scale: 'x/127.5-1', matchedBy: 'sha256' });
    expect(k.labels).toEqual(['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips']);

    const sameName = join(tmp, 'vww_96_mlcommons.onnx');
    writeFileSync(sameName, 'different bytes');
    expect(findKnownModel(sameName, readFileSync(sameName))).toMatchObject({ file: 'vww_96_mlcommons.onnx', scale: 'x/255', matchedBy: 'file name' });

    writeFileSync(join(tmp, 'other.onnx'), 'x');
    expect(findKnownModel(join(tmp, 'other.onnx'), readFileSync(join(tmp, 'other.onnx')))).toBeUndefined();
    // A TF.js folder is known by its name without the variant suffix.
    expect(findKnownModel('vww_96_mlcommons_fused', Buffer.from('{}'))).toMatchObject({ file: 'vww_96_mlcommons.onnx', scale: 'x/255', matchedBy: 'file name' });
  });

  it('gives the 1000 ImageNet class names in Keras order', () => {
    const p = sharedModel('mobilenet_v1_0.25_128_imagenet.onnx').path;
    const k = findKnownModel(p, readFileSync(p))!;
    expect(k.labels).toHaveLength(1000);
    expect([k.labels[0], k.labels[1], k.labels[999]]).toEqual(['tench', 'goldfish', 'toilet_tissue']);
  });
});
