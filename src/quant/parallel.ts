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
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Graph } from '../ir/graph.js';
import type { CalibrationStats } from './calibrate.js';
import { quantizeGraph, quantizeSteps, type Int8CalibrationRequest, type QuantizeOptions } from './quantize.js';
import type { QuantizedModel } from './types.js';
import { UserError } from '../util/errors.js';

/** Fewer calibration inputs than this per worker are not worth a thread's start-up (≈ 0.3 s). */
const MIN_INPUTS_PER_WORKER = 8;

/** The worker count `threads: 'auto'` picks: one per core, at most 4, and enough inputs for each. */
export function autoThreads(inputs: number): number {
  return Math.max(1, Math.min(availableParallelism(), 4, Math.floor(inputs / MIN_INPUTS_PER_WORKER)));
}

interface Reply { ok: boolean; sums?: Float64Array; error?: string }

class CalibrationWorker {
  private readonly worker: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  constructor(inputName: string, inputs: Int8Array[]) {
    this.worker = new Worker(new URL('./parallel_worker.mjs', import.meta.url), { workerData: { inputName, inputs } });
    this.worker.on('message', (r: Reply) => {
      const p = this.pending;
      this.pending = undefined;
      p?.resolve(r);
    });
    const fail = (e: Error) => {
      this.failure = e;
      this.pending?.reject(e);
      this.pending = undefined;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`bias correction worker exited (code ${code})`)));
  }

  ask(req: Int8CalibrationRequest): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(req);
    });
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/**
 * As quantizeGraph, with the empirical bias correction on `threads` worker threads
 * (1, or no int8 calibration inputs: quantizeGraph itself).
 */
export async function quantizeGraphParallel(g: Graph, stats: CalibrationStats, opts: QuantizeOptions, threads: number): Promise<QuantizedModel> {
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`threads ${threads}: must be a positive integer`);
  const inputs = opts.calibrationInt8 ?? [];
  const n = Math.min(threads, inputs.length);
  if (n <= 1) return quantizeGraph(g, stats, opts);
  const steps = quantizeSteps(g, stats, opts);
  let step = steps.next();
  if (step.done) return step.value; // no empirical correction: nothing to spread
  const workers: CalibrationWorker[] = [];
  try {
    for (let k = 0; k < n; k++) {
      const share = inputs.slice(Math.floor((k * inputs.length) / n), Math.floor(((k + 1) * inputs.length) / n));
      workers.push(new CalibrationWorker(g.inputs[0], share));
    }
    while (!step.done) {
      const req = step.value;
      const replies = await Promise.all(workers.map((w) => w.ask(req)));
      if (replies.length !== n) throw new Error(`bias correction: ${replies.length} of ${n} workers answered`);
      const failed = replies.find((r) => !r.ok);
      if (failed) throw new Error(`bias correction worker: ${failed.error}`);
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
