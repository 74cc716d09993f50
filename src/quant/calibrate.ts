/**
 * Calibration: run the float graph (the canonical graph after the float passes) over calibration
 * inputs and let one observer per activation tensor watch every value. Also accumulates, for
 * every node whose op has a calibration window (conv2d, depthwise_conv2d, fully_connected,
 * channel_affine), the mean of its input seen through each tap ("window means"), which is all bias
 * correction needs: the mean output shift that weight rounding causes is Σ Δw · window mean
 * (src/int8/quantize_layer.ts).
 *
 * Deterministic: same graph, same inputs in the same order, same result.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { CalibrationStats, WindowSpec } from '../int8/calibration.js';
import { addWindowSums, windowGeometry } from '../int8/calibration.js';
import { getOp } from '../ops/registry.js';
import { runFloat } from '../graph/interpret.js';
import { UserError } from '../util/errors.js';
import { makeObserver } from './observers/index.js';
import type { Observer, ObserverMethod, Range } from './observers/index.js';
import { Progress, type ProgressMode } from '../progress/progress.js';
import { createOrtEngine } from './ort_engine.js';

export interface CalibrationOptions {
  /**
   * Observer for every activation tensor (default 'mse': best measured with empirical bias
   * correction, see src/quant/README.md); the model's output (logits) uses minmax unless
   * methodFor says otherwise.
   */
  readonly method?: ObserverMethod;
  /** Per-tensor overrides of the method. */
  readonly methodFor?: Readonly<Record<string, ObserverMethod>>;
  /** percentile observer: share kept, in percent (default 99.99). */
  readonly percentile?: number;
  /** Progress display on stderr (default 'auto': a bar on a TTY, plain lines otherwise). */
  readonly progress?: ProgressMode;
}

export type { CalibrationStats } from '../int8/calibration.js';

/** The default observer (measured best on the 0.25/128 and 0.25/224 models, with empirical bias correction). */
export const DEFAULT_METHOD: ObserverMethod = 'mse';

/** Observes the activations of one input after another; `finish` gives the statistics. */
export class Calibrator {
  private readonly method: ObserverMethod;
  private readonly observers = new Map<string, Observer>();
  private readonly means = new Map<string, Float64Array>();
  private readonly positions = new Map<string, number>(); // samples added into each window-mean sum
  private readonly windows = new Map<string, WindowSpec>();
  private readonly outputs = new Set<string>();
  private count = 0;
  private readonly start = performance.now();

  constructor(private readonly g: Graph, private readonly opts: CalibrationOptions = {}) {
    if (g.inputs.length !== 1) throw new UserError(`graph '${g.name}': calibration needs exactly one input, found ${g.inputs.length}`);
    this.method = opts.method ?? DEFAULT_METHOD;
    for (const o of g.outputs) this.outputs.add(o);
    const last = g.nodes[g.nodes.length - 1];
    if (last?.op === 'softmax') this.outputs.add(last.inputs[0]);
    for (const n of g.nodes) {
      const spec = getOp(n.op)?.quantize?.calibrationWindow?.(n, g);
      if (spec) this.windows.set(n.name, spec);
    }
  }

  private observerFor(name: string): Observer {
    let o = this.observers.get(name);
    if (!o) {
      // The model's output (the logits a softmax reads) keeps minmax: clipping it would tie the
      // top classes at the clamp and decide top-1 at random.
      const fallback = this.outputs.has(name) ? 'minmax' : this.method;
      o = makeObserver(this.opts.methodFor?.[name] ?? fallback, { percentile: this.opts.percentile });
      this.observers.set(name, o);
    }
    return o;
  }

