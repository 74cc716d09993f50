/**
 * The bias correction on worker threads gives the same model as in this thread, byte for byte,
 * whatever the worker count (the window sums are exact integers); a worker's failure surfaces as
 * an error naming the tensor.
 */
import { hasWeights } from '../int8/types.js';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { calibrate } from './calibrate.js';
import { pixelsToInt8Nchw } from './interpret_int8.js';
import { quantizeGraphParallel } from './parallel.js';
import { autoThreads } from './workers.js';
import { quantizeGraph } from './quantize.js';
import { pixelsToFloat, randomPixels, tinyMobileNet } from './testing.js';

const SIZE = 16;
const images = Array.from({ length: 7 }, (_, i) => randomPixels(300 + i, SIZE));
const floats = images.map((px) => pixelsToFloat(px, SIZE, 127.5, 127.5));
const int8s = images.map((px) => pixelsToInt8Nchw(px, SIZE, SIZE));

describe('quantizeGraphParallel', () => {
  const g = tinyMobileNet(11, { size: SIZE, deadChannel: true });
  const stats = calibrate(g, floats, { method: 'mse', progress: 'none' });
  const opts = { inputScaling: 'x/127.5-1', calibrationInt8: int8s } as const;
  const single = quantizeGraph(g, stats, opts);

  it.each([2, 3])('with %i workers equals quantizeGraph in this thread, byte for byte', async (threads) => {
    const parallel = await quantizeGraphParallel(g, stats, opts, threads);
    expect(parallel).toEqual(single);
    // The correction did something, so equality is not vacuous: it differs from no correction.
    const uncorrected = quantizeGraph(g, stats, { ...opts, biasCorrection: false });
    const biases = (m: typeof single) => m.layers.map((l) => (hasWeights(l) ? Array.from(l.bias) : []));
    expect(biases(single)).not.toEqual(biases(uncorrected));
  }, 30_000);

  it('reports a worker failure as an error', async () => {
    // Inputs of the wrong length: the first request fails inside the workers.
    const bad = { ...opts, calibrationInt8: int8s.map((x) => x.subarray(0, 10)) };
    await expect(quantizeGraphParallel(g, stats, bad, 2)).rejects.toThrow(/bias correction worker: window sums: a tensor of 10 values, the window expects 768/);
  }, 30_000);

  it('refuses a thread count that is not a positive integer', async () => {
    for (const bad of [NaN, 0, -1, 2.5]) await expect(quantizeGraphParallel(g, stats, opts, bad)).rejects.toThrow(/must be a positive integer/);
  });

  it('picks one worker per core, at most 4, with at least 8 inputs each', () => {
    expect(autoThreads(7)).toBe(1);
    expect(autoThreads(16)).toBeLessThanOrEqual(2);
    expect(autoThreads(1000)).toBeLessThanOrEqual(4);
    expect(autoThreads(1000)).toBeGreaterThanOrEqual(1);
    // with the cost of one item known: at least 2 s of work per worker by default
    expect(autoThreads(100, 10)).toBe(1); // 1 s of work in all
    expect(autoThreads(100, 50)).toBe(Math.min(2, availableParallelism())); // 5 s: two workers' worth
    expect(autoThreads(100, 10, 0)).toBe(Math.min(4, availableParallelism())); // no minimum: one per core
  });
});
