/**
 * evaluate() with the integer reference on worker threads gives exactly the in-thread result
 * (the outcomes are summed in image order either way), and a worker failure is an error;
 * runInt8Raw (verify's references) returns runInt8's outputs in input order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from './calibrate.js';
import type { WeightedFields } from '../int8/types.js';
import { evaluate, type EvalItem } from './index.js';
import { runInt8Raw } from './int8_pool.js';
import { pixelsToInt8Nchw, runInt8 } from './interpret_int8.js';
import { quantizeGraph } from './quantize.js';
import { pixelsToFloat, randomPixels, tinyMobileNet } from './testing.js';

const SIZE = 16;
const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-evaluate-'));
const items: EvalItem[] = [];

beforeAll(async () => {
  for (let i = 0; i < 20; i++) {
    const path = join(dir, `img${i}.png`);
    await sharp(Buffer.from(randomPixels(700 + i, SIZE)), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toFile(path);
    items.push({ path, label: i % 10 });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('evaluate on worker threads', () => {
  const g = tinyMobileNet(21, { size: SIZE });
  const px = Array.from({ length: 8 }, (_, i) => randomPixels(900 + i, SIZE));
  const stats = calibrate(g, px.map((p) => pixelsToFloat(p, SIZE, 127.5, 127.5)), { method: 'minmax', progress: 'none' });
  const model = quantizeGraph(g, stats, { inputScaling: 'x/127.5-1', calibrationInt8: px.map((p) => pixelsToInt8Nchw(p, SIZE, SIZE)) });
  const opts = { inputScaling: 'x/127.5-1', progress: 'none' } as const;

  it('equals the in-thread evaluation with 2 and 3 workers', async () => {
    const one = await evaluate(g, model, items, { ...opts, threads: 1 });
    expect(one.images).toBe(20);
    expect(Number.isFinite(one.outputSqnr)).toBe(true);
    expect(one.agreement).toBeGreaterThan(0);
    for (const threads of [2, 3]) expect(await evaluate(g, model, items, { ...opts, threads })).toEqual(one);
  }, 60_000);

  it('reports a worker failure as an error', async () => {
    // A layer whose weights do not fit its shapes: runLayerInt8 refuses it inside the workers.
    const broken = { ...model, layers: model.layers.map((l, i) => (i === 0 ? { ...l, weights: (l as unknown as WeightedFields).weights.subarray(1) } : l)) };
    await expect(evaluate(g, broken, items, { ...opts, threads: 2 })).rejects.toThrow(/int8 reference worker: int8: layer '.*' \(conv2d\): weights of shape/);
  }, 60_000);

  it('runInt8Raw on 2 workers returns runInt8\'s outputs in input order', async () => {
    const inputs = Array.from({ length: 12 }, (_, i) => pixelsToInt8Nchw(randomPixels(1100 + i, SIZE), SIZE, SIZE));
    const want = inputs.map((x) => Array.from(runInt8(model, x).raw));
    expect(new Set(want.map((w) => w.join())).size).toBeGreaterThan(1); // the inputs give different outputs
    let reported = 0; // the progress callback: once per input, on workers and in this thread
    expect((await runInt8Raw(model, inputs, 2, () => reported++)).map((r) => Array.from(r))).toEqual(want);
    expect(reported).toBe(inputs.length);
    expect((await runInt8Raw(model, inputs.slice(0, 3), 1, () => reported++)).map((r) => Array.from(r))).toEqual(want.slice(0, 3));
    expect(reported).toBe(inputs.length + 3);
  }, 60_000);

  it("runInt8Raw 'auto': the first input here, the rest on workers when worth it, in input order", async () => {
    const inputs = Array.from({ length: 17 }, (_, i) => pixelsToInt8Nchw(randomPixels(1200 + i, SIZE), SIZE, SIZE));
    const want = inputs.map((x) => Array.from(runInt8(model, x).raw));
    let reported = 0;
    // no minimum work per worker: 16 inputs after the timed first one give two workers on two cores
    expect((await runInt8Raw(model, inputs, 'auto', () => reported++, 0)).map((r) => Array.from(r))).toEqual(want);
    expect(reported).toBe(inputs.length);
    // the default minimum (2 s per worker) keeps these microsecond inputs in this thread: same result
    expect((await runInt8Raw(model, inputs, 'auto', () => reported++)).map((r) => Array.from(r))).toEqual(want);
    expect(reported).toBe(2 * inputs.length);
    expect(await runInt8Raw(model, [], 'auto')).toEqual([]);
  }, 60_000);
});
