import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step, StepRows } from './lifetimes.js';
import { planMemory, planMemoryWithin } from './plan_memory.js';
import { planStream, replayStream, STREAM_BANDS, STREAM_STEP, streamableLayers, streamedSteps } from './stream.js';

/** A chain of row layers x0 → x1 → … (square, channels-last), then a whole-tensor step to `out`. */
function chain(h0: number, w0: number, c0: number, layers: { k: number; s: number; d?: number; p: number; c: number }[], scratch = 0): { steps: Step[]; sizes: Map<string, number> } {
  const steps: Step[] = [];
  const sizes = new Map<string, number>([['x0', h0 * w0 * c0]]);
  let [h, w, c] = [h0, w0, c0];
  layers.forEach((l, i) => {
    const d = l.d ?? 1;
    const oh = Math.floor((h + 2 * l.p - d * (l.k - 1) - 1) / l.s) + 1;
    const ow = Math.floor((w + 2 * l.p - d * (l.k - 1) - 1) / l.s) + 1;
    const rows: StepRows = { inH: h, outH: oh, inRowBytes: w * c, outRowBytes: ow * l.c, kernelH: l.k, strideH: l.s, dilationH: d, padTop: l.p };
    steps.push({ name: `L${i}`, inputs: [`x${i}`], outputs: [`x${i + 1}`], rows, ...(scratch ? { scratchBytes: scratch } : {}) });
    sizes.set(`x${i + 1}`, oh * ow * l.c);
    [h, w, c] = [oh, ow, l.c];
  });
  steps.push({ name: 'pool', inputs: [`x${layers.length}`], outputs: ['out'] });
  sizes.set('out', c);
  return { steps, sizes };
}

describe('row streaming: the schedule', () => {
  it('on random chains (odd sizes, strides 1-3, kernels 1-5, dilation, pads, bands 1-5): every tap reads the row it needs, no row twice, windows within capacity', () => {
    const layer = fc.record({ k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 2 }), c: fc.integer({ min: 1, max: 9 }) });
    fc.assert(fc.property(fc.integer({ min: 9, max: 41 }), fc.array(layer, { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 5 }), (h, layers, band) => {
      // keep layers whose output is at least one row, and pads below the kernel (as real models have)
      const fixed = layers.map((l) => ({ ...l, p: Math.min(l.p, (l.k - 1) * l.d) }));
      const { steps } = chain(h, 7, 3, fixed);
      fc.pre(steps.slice(0, -1).every((s) => s.rows!.outH >= 1));
      const n = streamableLayers({ steps, inputTensor: 'x0', outputTensor: 'out' });
      expect(n).toBe(fixed.length);
      const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, n, band); // replays the schedule: throws on a wrong read
      const { computed, asked } = replayStream(st);
      expect(st.layers.map((l) => l.rowsComputed)).toEqual(computed.map((c) => c.length));
      // the last layer makes every row; the reader is asked for rows in order, each once
      expect(computed[n - 1]).toEqual(Array.from({ length: st.layers[n - 1].rows.outH }, (_, i) => i));
      expect(asked).toEqual([...asked].sort((a, b) => a - b));
      expect(new Set(asked).size).toBe(asked.length);
      for (let j = 0; j < n - 1; j++) expect(computed[j]).toEqual([...computed[j]].sort((a, b) => a - b));
    }), { numRuns: 300, seed: 11 });
  });

  it('a MobileNet-like chain computes every row of every layer once (no halo recomputed) and reads every input row once, in any band', () => {
    const { steps } = chain(23, 5, 3, [{ k: 3, s: 2, p: 1, c: 8 }, { k: 3, s: 1, p: 1, c: 8 }, { k: 1, s: 1, p: 0, c: 16 }, { k: 3, s: 2, p: 1, c: 16 }]);
    for (const band of [1, 2, 3, 8]) {
      const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 4, band);
      const { computed, asked } = replayStream(st);
      expect(computed.map((c) => c.length)).toEqual(st.layers.map((l) => l.rows.outH));
      expect(st.layers.map((l) => l.rowsComputed)).toEqual(st.layers.map((l) => l.rows.outH));
      expect(asked).toEqual(Array.from({ length: 23 }, (_, i) => i));
    }
  });

  it('the replay fails a window too small for its band', () => {
    const { steps } = chain(16, 4, 3, [{ k: 3, s: 1, p: 1, c: 4 }, { k: 3, s: 2, p: 1, c: 4 }]);
    const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 2, 2);
    const small = { ...st, layers: st.layers.map((l, j) => (j === 1 ? { ...l, windowRows: l.windowRows - 1 } : l)) };
    expect(() => replayStream(small)).toThrow(/layer 1: window of 4 rows full before row/);
    const first = { ...st, layers: st.layers.map((l, j) => (j === 0 ? { ...l, windowRows: 2 } : l)) };
    expect(() => replayStream(first)).toThrow(/layer 0: window of 2 rows full before row/);
  });

  it('windows hold the kernel reach of input rows; the block is windows then the largest kernel scratch', () => {
    const { steps } = chain(20, 6, 3, [{ k: 3, s: 2, p: 1, c: 8 }, { k: 1, s: 1, p: 0, c: 4 }, { k: 3, s: 1, d: 2, p: 2, c: 4 }], 10);
    const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 3);
    // rows of 6×3, then 3×8 and 3×4 bytes; 3, 1 and (dilation 2) 5 rows; offsets 4-aligned
    expect(st.layers.map((l) => [l.windowRows, l.windowBytes, l.windowOffset])).toEqual([[3, 56, 0], [1, 24, 56], [5, 60, 80]]);
    expect(st).toMatchObject({ band: 1, scratchOffset: 140, scratchBytes: 12, blockBytes: 152, input: 'x0', output: 'x3' });
    // a band of 4 rows: (4 - 1) × stride more input rows per window
    const b4 = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 3, 4);
    expect(b4.layers.map((l) => l.windowRows)).toEqual([3 * 2 + 3, 3 + 1, 3 + 5]);
    expect(streamedSteps({ steps, inputTensor: 'x0', outputTensor: 'out' }, st).map((s) => s.name)).toEqual([STREAM_STEP, 'pool']);
  });

  it('stops at a tensor another step also reads, at the model output, and at a step without rows', () => {
    const { steps } = chain(16, 4, 3, [{ k: 3, s: 1, p: 1, c: 4 }, { k: 3, s: 1, p: 1, c: 4 }, { k: 3, s: 1, p: 1, c: 4 }]);
    const m = { inputTensor: 'x0', outputTensor: 'out' };
    expect(streamableLayers({ ...m, steps })).toBe(3);
    const branch = [...steps.slice(0, 3), { name: 'add', inputs: ['x3', 'x1'], outputs: ['y'] }, { name: 'pool', inputs: ['y'], outputs: ['out'] }];
    expect(streamableLayers({ ...m, steps: branch })).toBe(1); // x1 is read by the add too
    expect(streamableLayers({ ...m, steps: steps.slice(0, 3), outputTensor: 'x3' })).toBe(2);
    const { rows: _rows, ...plain } = steps[1];
    expect(streamableLayers({ ...m, steps: [steps[0], plain, ...steps.slice(2)] })).toBe(1);
    expect(() => planStream({ ...m, steps }, 4)).toThrow(/4 layers asked, 3 can be streamed/);
  });
});

