import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Step, StepRows } from './lifetimes.js';
import { planMemory, planMemoryWithin } from './plan_memory.js';
import { planStream, rowSpan, STREAM_STEP, streamableLayers, streamedSteps } from './stream.js';

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

/**
 * Replays the C runner's schedule (src/emit/model_c.ts: stream_<layer>, keep_rows) on row indices:
 * the last layer is asked for each of its output rows in order, each layer keeps a window and asks
 * the one before for the rows it lacks. Fails if a kernel would read a row its window does not hold,
 * a window outgrows its capacity, or any row of any layer is computed twice (extra MACs).
 */
function replaySchedule(st: ReturnType<typeof planStream>): { computed: number[][]; asked: number[] } {
  const n = st.layers.length;
  const win = st.layers.map(() => ({ first: 0, rows: [] as number[] }));
  const computed = st.layers.map(() => [] as number[]);
  const asked: number[] = []; // input rows the reader was asked for
  const produce = (j: number, oy: number): void => {
    const g = st.layers[j].rows;
    const { lo, hi, padTop } = rowSpan(g, oy);
    const w = win[j];
    // keep_rows
    const drop = lo - w.first;
    if (drop > 0) {
      w.rows = drop >= w.rows.length ? [] : w.rows.slice(drop);
      w.first = lo;
    }
    while (w.first + w.rows.length <= hi) {
      const row = w.first + w.rows.length;
      if (j === 0) asked.push(row);
      else produce(j - 1, row);
      w.rows.push(row);
      if (w.rows.length > st.layers[j].windowRows) throw new Error(`layer ${j}: window holds ${w.rows.length} rows, capacity ${st.layers[j].windowRows}`);
    }
    // the kernel with input.h = hi - lo + 1, pad_top = padTop reads rows top + ky·d inside [0, count)
    for (let ky = 0; ky < g.kernelH; ky++) {
      const local = -padTop + ky * g.dilationH;
      const global = oy * g.strideH - g.padTop + ky * g.dilationH;
      if (global < 0 || global >= g.inH) continue; // padding
      if (local < 0 || local > hi - lo || w.rows[local] !== global) throw new Error(`layer ${j} row ${oy}: tap ${ky} reads window slot ${local}, which holds ${w.rows[local]}, not row ${global}`);
    }
    if (computed[j].includes(oy)) throw new Error(`layer ${j}: row ${oy} computed twice`);
    computed[j].push(oy);
  };
  for (let oy = 0; oy < st.layers[n - 1].rows.outH; oy++) produce(n - 1, oy);
  return { computed, asked };
}

describe('row streaming: the schedule', () => {
  it('on random chains (odd sizes, strides 1-3, kernels 1-5, dilation, pads): every tap reads the row it needs, no row twice, windows within capacity', () => {
    const layer = fc.record({ k: fc.integer({ min: 1, max: 5 }), s: fc.integer({ min: 1, max: 3 }), d: fc.integer({ min: 1, max: 2 }), p: fc.integer({ min: 0, max: 2 }), c: fc.integer({ min: 1, max: 9 }) });
    fc.assert(fc.property(fc.integer({ min: 9, max: 41 }), fc.array(layer, { minLength: 1, maxLength: 5 }), (h, layers) => {
      // keep layers whose output is at least one row, and pads below the kernel (as real models have)
      const fixed = layers.map((l) => ({ ...l, p: Math.min(l.p, (l.k - 1) * l.d) }));
      const { steps } = chain(h, 7, 3, fixed);
      fc.pre(steps.slice(0, -1).every((s) => s.rows!.outH >= 1));
      const n = streamableLayers({ steps, inputTensor: 'x0', outputTensor: 'out' });
      expect(n).toBe(fixed.length);
      const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, n);
      const { computed, asked } = replaySchedule(st);
      // the last layer makes every row; the reader is asked for rows in order, each once
      expect(computed[n - 1]).toEqual(Array.from({ length: st.layers[n - 1].rows.outH }, (_, i) => i));
      expect(asked).toEqual([...asked].sort((a, b) => a - b));
      expect(new Set(asked).size).toBe(asked.length);
      for (let j = 0; j < n - 1; j++) expect(computed[j]).toEqual([...computed[j]].sort((a, b) => a - b));
    }), { numRuns: 300, seed: 11 });
  });

  it('a stride-1 chain computes every row of every layer once (no halo recomputed), and reads every input row once', () => {
    const { steps } = chain(23, 5, 3, [{ k: 3, s: 2, p: 1, c: 8 }, { k: 3, s: 1, p: 1, c: 8 }, { k: 1, s: 1, p: 0, c: 16 }, { k: 3, s: 2, p: 1, c: 16 }]);
    const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 4);
    const { computed, asked } = replaySchedule(st);
    expect(computed.map((c) => c.length)).toEqual(st.layers.map((l) => l.rows.outH));
    expect(asked).toEqual(Array.from({ length: 23 }, (_, i) => i));
  });

  it('windows hold the kernel reach of input rows; the block is windows then the largest kernel scratch', () => {
    const { steps } = chain(20, 6, 3, [{ k: 3, s: 2, p: 1, c: 8 }, { k: 1, s: 1, p: 0, c: 4 }, { k: 3, s: 1, d: 2, p: 2, c: 4 }], 10);
    const st = planStream({ steps, inputTensor: 'x0', outputTensor: 'out' }, 3);
    // rows of 6×3, then 3×8 and 3×4 bytes; 3, 1 and (dilation 2) 5 rows; offsets 4-aligned
    expect(st.layers.map((l) => [l.windowRows, l.windowBytes, l.windowOffset])).toEqual([[3, 56, 0], [1, 24, 56], [5, 60, 80]]);
    expect(st).toMatchObject({ scratchOffset: 140, scratchBytes: 12, blockBytes: 152, input: 'x0', output: 'x3' });
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

  it('--ram-limit: whole tensors when they fit, else the fewest streamed layers that fit, else one line naming the layer', () => {
    const m = vww();
    const whole = planMemory(m).plan.peakBytes;
    expect(planMemoryWithin(m, whole).stream).toBeUndefined();
    const fits = (n: number) => planMemory(m, { streamLayers: n }).plan.peakBytes;
    const r = planMemoryWithin(m, whole - 1);
    const n = r.stream!.layers.length;
    expect(fits(n)).toBeLessThan(whole);
    for (let k = 1; k < n; k++) expect(fits(k)).toBeGreaterThan(whole - 1);
    const smallest = Math.min(...[0, 1, 2, 3, 4, 5].map(fits));
    expect(() => planMemoryWithin(m, smallest - 1)).toThrow(new RegExp(`^--ram-limit ${smallest - 1}: no plan fits; the smallest arena is ${smallest} bytes \\(with the first \\d layers streamed row by row\\), set by `));
  });
});
