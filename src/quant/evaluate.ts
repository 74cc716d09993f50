/**
 * evaluate: float against int8 on labelled images — top-1/top-5 of both, their top-1 agreement,
 * the SQNR of the int8 logits, and per layer the SQNR of every int8 activation against float.
 */
import type { Graph } from '../ir/graph.js';
import { runFloat } from '../graph/interpret.js';
import type { QuantizedModel } from '../int8/types.js';
import { createOrtEngine, type FloatEngine } from './ort_engine.js';
import { dequantize, int8Outputs, runInt8, type Int8RunResult } from './interpret_int8.js';
import { Int8WorkerPool } from './int8_pool.js';
import { resolveThreads } from './workers.js';
import { Progress, type ProgressMode } from '../progress/progress.js';
import { inputSize, loadImageInput } from './images.js';

export interface EvalItem {
  readonly path: string;
  /** The true class index, or undefined when unlabelled (then only agreement counts). */
  readonly label?: number;
}

export interface EvalOptions {
  /** The model's float input scaling. */
  readonly inputScaling: string;
  /** SQNR of every int8 activation against float. */
  readonly perLayer?: boolean;
  readonly progress?: ProgressMode;
  /** Float engine: 'ort' (default, onnxruntime-node; see ort_engine.ts) or 'ts' (the TypeScript interpreter). */
  readonly engine?: 'ort' | 'ts';
  /** Worker threads for the integer reference (default 'auto'; 1 with perLayer). The result is the same. */
  readonly threads?: number | 'auto';
}

export interface TopK { readonly top1: number; readonly top5: number }

export interface EvalResult {
  readonly images: number;
  readonly float: TopK;
  readonly int8: TopK;
  /** Share of images where float and int8 top-1 agree. */
  readonly agreement: number;
  /** SQNR (dB) of the dequantized int8 output (logits) against float, over all images. */
  readonly outputSqnr: number;
  /** Per layer output: SQNR in dB (with perLayer). */
  readonly perLayer?: readonly { readonly layer: string; readonly tensor: string; readonly sqnr: number }[];
}

function topK(v: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: v.length }, (_, i) => i);
  idx.sort((a, b) => v[b] - v[a] || a - b);
  return idx.slice(0, k);
}

/** 10·log10(signal energy / noise energy); Infinity when exact. */
export function sqnrDb(signal: number, noise: number): number {
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** One image's outcome, kept until all are in so that the sums run in image order whatever the threads. */
interface ItemOutcome {
  readonly floatTop: number[];
  readonly int8Top: number[];
  readonly label?: number;
  readonly signal: number;
  readonly noise: number;
}

function itemOutcome(item: EvalItem, floatOut: Float32Array, floatLogits: Float32Array | undefined, q: Omit<Int8RunResult, 'tensors'>): ItemOutcome {
  let signal = 0, noise = 0;
  if (floatLogits) for (let i = 0; i < floatLogits.length; i++) { signal += floatLogits[i] ** 2; noise += (floatLogits[i] - q.dequantized[i]) ** 2; }
  return { floatTop: topK(floatOut, 5), int8Top: topK(q.output, 5), label: item.label, signal, noise };
}

/**
 * Float vs int8 over labelled images. The main thread loads each image and runs float (onnxruntime
 * by default); the integer reference runs on `threads` worker threads (default one per core, up
 * to 4, with at least 8 images each; in this thread with --per-layer, which needs every tensor).
 */
export async function evaluate(g: Graph, model: QuantizedModel, items: readonly EvalItem[], opts: EvalOptions): Promise<EvalResult> {
  const size = inputSize(g);
  const inputName = g.inputs[0];
  const logitsName = model.output.name;
  const layerSig = new Map<string, number>();
  const layerNoise = new Map<string, number>();
  const outcomes: ItemOutcome[] = new Array(items.length);
  const progress = new Progress('evaluating', items.length, opts.progress ?? 'auto', { unit: 'images' });
  const threads = opts.perLayer ? 1 : resolveThreads(opts.threads, items.length);
  const engine: FloatEngine = (opts.engine ?? 'ort') === 'ort'
    ? await createOrtEngine(g)
    : { run: async (x) => runFloat(g, { [inputName]: x }, { keep: 'all' }), release: async () => {} };
  const pool = threads > 1 ? new Int8WorkerPool(model, threads) : undefined;
  const inFlight: Promise<void>[] = [];
  let failure: unknown;
  try {
    for (const [i, item] of items.entries()) {
      if (failure) throw failure;
      const input = await loadImageInput(item.path, size, opts.inputScaling);
      const fl = await engine.run(input.float);
      const floatOut = fl.get(model.output.floatOutput)!.data as Float32Array;
      const floatLogits = fl.get(logitsName)?.data as Float32Array | undefined;
      if (pool) {
        // At most `threads` images wait for their int8 run while the next ones load.
        if (inFlight.length >= threads) await Promise.race(inFlight);
        const job: Promise<void> = pool.run(input.int8)
          .then((raw) => { outcomes[i] = itemOutcome(item, floatOut, floatLogits, int8Outputs(model, raw)); progress.tick(); })
          .catch((e: unknown) => { failure ??= e; })
          .finally(() => inFlight.splice(inFlight.indexOf(job), 1));
        inFlight.push(job);
        continue;
      }
      const res = runInt8(model, input.int8, { keep: opts.perLayer ? 'all' : 'outputs' });
      outcomes[i] = itemOutcome(item, floatOut, floatLogits, res);
      if (opts.perLayer && res.tensors) {
        for (const l of model.layers) {
          const f = fl.get(l.output)?.data as Float32Array | undefined;
          const qd = dequantize(res.tensors.get(l.output)!, l.outputQ);
          if (!f) continue;
          let s = 0, n = 0;
          for (let k = 0; k < f.length; k++) { s += f[k] * f[k]; n += (f[k] - qd[k]) ** 2; }
          layerSig.set(l.name, (layerSig.get(l.name) ?? 0) + s);
          layerNoise.set(l.name, (layerNoise.get(l.name) ?? 0) + n);
        }
      }
      progress.tick();
    }
    await Promise.all(inFlight);
    if (failure) throw failure;
  } finally {
    await engine.release();
    await pool?.close();
  }
  progress.done();
  let f1 = 0, f5 = 0, q1 = 0, q5 = 0, agree = 0, labelled = 0, sig = 0, noise = 0;
  for (const o of outcomes) {
    if (o.floatTop[0] === o.int8Top[0]) agree++;
    if (o.label !== undefined) {
      labelled++;
      if (o.floatTop[0] === o.label) f1++;
      if (o.floatTop.includes(o.label)) f5++;
      if (o.int8Top[0] === o.label) q1++;
      if (o.int8Top.includes(o.label)) q5++;
    }
    sig += o.signal;
    noise += o.noise;
  }
  const n = items.length;
  const d = Math.max(labelled, 1);
  return {
    images: n,
    float: { top1: f1 / d, top5: f5 / d },
    int8: { top1: q1 / d, top5: q5 / d },
    agreement: agree / Math.max(n, 1),
    outputSqnr: sqnrDb(sig, noise),
    ...(opts.perLayer
      ? { perLayer: model.layers.map((l) => ({ layer: l.name, tensor: l.output, sqnr: sqnrDb(layerSig.get(l.name) ?? 0, layerNoise.get(l.name) ?? 0) })) }
      : {}),
  };
}