describe('row streaming: the plan', () => {
  // MobileNet v1 0.25/96's first layers (the VWW network) and a tail that stands for the rest.
  const vww = () => {
    const { steps, sizes } = chain(96, 96, 3, [{ k: 3, s: 2, p: 1, c: 8 }, { k: 3, s: 1, p: 1, c: 8 }, { k: 1, s: 1, p: 0, c: 16 }, { k: 3, s: 2, p: 1, c: 16 }, { k: 1, s: 1, p: 0, c: 32 }]);
    return { steps, tensorBytes: sizes, inputTensor: 'x0', outputTensor: 'out' };
  };

  it('takes the input out of the arena, places the block as the stream step\'s scratch, and passes the replay', () => {
    const m = vww();
    const whole = planMemory(m);
    expect(whole.plan.offsets.has('x0')).toBe(true);
    const r = planMemory(m, { streamLayers: 4 });
    expect(r.plan.offsets.has('x0')).toBe(false);
    expect(r.external.has('x0')).toBe(true);
    expect(r.stream!.streamOffset).toBe(r.plan.offsets.get(`scratch:${STREAM_STEP}`));
    for (const t of ['x1', 'x2', 'x3']) expect(r.plan.offsets.has(t)).toBe(false);
    expect(r.plan.peakBytes).toBeLessThan(whole.plan.peakBytes);
    // the tail's two whole tensors (x4 and x5: this chain declares no access orders to overlap them)
    expect(r.plan.peakBytes).toBe(24 * 24 * 16 + 24 * 24 * 32);
  });

  it('--ram-limit: whole tensors when they fit, else the fewest streamed layers, with the largest band, that fit, else one line naming the layer', () => {
    const m = vww();
    const whole = planMemory(m).plan.peakBytes;
    expect(planMemoryWithin(m, whole).stream).toBeUndefined();
    const fits = (n: number, band = 1) => planMemory(m, { streamLayers: n, streamBand: band }).plan.peakBytes;
    const r = planMemoryWithin(m, whole - 1);
    const n = r.stream!.layers.length;
    expect(fits(n, r.stream!.band)).toBeLessThan(whole);
    for (const band of STREAM_BANDS.filter((b) => b > r.stream!.band)) expect(fits(n, band)).toBeGreaterThan(whole - 1);
    for (let k = 1; k < n; k++) for (const band of STREAM_BANDS) expect(fits(k, band)).toBeGreaterThan(whole - 1);
    const smallest = Math.min(...[0, 1, 2, 3, 4, 5].flatMap((k) => STREAM_BANDS.map((b) => fits(k, b))));
    expect(() => planMemoryWithin(m, smallest - 1)).toThrow(new RegExp(`^--ram-limit ${smallest - 1}: no plan fits; the smallest arena is ${smallest} bytes \\(with the first \\d layers streamed row by row, \\d+ rows? per kernel call\\), set by `));
  });
});
