import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../images/decode.js';
import { listImages } from '../images/list.js';
import { writeSyntheticImages } from './images.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-synth-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeSyntheticImages', () => {
  it('writes seeded, varied PNGs of the requested size', async () => {
    const paths = await writeSyntheticImages(join(tmp, 'a'), 4, [24, 32], 5);
    expect(listImages(join(tmp, 'a'))).toEqual(paths);
    const img = await decodeImage(paths[0]);
    expect([img.h, img.w]).toEqual([24, 32]);
    // varied: many distinct values, not saturated everywhere
    expect(new Set(img.data).size).toBeGreaterThan(50);
    const again = await writeSyntheticImages(join(tmp, 'b'), 4, [24, 32], 5);
    expect(readFileSync(again[2])).toEqual(readFileSync(paths[2]));
    const other = await writeSyntheticImages(join(tmp, 'c'), 1, [24, 32], 6);
    expect(readFileSync(other[0])).not.toEqual(readFileSync(paths[0]));
    const a = await decodeImage(paths[0]);
    const b = await decodeImage(paths[1]);
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
  });
});