  /** One input's activations: the graph input and every node output, by tensor name. */
  add(values: ReadonlyMap<string, Tensor>): void {
    const inputName = this.g.inputs[0];
    const x = values.get(inputName);
    if (!x) throw new Error(`calibrate: input '${inputName}' missing`);
    this.observerFor(inputName).update(x.data as Float32Array);
    for (const node of this.g.nodes) {
      const spec = this.windows.get(node.name);
      if (spec) {
        const xin = values.get(node.inputs[0]);
        if (!xin) throw new Error(`calibrate: input '${node.inputs[0]}' of '${node.name}' was not computed`);
        addWindowMeans(node.name, xin, spec, this.means, this.positions);
      }
      for (const o of node.outputs) {
        const t = o ? values.get(o) : undefined;
        if (!t) throw new Error(`calibrate: activation '${o}' of '${node.name}' was not computed`);
        if (t.dtype !== 'float32') continue;
        // A model whose float arithmetic overflows (absurd weights) is named here, at the first
        // layer where it happens, rather than deep inside an observer or the quantization.
        const bad = (t.data as Float32Array).findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) {
          throw new UserError(`calibration image ${this.count + 1}: node '${node.name}' (${node.op}) computes ${(t.data as Float32Array)[bad]} in '${o}' (element ${bad}): the float model overflows on this input; check its weights`);
        }
        this.observerFor(o).update(t.data as Float32Array);
      }
    }
    this.count += x.shape[0] ?? 1;
  }

  finish(): CalibrationStats {
    if (this.count === 0) throw new UserError('calibration needs at least one input image');
    const ranges = new Map<string, Range>();
    for (const [name, o] of this.observers) ranges.set(name, o.range());
    const windowMeans = new Map<string, Float64Array>();
    for (const [name, sum] of this.means) {
      const n = this.positions.get(name) ?? 1;
      windowMeans.set(name, sum.map((v) => v / n));
    }
    return { method: this.method, count: this.count, ranges, windowMeans, seconds: (performance.now() - this.start) / 1000 };
  }
}

/** Calibrates with the TypeScript float interpreter (synchronous). */
export function calibrate(g: Graph, inputs: readonly Tensor[], opts: CalibrationOptions = {}): CalibrationStats {
  if (inputs.length === 0) throw new UserError('calibration needs at least one input image');
  const cal = new Calibrator(g, opts);
  const progress = new Progress('calibrating', inputs.length, opts.progress ?? 'auto', { unit: 'images' });
  for (const x of inputs) {
    // keep: 'all' holds every activation of one image at once (≈ 6 MB for 0.25/224), freed
    // before the next image.
    cal.add(runFloat(g, { [g.inputs[0]]: x }, { keep: 'all' }));
    progress.tick();
  }
  progress.done();
  return cal.finish();
}

/**
 * Calibrates with a chosen float engine: 'ort' (default; onnxruntime-node on the graph written
 * back as ONNX, see ort_engine.ts — several times faster) or 'ts' (the TypeScript interpreter).
 */
export async function calibrateAsync(
  g: Graph,
  inputs: readonly Tensor[] | AsyncIterable<Tensor>,
  opts: CalibrationOptions & { readonly engine?: 'ort' | 'ts'; readonly total?: number } = {},
): Promise<CalibrationStats> {
  const cal = new Calibrator(g, opts);
  const total = opts.total ?? (Array.isArray(inputs) ? inputs.length : 0);
  const progress = new Progress('calibrating', total, opts.progress ?? 'auto', { unit: 'images' });
  const engine = (opts.engine ?? 'ort') === 'ort' ? await createOrtEngine(g) : undefined;
  try {
    for await (const x of inputs as AsyncIterable<Tensor>) {
      cal.add(engine ? await engine.run(x) : runFloat(g, { [g.inputs[0]]: x }, { keep: 'all' }));
      progress.tick();
    }
  } finally {
    await engine?.release();
  }
  progress.done();
  return cal.finish();
}

/**
 * Adds this input's per-tap sums to the node's window-mean accumulator:
 * S[c, i, j] += Σ over batch and output positions (oh, ow) of x[c, oh·sh − pt + i·dh, ow·sw − pl + j·dw]
 * (0 where that falls in the padding), and counts N·Ho·Wo samples.
 */
export function addWindowMeans(name: string, x: Tensor, spec: WindowSpec, sums: Map<string, Float64Array>, counts: Map<string, number>): void {
  const w = windowGeometry(spec, x.shape);
  let s = sums.get(name);
  if (!s) { s = new Float64Array(w.taps); sums.set(name, s); }
  addWindowSums(x.data as Float32Array, w, s);
  counts.set(name, (counts.get(name) ?? 0) + w.N * w.Ho * w.Wo);
}
