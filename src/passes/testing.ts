/**
 * Test helpers for the passes and the canonical ops: seeded random tensors, naive (loop-by-loop,
 * textbook-formula) reference implementations that share no code with src/ops/kernels, and
 * float comparison. Used only by *.test.ts files.
 */
import type { Attr, Graph, Node } from '../ir/graph.js';
import { runFloat } from '../graph/interpret.js';
import type { Pass } from './pass.js';
import { getOp } from '../ops/registry.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { mulberry32 as rng } from '../util/random.js';
export { rng };


/** A float32 tensor of uniform values in [lo, hi). */
export function randomTensor(shape: readonly number[], seed: number, lo = -1, hi = 1): Tensor {
  const r = rng(seed);
  const d = new Float32Array(sizeOf(shape));
  for (let i = 0; i < d.length; i++) d[i] = lo + (hi - lo) * r();
  return floatTensor(shape, d);
}

export function node(op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}, name = `${op}_0`): Node {
  return { name, op, inputs, outputs, attrs };
}

/** Largest |a − b| / max(1, |b|) — "relative" error that does not explode around zero. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * Textbook direct convolution: y[n,o,i,j] = b[o] + Σ w[o,c,ki,kj] · x[n, g·Cg + c, i·s − p + ki·d, …]
 * with zero padding. Deliberately naive: one formula, no shortcuts.
 */
export function naiveConv(
  x: Tensor,
  w: Tensor,
  b: Float32Array | undefined,
  o: { strides: number[]; pads: number[]; dilations: number[]; group: number },
): { shape: number[]; data: Float64Array } {
  const [N, C, H, W] = x.shape;
  const [O, Cg, KH, KW] = w.shape;
  const Ho = Math.floor((H + o.pads[0] + o.pads[2] - ((KH - 1) * o.dilations[0] + 1)) / o.strides[0]) + 1;
  const Wo = Math.floor((W + o.pads[1] + o.pads[3] - ((KW - 1) * o.dilations[1] + 1)) / o.strides[1]) + 1;
  const Og = O / o.group;
  const xd = x.data as Float32Array;
  const wd = w.data as Float32Array;
  const y = new Float64Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let oc = 0; oc < O; oc++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let s = b ? b[oc] : 0;
          const g = Math.floor(oc / Og);
          for (let c = 0; c < Cg; c++)
            for (let ki = 0; ki < KH; ki++)
              for (let kj = 0; kj < KW; kj++) {
                const ih = i * o.strides[0] - o.pads[0] + ki * o.dilations[0];
                const iw = j * o.strides[1] - o.pads[1] + kj * o.dilations[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += wd[((oc * Cg + c) * KH + ki) * KW + kj] * xd[((n * C + g * Cg + c) * H + ih) * W + iw];
              }
          y[((n * O + oc) * Ho + i) * Wo + j] = s;
        }
  return { shape: [N, O, Ho, Wo], data: y };
}

export function clampAll(d: Float64Array, lo: number, hi: number): Float64Array {
  return d.map((v) => Math.min(Math.max(v, lo), hi));
}

// ---- graphs -------------------------------------------------------------------------------------


/** Random feeds for every graph input (uniform in [-1, 1), or [lo, hi)). */
export function randomFeeds(g: Graph, seed: number, lo = -1, hi = 1): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  g.inputs.forEach((name, k) => (feeds[name] = randomTensor(g.values.get(name)!.shape, seed + 101 * k, lo, hi)));
  return feeds;
}

/** The graph outputs of `g` on `feeds`, in order. */
export function outputsOf(g: Graph, feeds: Record<string, Tensor>): Tensor[] {
  const out = runFloat(g, feeds);
  return g.outputs.map((o) => out.get(o)!);
}

/**
 * Largest relative difference (|a − b| / max(1, |b|)) between the outputs of `before` and `after`
 * over a few random inputs; `adapt` turns a feed of `before` into the feed of `after` (e.g. NHWC → NCHW).
 */
export function floatDisagreement(before: Graph, after: Graph, seeds = [1, 2, 3], adapt?: (f: Record<string, Tensor>) => Record<string, Tensor>): number {
  let worst = 0;
  for (const s of seeds) {
    const feeds = randomFeeds(before, s);
    const a = outputsOf(before, feeds);
    const b = outputsOf(after, adapt ? adapt(feeds) : feeds);
    a.forEach((t, i) => {
      if (t.shape.join() !== b[i].shape.join()) throw new Error(`output ${i}: shape [${t.shape}] vs [${b[i].shape}]`);
      worst = Math.max(worst, maxRelDiff(b[i].data as Float32Array, t.data as Float32Array));
    });
  }
  return worst;
}

/** FNV-1a over bytes: a cheap fingerprint of tensor data. */
function hashBytes(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
  return h;
}

/** Everything observable about a graph (node list, attrs, values, meta, constant bytes) as one string. */
export function fingerprint(g: Graph): string {
  const consts = [...g.constants].map(([name, t]) => {
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    return `${name}:${t.dtype}[${t.shape}]#${hashBytes(bytes)}`;
  });
  const numbers = (_k: string, v: unknown): unknown => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : typeof v === 'bigint' ? String(v) : v);
  return JSON.stringify(
    { name: g.name, inputs: g.inputs, outputs: g.outputs, nodes: g.nodes, values: [...g.values], meta: g.meta, consts },
    numbers,
  );
}

/** Runs `pass` and asserts-by-throwing that its input graph came out unchanged. */
export function runPure(pass: Pass, g: Graph): Graph {
  const before = fingerprint(g);
  const out = pass.run(g);
  if (fingerprint(g) !== before) throw new Error(`pass '${pass.name}' mutated its input graph`);
  return out;
}

/** "op name" of every node, for structure assertions. */
export function opsOf(g: Graph): string[] {
  return g.nodes.map((n) => n.op);
}

/** Σ of every op's cost (MACs, params) over a graph. */
export function totalCost(g: Graph): { macs: number; params: number } {
  let macs = 0;
  let params = 0;
  for (const n of g.nodes) {
    const c = getOp(n.op)?.cost?.(n, n.inputs.map((i) => g.values.get(i)), n.outputs.map((o) => g.values.get(o)!));
    macs += c?.macs ?? 0;
    params += c?.params ?? 0;
  }
  return { macs, params };
}
