/**
 * Tensor lifetimes over an execution order: which arena buffers exist, how big, and from which
 * step to which step they must survive.
 *
 * A step's output is born at that step; a buffer dies after the last step that reads it; graph
 * outputs live to the end. Tensors in `external` (the caller's input and output buffers) take no
 * arena space. Kernel scratch is a buffer alive during its step only.
 *
 * In place: a step may offer `inPlace: { input, output }` (its kernel can overwrite its input
 * while computing, e.g. the row-buffered depthwise 3×3). The two tensors then share one buffer,
 * but only when that is valid: the input is read by no later step, is not external (the caller's
 * input is const) and is not a graph output. Aliases (`alias`) are the same idea for ops that
 * only relabel bytes (a reshape that keeps the byte order): always merged.
 */
import type { AccessModel } from '../cgen/access.js';

export interface Step {
  /** Layer name (for messages and plan.txt). */
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Kernel scratch bytes needed during this step (0 / absent: none). */
  readonly scratchBytes?: number;
  /** The kernel may write `output` over `input` (see above). */
  readonly inPlace?: { readonly input: string; readonly output: string; readonly scratchBytes: number };
  /** `output` is `input` relabelled (no kernel runs; same bytes). */
  readonly alias?: { readonly input: string; readonly output: string };
  /** The kernel's order of reads (inputs[0]) and writes (outputs[0]): lets the planner overlap them. */
  readonly access?: AccessModel;
  /** A kernel variant with less scratch the planner may switch to where this step sets the peak. */
  readonly lowRam?: { readonly scratchBytes: number; readonly access?: AccessModel };
  /** The kernel can run one output row at a time on a window of input rows (src/memory/stream.ts). */
  readonly rows?: StepRows;
}

/** A step's geometry along H, for row streaming: rows of input 0 and output, and the window. */
export interface StepRows {
  readonly inH: number;
  readonly outH: number;
  /** Bytes of one row of input 0 and of the output (W × C, channels last). */
  readonly inRowBytes: number;
  readonly outRowBytes: number;
  readonly kernelH: number;
  readonly strideH: number;
  readonly dilationH: number;
  readonly padTop: number;
}

export interface TensorLifetime {
  /** Buffer name: the first tensor stored in it, or `scratch:<step>`. */
  readonly name: string;
  readonly size: number;
  /** First and last step (inclusive) during which the buffer holds live data. */
  readonly first: number;
  readonly last: number;
  /** Tensors stored in this buffer (several when merged in place or aliased). */
  readonly members: readonly string[];
}

export interface LifetimeOptions {
  /** Bytes of every tensor. */
  readonly sizes: ReadonlyMap<string, number>;
  /** Graph outputs: alive until the last step. */
  readonly outputs: readonly string[];
  /** Tensors that live outside the arena (caller-owned input / output). */
  readonly external?: ReadonlySet<string>;
  /** Merge valid in-place pairs (default true). */
  readonly inPlace?: boolean;
}

export interface Lifetimes {
  readonly buffers: readonly TensorLifetime[];
  /** Names of the steps whose in-place offer was taken (their kernels must run in place). */
  readonly inPlaceSteps: ReadonlySet<string>;
}

export function tensorLifetimes(order: readonly Step[], opts: LifetimeOptions): Lifetimes {
  const external = opts.external ?? new Set<string>();
  const outputs = new Set(opts.outputs);
  const lastStep = order.length - 1;
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const touch = (t: string, i: number) => {
    if (!first.has(t)) first.set(t, i);
    last.set(t, Math.max(last.get(t) ?? i, i));
  };
  order.forEach((s, i) => {
    for (const t of s.inputs) if (t) touch(t, i);
    for (const t of s.outputs) touch(t, i);
  });
  for (const t of outputs) if (last.has(t)) last.set(t, lastStep);

  // Union of tensors sharing a buffer: root → members.
  const root = new Map<string, string>();
  const find = (t: string): string => {
    let r = t;
    while (root.has(r) && root.get(r) !== r) r = root.get(r)!;
    return r;
  };
  const inPlaceSteps = new Set<string>();
  order.forEach((s, i) => {
    if (s.alias && !external.has(s.alias.input) && !external.has(s.alias.output)) {
      root.set(find(s.alias.output), find(s.alias.input));
    }
    const ip = s.inPlace;
    if (ip && opts.inPlace !== false) {
      const valid =
        last.get(ip.input) === i && !external.has(ip.input) && !external.has(ip.output) && !outputs.has(ip.input) &&
        (opts.sizes.get(ip.input) ?? -1) === (opts.sizes.get(ip.output) ?? -2);
      if (valid) {
        root.set(find(ip.output), find(ip.input));
        inPlaceSteps.add(s.name);
      }
    }
  });

  const groups = new Map<string, string[]>();
  for (const t of first.keys()) {
    if (external.has(t)) continue;
    const r = find(t);
    const g = groups.get(r);
    if (g) g.push(t);
    else groups.set(r, [t]);
  }
  const buffers: TensorLifetime[] = [];
  for (const [r, members] of groups) {
    const size = Math.max(...members.map((m) => {
      const s = opts.sizes.get(m);
      if (s === undefined) throw new Error(`tensorLifetimes: no size for tensor '${m}'`);
      return s;
    }));
    buffers.push({
      name: r,
      size,
      first: Math.min(...members.map((m) => first.get(m)!)),
      last: Math.max(...members.map((m) => last.get(m)!)),
      members,
    });
  }
  order.forEach((s, i) => {
    const bytes = (s.scratchBytes ?? 0) + (inPlaceSteps.has(s.name) ? s.inPlace!.scratchBytes : 0);
    if (bytes > 0) buffers.push({ name: `scratch:${s.name}`, size: bytes, first: i, last: i, members: [`scratch:${s.name}`] });
  });
  return { buffers, inPlaceSteps };
}
