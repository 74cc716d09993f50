/**
 * Worker threads that answer one request at a time: the bias correction's (parallel.ts) and the
 * evaluation's int8 runs (index.ts evaluate). Each worker starts from parallel_worker.mjs, which
 * loads the TypeScript module `entry` (a file beside this one) through tsx; the module answers
 * `{ ok: true, ...result }` or `{ ok: false, error }` to every message.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { UserError } from '../util/errors.js';

/** Fewer work items than this per worker are not worth a thread's start-up. */
const MIN_ITEMS_PER_WORKER = 8;
/**
 * Work (ms) a worker must get to pay for its start-up: a worker loads every module through tsx,
 * about a second on this project's 2-core reference machine.
 */
const MIN_MS_PER_WORKER = 2000;

/**
 * The worker count `threads: 'auto'` picks: one per core, at most 4, and enough items for each
 * (and, when the cost of one item is known, enough milliseconds of work for each: minMsPerWorker,
 * which tests lower to reach the workers with few inputs).
 */
export function autoThreads(items: number, itemMs?: number, minMsPerWorker = MIN_MS_PER_WORKER): number {
  const byWork = itemMs === undefined || minMsPerWorker <= 0 ? Infinity : Math.floor((items * itemMs) / minMsPerWorker);
  return Math.max(1, Math.min(availableParallelism(), 4, Math.floor(items / MIN_ITEMS_PER_WORKER), byWork));
}

/** A thread count from an option: 'auto' / undefined → autoThreads(items); otherwise a positive integer. */
export function resolveThreads(threads: number | 'auto' | undefined, items: number): number {
  if (threads === undefined || threads === 'auto') return autoThreads(items);
  if (!Number.isInteger(threads) || threads < 1) throw new UserError(`threads ${threads}: must be a positive integer`);
  return threads;
}

export interface WorkerReply { readonly ok: boolean; readonly error?: string }

export class RequestWorker<Req, Reply extends WorkerReply> {
  private readonly worker: Worker;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;

  /** `entry`: the worker module's file name beside this file, e.g. 'parallel_worker_main.ts'; `what` names it in errors. */
  constructor(entry: string, workerData: unknown, private readonly what: string) {
    this.worker = new Worker(new URL('./parallel_worker.mjs', import.meta.url), {
      workerData: { entry: new URL(`./${entry}`, import.meta.url).href, data: workerData },
    });
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
    this.worker.on('exit', (code) => fail(new Error(`${this.what} worker exited (code ${code})`)));
  }

  /** Sends one request; rejects when the worker fails or answers { ok: false }. */
  async ask(req: Req, transfer: readonly ArrayBuffer[] = []): Promise<Reply> {
    if (this.failure) throw this.failure;
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(req, [...transfer]);
    });
    if (!reply.ok) throw new Error(`${this.what} worker: ${reply.error}`);
    return reply;
  }

  async close(): Promise<void> {
    this.worker.removeAllListeners('exit');
    await this.worker.terminate();
  }
}

/** Answers a worker's messages with `handle` (in the worker module). */
export async function serveRequests<Req>(handle: (req: Req) => { result: object; transfer?: ArrayBuffer[] }): Promise<void> {
  const { parentPort } = await import('node:worker_threads');
  parentPort!.on('message', (req: Req) => {
    try {
      const { result, transfer } = handle(req);
      parentPort!.postMessage({ ok: true, ...result }, transfer ?? []);
    } catch (e) {
      parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  });
}

/** What the worker was started with (in the worker module). */
export async function workerInput<T>(): Promise<T> {
  const { workerData } = await import('node:worker_threads');
  return (workerData as { data: T }).data;
}
