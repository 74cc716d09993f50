/**
 * The integer reference on worker threads, for work over many inputs (`eval`'s images, `verify`'s
 * reference outputs): each worker holds the model (int8_worker_main.ts) and runs runInt8 on the
 * inputs it is sent, one at a time; `run` hands an input to the next free worker.
 */
import { runInt8 } from './interpret_int8.js';
import type { QuantizedModel } from '../int8/types.js';
import { autoThreads, RequestWorker, resolveThreads } from './workers.js';

type Int8Worker = RequestWorker<{ input: Int8Array }, { ok: boolean; raw?: Int8Array }>;

export class Int8WorkerPool {
  private readonly workers: Int8Worker[];
  private readonly idle: Int8Worker[];
  private readonly waiting: ((w: Int8Worker) => void)[] = [];

  /** `threads` ≥ 2 workers (fewer threads: run in this thread instead). */
  constructor(model: QuantizedModel, threads: number) {
    this.workers = Array.from({ length: threads }, () => new RequestWorker('int8_worker_main.ts', model, 'int8 reference'));
    this.idle = [...this.workers];
  }

  /** The model's raw int8 output for `input`, computed by the next free worker. */
  async run(input: Int8Array): Promise<Int8Array> {
    const w = this.idle.pop() ?? (await new Promise<Int8Worker>((r) => this.waiting.push(r)));
    try {
      return (await w.ask({ input })).raw!;
    } finally {
      const next = this.waiting.shift();
      if (next) next(w);
      else this.idle.push(w);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/**
 * runInt8(model, x).raw for every input, in input order. On worker threads when `threads` says so;
 * with 'auto' (the default) the first input is run here and timed, and workers start only when the
 * rest is worth their start-up (autoThreads: one per core, up to 4, ≥ 8 inputs and ≥ 2 s each;
 * `minMsPerWorker` overrides the 2 s, for tests).
 */
export async function runInt8Raw(model: QuantizedModel, inputs: readonly Int8Array[], threads?: number | 'auto', onEach?: () => void, minMsPerWorker?: number): Promise<Int8Array[]> {
  const here = (x: Int8Array) => { const raw = runInt8(model, x).raw; onEach?.(); return raw; };
  const head: Int8Array[] = [];
  let n: number;
  if (threads === undefined || threads === 'auto') {
    if (inputs.length === 0) return [];
    const t0 = performance.now();
    head.push(here(inputs[0]));
    n = Math.min(autoThreads(inputs.length - 1, performance.now() - t0, minMsPerWorker), inputs.length - 1);
  } else {
    n = Math.min(resolveThreads(threads, inputs.length), inputs.length);
  }
  const rest = inputs.slice(head.length);
  if (n <= 1) return [...head, ...rest.map(here)];
  const pool = new Int8WorkerPool(model, n);
  try {
    return [...head, ...(await Promise.all(rest.map((x) => pool.run(x).then((raw) => { onEach?.(); return raw; }))))];
  } finally {
    await pool.close();
  }
}
