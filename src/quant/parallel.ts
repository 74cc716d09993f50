/**
 * quantizeGraph with the empirical bias correction spread over worker threads: each worker holds a
 * contiguous share of the int8 calibration inputs and, layer by layer, runs the new int8 layer on
 * its share and returns window sums; the quantizer (quantizeSteps) adds the workers' sums. The sums
 * are of raw int8 values, integers far below 2^53, so they are exact in any order: the model is
 * identical to quantizeGraph's whatever the worker count (parallel.test.ts checks it).
 *
 * Why: the correction runs the int8 reference over every calibration image (≈ one int8 inference
 * each), most of the time of a default quantization; two cores halve it.
 */
import type { Graph } from '../ir/graph.js';
import type { CalibrationStats } from './calibrate.js';
import { quantizeGraph, quantizeSteps, type Int8CalibrationRequest, type QuantizeOptions } from './quantize.js';
import type { QuantizedModel } from '../int8/types.js';
import { RequestWorker, resolveThreads } from './workers.js';

type CalibrationWorker = RequestWorker<Int8CalibrationRequest, { ok: boolean; sums?: Float64Array }>;

/**
 * As quantizeGraph, with the empirical bias correction on `threads` worker threads ('auto': see
 * autoThreads; 1, or no int8 calibration inputs: quantizeGraph itself).
 */
export async function quantizeGraphParallel(g: Graph, stats: CalibrationStats, opts: QuantizeOptions, threads: number | 'auto'): Promise<QuantizedModel> {
  const inputs = opts.calibrationInt8 ?? [];
  const n = Math.min(resolveThreads(threads, inputs.length), inputs.length);
  if (n <= 1) return quantizeGraph(g, stats, opts);
  const steps = quantizeSteps(g, stats, opts);
  let step = steps.next();
  if (step.done) return step.value; // no empirical correction: nothing to spread
  const workers: CalibrationWorker[] = [];
  try {
    for (let k = 0; k < n; k++) {
      const share = inputs.slice(Math.floor((k * inputs.length) / n), Math.floor(((k + 1) * inputs.length) / n));
      workers.push(new RequestWorker('parallel_worker_main.ts', { inputName: g.inputs[0], inputs: share }, 'bias correction'));
    }
    while (!step.done) {
      const req = step.value;
      const replies = await Promise.all(workers.map((w) => w.ask(req)));
      if (replies.length !== n) throw new Error(`bias correction: ${replies.length} of ${n} workers answered`);
      let sums: Float64Array | undefined;
      if (req.kind === 'sums') {
        sums = new Float64Array(req.geometry.taps);
        for (const r of replies) for (let t = 0; t < sums.length; t++) sums[t] += r.sums![t];
      }
      step = steps.next(sums);
    }
    return step.value;
  } finally {
    await Promise.all(workers.map((w) => w.close()));
  }
}
