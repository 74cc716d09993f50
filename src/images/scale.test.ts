import { describe, expect, it } from 'vitest';
import { parseScale, scaleToNchw } from './scale.js';

describe('parseScale', () => {
  it('knows the standard specs', () => {
    expect(parseScale('x/127.5-1')).toMatchObject({ mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] });
    expect(parseScale('x/255')).toMatchObject({ mean: [0, 0, 0], std: [255, 255, 255] });
    expect(parseScale('x')).toMatchObject({ mean: [0, 0, 0], std: [1, 1, 1] });
  });

  it('reads mean/std per channel or for all channels', () => {
    expect(parseScale('mean=123.675,116.28,103.53;std=58.395,57.12,57.375')).toMatchObject({
      mean: [123.675, 116.28, 103.53],
      std: [58.395, 57.12, 57.375],
    });
    expect(parseScale('mean=128; std=64')).toMatchObject({ mean: [128, 128, 128], std: [64, 64, 64] });
  });

  it('rejects anything else with a message naming the spec', () => {
    expect(() => parseScale('x/2')).toThrow(/--scale 'x\/2': expected/);
    expect(() => parseScale('mean=1,2;std=1')).toThrow(/mean needs 1 or 3 values, got 2/);
    expect(() => parseScale('mean=a;std=1')).toThrow(/mean must be comma-separated numbers/);
    expect(() => parseScale('mean=1;std=0')).toThrow(/std must not be 0/);
  });
});

describe('scaleToNchw', () => {
  it('scales HWC pixels into NCHW planes', () => {
    // 1 × 2 image: pixel 0 = (0, 255, 51), pixel 1 = (127.5, 102, 204)
    const out = scaleToNchw([0, 255, 51, 127.5, 102, 204], 1, 2, parseScale('x/127.5-1'));
    // planes: R = (0, 127.5), G = (255, 102), B = (51, 204)
    expect(Array.from(out)).toEqual([-1, 0, 1, Math.fround(-0.2), Math.fround(-0.6), Math.fround(0.6)]);
    const u = scaleToNchw([0, 255, 51, 127.5, 102, 204], 1, 2, parseScale('x/255'));
    expect(Array.from(u)).toEqual([0, 0.5, 1, 0.4000000059604645, 0.20000000298023224, 0.800000011920929]);
    const ms = scaleToNchw([10, 20, 30], 1, 1, parseScale('mean=0,10,20;std=2,5,10'));
    expect(Array.from(ms)).toEqual([5, 2, 1]);
  });
});
