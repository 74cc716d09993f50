/**
 * Calibration: run the float graph (the canonical graph after the float passes) over calibration
 * inputs and let one observer per activation tensor watch every value. Also accumulates, for
 * every conv2d / depthwise_conv2d / fully_connected node, the mean of its input seen through each
 * kernel tap ("window means"), which is all bias correction needs: the mean output shift that
 * weight rounding causes is Σ Δw · window mean (see quantize.ts).
 *
 * Deterministic: same graph, same inputs in the same order, same result.
 */
import type { Graph, Node } from '../ir/graph.js';
import { attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { runFloat } from '../graph/interpret.js';
import { UserError } from '../util/errors.js';
import { makeObserver } from './observers/index.js';
import type { Observer, ObserverMethod, Range } from './observers/index.js';
import { Progress, type ProgressMode } from './progress.js';
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

export interface CalibrationStats {
  readonly method: ObserverMethod;
  /** Number of calibration inputs seen (batch items). */
  readonly count: number;
  /** Observed range of every activation tensor (graph inputs and node outputs). */
  readonly ranges: ReadonlyMap<string, Range>;
  /**
   * Per conv-like node (by node name): the mean over output positions and inputs of the input value
   * under each kernel tap, zero for padded taps. conv2d: [Cin, kh, kw]; depthwise_conv2d:
   * [C, kh, kw]; fully_connected: [K] (the flattened input's mean).
   */
  readonly windowMeans: ReadonlyMap<string, Float64Array>;
  /** Seconds spent. */
  readonly seconds: number;
}

/** The default observer (measured best on the 0.25/128 and 0.25/224 models, with empirical bias correction). */
export const DEFAULT_METHOD: ObserverMethod = 'mse';

const CONV_LIKE = new Set(['conv2d', 'depthwise_conv2d', 'fully_connected', 'channel_affine']);

/** Observes the activations of one input after another; `finish` gives the statistics. */
export class Calibrator {
  private readonly method: ObserverMethod;
  private readonly observers = new Map<string, Observer>();
  private readonly means = new Map<string, Float64Array>();
  private readonly positions = new Map<string, number>(); // samples added into each window-mean sum
  private readonly kernels = new Map<string, [number, number]>();
  private readonly outputs = new Set<string>();
  private count = 0;
  private readonly start = performance.now();

  constructor(private readonly g: Graph, private readonly opts: CalibrationOptions = {}) {
    if (g.inputs.length !== 1) throw new UserError(`graph '${g.name}': calibration needs exactly one input, found ${g.inputs.length}`);
    this.method = opts.method ?? DEFAULT_METHOD;
    for (const o of g.outputs) this.outputs.add(o);
    const last = g.nodes[g.nodes.length - 1];
    if (last?.op === 'softmax') this.outputs.add(last.inputs[0]);
    for (const n of g.nodes) if (n.op === 'conv2d' || n.op === 'depthwise_conv2d') this.kernels.set(n.name, convKernel(g, n));
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
      if (CONV_LIKE.has(node.op)) {
        const xin = values.get(node.inputs[0]);
        if (!xin) throw new Error(`calibrate: input '${node.inputs[0]}' of '${node.name}' was not computed`);
        addWindowMeans(node, xin, this.kernels.get(node.name) ?? [1, 1], this.means, this.positions);
      }
      for (const o of node.outputs) {
        const t = o ? values.get(o) : undefined;
        if (!t) throw new Error(`calibrate: activation '${o}' of '${node.name}' was not computed`);
        if (t.dtype === 'float32') this.observerFor(o).update(t.data as Float32Array);
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
  const progress = new Progress('calibrating', inputs.length, opts.progress ?? 'auto');
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
  const progress = new Progress('calibrating', total, opts.progress ?? 'auto');
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
export function addWindowMeans(
  node: Node,
  x: Tensor,
  kernel: readonly [number, number],
  sums: Map<string, Float64Array>,
  counts: Map<string, number>,
): void {
  const w = windowGeometry(node, x.shape, kernel);
  let s = sums.get(node.name);
  if (!s) { s = new Float64Array(w.taps); sums.set(node.name, s); }
  addWindowSums(x.data as Float32Array, w, s);
  counts.set(node.name, (counts.get(node.name) ?? 0) + w.N * w.Ho * w.Wo);
}

/** Where a node's window taps read its input: a fully connected layer is one tap per feature. */
export interface WindowGeometry {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly KH: number; readonly KW: number; readonly Ho: number; readonly Wo: number;
  readonly sh: number; readonly sw: number; readonly pt: number; readonly pl: number; readonly dh: number; readonly dw: number;
  readonly fullyConnected: boolean;
  /** Accumulator length: C·KH·KW, or the feature count K of a fully connected layer. */
  readonly taps: number;
}

export function windowGeometry(node: Node, shape: readonly number[], kernel: readonly [number, number]): WindowGeometry {
  if (node.op === 'fully_connected') {
    const K = sizeOf(shape.slice(1));
    return { N: shape[0], C: K, H: 1, W: 1, KH: 1, KW: 1, Ho: 1, Wo: 1, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, fullyConnected: true, taps: K };
  }
  const [N, C, H, W] = shape;
  const strides = attrInts(node, 'strides', [1, 1]);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  const dil = attrInts(node, 'dilations', [1, 1]);
  const [KH, KW] = kernel;
  const Ho = Math.floor((H + pads[0] + pads[2] - ((KH - 1) * dil[0] + 1)) / strides[0]) + 1;
  const Wo = Math.floor((W + pads[1] + pads[3] - ((KW - 1) * dil[1] + 1)) / strides[1]) + 1;
  return {
    N, C, H, W, KH, KW, Ho, Wo, sh: strides[0], sw: strides[1], pt: pads[0], pl: pads[1], dh: dil[0], dw: dil[1],
    fullyConnected: false, taps: C * KH * KW,
  };
}

/** The output indices [lo, hi] whose tap at offset `off` (i·d − pad) reads inside [0, L): off + o·s ∈ [0, L). */
function validOutputs(off: number, s: number, L: number, Lo: number): [number, number] {
  return [Math.max(0, Math.ceil(-off / s)), Math.min(Lo - 1, Math.floor((L - 1 - off) / s))];
}

/** Per image and channel, how many output positions read tap (i, j) inside the input (the rest read padding). */
export function windowValidCounts(w: WindowGeometry): Float64Array {
  const out = new Float64Array(w.KH * w.KW);
  for (let i = 0; i < w.KH; i++) {
    const [hLo, hHi] = validOutputs(i * w.dh - w.pt, w.sh, w.H, w.Ho);
    for (let j = 0; j < w.KW; j++) {
      const [wLo, wHi] = validOutputs(j * w.dw - w.pl, w.sw, w.W, w.Wo);
      out[i * w.KW + j] = Math.max(0, hHi - hLo + 1) * Math.max(0, wHi - wLo + 1);
    }
  }
  return out;
}

/**
 * s[c·KH·KW + i·KW + j] += Σ over the batch and the output positions whose tap (i, j) reads inside
 * the input of that input value (float activations or raw int8 values alike). Row sums over the
 * columns a kw tap visits, then summed over the rows a kh tap visits: O(KW·H·W) per channel.
 */
export function addWindowSums(data: ArrayLike<number>, w: WindowGeometry, s: Float64Array): void {
  const { N, C, H, W, KH, KW, Ho, Wo, sh, sw, pt, pl, dh, dw } = w;
  if (w.fullyConnected) {
    for (let n = 0; n < N; n++) for (let k = 0; k < C; k++) s[k] += data[n * C + k];
    return;
  }
  const rowSum = new Float64Array(H);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let j = 0; j < KW; j++) {
        const off = j * dw - pl;
        const [wLo, wHi] = validOutputs(off, sw, W, Wo);
        for (let h = 0; h < H; h++) {
          let acc = 0;
          const row = base + h * W + off;
          for (let ow = wLo; ow <= wHi; ow++) acc += data[row + ow * sw];
          rowSum[h] = acc;
        }
        for (let i = 0; i < KH; i++) {
          const offH = i * dh - pt;
          const [hLo, hHi] = validOutputs(offH, sh, H, Ho);
          let acc = 0;
          for (let oh = hLo; oh <= hHi; oh++) acc += rowSum[offH + oh * sh];
          s[(c * KH + i) * KW + j] += acc;
        }
      }
    }
  }
}

/** The [kh, kw] of a conv-like node from its weight constant. */
export function convKernel(g: Graph, node: Node): [number, number] {
  const w = g.values.get(node.inputs[1]);
  if (!w || w.shape.length !== 4) throw new Error(`node '${node.name}': weight '${node.inputs[1]}' is not 4-D`);
  return [w.shape[2], w.shape[3]];
}
