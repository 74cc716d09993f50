/**
 * Row streaming (issue 11, below the largest tensor): the first layers of a MobileNet hold its
 * largest tensors, so the runner can run them row by row instead of whole. Each streamed layer keeps
 * a window of just the input rows under its next band of output rows; the first window is filled
 * from the caller's input a row at a time, and the last layer writes its rows into its output
 * tensor, which then exists whole for the rest of the network. The tensors between
 * streamed layers, and the model input, never exist whole in the arena.
 *
 * Windows only move forward, so every output row is computed at most once (replayStream checks
 * it on every plan): the halo rows that patch-based inference (MCUNetV2) recomputes are kept
 * instead, and there are no extra MACs. The tile is a band of whole rows: each kernel call computes
 * up to `band` output rows (the planner takes the largest band that fits). What it costs is
 * instructions: a kernel call per band, and the rows kept are shifted down a window as it moves
 * (measured by `make bench`).
 *
 * To the planner the streamed layers become one step (STREAM_STEP) reading the model input from
 * outside the arena and writing the segment's output, with its windows and the kernels' shared
 * scratch as that step's scratch block.
 */
import type { Step, StepRows } from './lifetimes.js';

/** The step the streamed layers become (not a C identifier: no layer's step can have this name). */
export const STREAM_STEP = '(streamed rows)';

export interface StreamLayer {
  /** The layer's step name (its C identifier). */
  readonly name: string;
  /** Output rows the schedule computes (replayStream): its output's rows, or fewer where none reads some. */
  readonly rowsComputed: number;
  /** The tensors it reads (rows through its window) and writes. */
  readonly input: string;
  readonly output: string;
  readonly rows: StepRows;
  /** Input rows the window holds at most: those under a band of output rows. */
  readonly windowRows: number;
  /** Offset of the window in the stream block, and its bytes (a multiple of 4). */
  readonly windowOffset: number;
  readonly windowBytes: number;
}

export interface StreamPlan {
  /** The streamed layers in order; the first reads the model input, each next one its predecessor's output. */
  readonly layers: readonly StreamLayer[];
  /** Output rows a kernel call computes at most (the tile height). */
  readonly band: number;
  /** The tensor the caller's rows are (channels last), and the one the last streamed layer writes whole. */
  readonly input: string;
  readonly output: string;
  /** The kernels' scratch in the block (one at a time: the largest of the streamed layers'). */
  readonly scratchOffset: number;
  readonly scratchBytes: number;
  /** Bytes of the whole block: windows, then scratch. */
  readonly blockBytes: number;
}

const align4 = (x: number) => (x + 3) & ~3;

/** What the stream planner needs of a lowered model (PlanInput has it). */
export interface StreamInput {
  readonly steps: readonly Step[];
  readonly inputTensor: string;
  /** Present when the runner takes NCHW: the first step transposes it, and streaming absorbs that step. */
  readonly inputNchwTensor?: string;
  readonly outputTensor: string;
}

/** Index of the first layer step (after the NCHW transpose, when there is one). */
const firstLayer = (m: StreamInput) => (m.inputNchwTensor ? 1 : 0);

/**
 * How many leading layers can be streamed: a chain from the model input, each a row kernel whose
 * input is its predecessor's output and read by no other step, the last one's output not the model
 * output (some layer after the segment reads it whole).
 */
export function streamableLayers(m: StreamInput): number {
  const start = firstLayer(m);
  let n = 0;
  let prev = m.inputTensor;
  for (let i = start; i < m.steps.length; i++) {
    const s = m.steps[i];
    if (!s.rows || s.inputs.length !== 1 || s.inputs[0] !== prev || s.outputs.length !== 1) break;
    if (s.outputs[0] === m.outputTensor) break;
    if (m.steps.some((o, j) => j !== i && o.inputs.includes(prev) && j >= start)) break; // prev read elsewhere too
    n++;
    prev = s.outputs[0];
  }
  return n;
}

/** The bands (output rows per kernel call) the planner tries, largest first. */
export const STREAM_BANDS = [8, 7, 6, 5, 4, 3, 2, 1] as const;

/**
 * The stream plan of the first `n` layers (1 ≤ n ≤ streamableLayers), each computing up to `band`
 * output rows per kernel call (the tile height: more rows, fewer calls and larger windows).
 */
export function planStream(m: StreamInput, n: number, band = 1): StreamPlan {
  const max = streamableLayers(m);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`planStream: ${n} layers asked, ${max} can be streamed`);
  if (!Number.isInteger(band) || band < 1) throw new Error(`planStream: band ${band}`);
  const start = firstLayer(m);
  const chosen = m.steps.slice(start, start + n);
  let offset = 0;
  const layers = chosen.map((s) => {
    const r = s.rows!;
    // the input rows under `band` output rows: what one kernel call reads
    const windowRows = Math.min(r.inH, (band - 1) * r.strideH + (r.kernelH - 1) * r.dilationH + 1);
    const windowBytes = align4(windowRows * r.inRowBytes);
    const l = { name: s.name, input: s.inputs[0], output: s.outputs[0], rows: r, windowRows, windowOffset: offset, windowBytes };
    offset += windowBytes;
    return l;
  });
  const scratchBytes = align4(Math.max(0, ...chosen.map((s) => s.scratchBytes ?? 0)));
  const plan = { layers, band, input: m.inputTensor, output: chosen[n - 1].outputs[0], scratchOffset: offset, scratchBytes, blockBytes: offset + scratchBytes };
  const { computed } = replayStream(plan);
  return { ...plan, layers: layers.map((l, j) => ({ ...l, rowsComputed: computed[j].length })) };
}

/**
 * The C runner's schedule (src/emit/model_c.ts: stream_<layer>, keep_rows) replayed on row indices:
 * the last layer computes its output in bands, each layer drops the window rows it no longer needs
 * and asks the layer before (or, for the first, the row reader one row at a time) for the rest, at
 * most a band and what its window has room for at once. Throws if a kernel would read a row its
 * window does not hold, a window would outgrow its capacity or a row were computed twice; returns
 * the rows each layer computed (at most its output's: rows no layer reads are skipped) and the input
 * rows asked for, in order.
 */
export function replayStream(p: { readonly band: number; readonly layers: readonly Omit<StreamLayer, 'rowsComputed'>[] }): { computed: number[][]; asked: number[] } {
  const n = p.layers.length;
  const win = p.layers.map(() => ({ first: 0, rows: [] as number[] }));
  const computed = p.layers.map(() => [] as number[]);
  const done = p.layers.map((l) => new Uint8Array(l.rows.outH));
  const asked: number[] = [];
  const produce = (j: number, oy: number, count: number): number[] => {
    const l = p.layers[j], g = l.rows;
    const { lo, hi, padTop } = rowSpan(g, oy, count);
    const w = win[j];
    const drop = lo - w.first;
    if (drop > 0) {
      w.rows = drop >= w.rows.length ? [] : w.rows.slice(drop);
      w.first = lo;
    }
    while (w.first + w.rows.length <= hi) {
      const next = w.first + w.rows.length;
      const room = l.windowRows - w.rows.length;
      if (room < 1) throw new Error(`layer ${j}: window of ${l.windowRows} rows full before row ${hi}`);
      if (j === 0) {
        asked.push(next);
        w.rows.push(next);
      } else {
        w.rows.push(...produce(j - 1, next, Math.min(p.band, g.inH - next, room)));
      }
    }
    for (let r = 0; r < count; r++) {
      for (let ky = 0; ky < g.kernelH; ky++) {
        const global = (oy + r) * g.strideH - g.padTop + ky * g.dilationH;
        if (global < 0 || global >= g.inH) continue; // padding
        const local = r * g.strideH - padTop + ky * g.dilationH;
        if (local < 0 || local > hi - lo || w.rows[local] !== global) {
          throw new Error(`stream layer ${j} row ${oy + r}: tap ${ky} reads window slot ${local}, which holds ${w.rows[local]}, not row ${global}`);
        }
      }
      if (done[j][oy + r]) throw new Error(`stream layer ${j}: row ${oy + r} computed twice`);
      done[j][oy + r] = 1;
      computed[j].push(oy + r);
    }
    return Array.from({ length: count }, (_, r) => oy + r);
  };
  const last = p.layers[n - 1].rows.outH;
  for (let oy = 0; oy < last; oy += p.band) produce(n - 1, oy, Math.min(p.band, last - oy));
  return { computed, asked };
}

/** The execution steps with the streamed layers (and an NCHW transpose) replaced by one stream step. */
export function streamedSteps(m: StreamInput, p: StreamPlan): Step[] {
  const start = firstLayer(m);
  const fused: Step = { name: STREAM_STEP, inputs: [m.inputNchwTensor ?? m.inputTensor], outputs: [p.output], scratchBytes: p.blockBytes };
  return [fused, ...m.steps.slice(start + p.layers.length)];
}

/**
 * The input rows layer `l` reads for its output rows o .. o + count − 1, clipped to the image:
 * [lo, hi] and the rows of the window above the image (the kernel's local pad_top). The C runner
 * computes the same.
 */
export function rowSpan(r: StepRows, o: number, count = 1): { lo: number; hi: number; padTop: number } {
  const top = o * r.strideH - r.padTop;
  const lo = Math.max(0, top);
  const hi = Math.min(r.inH - 1, top + (count - 1) * r.strideH + (r.kernelH - 1) * r.dilationH);
  return { lo, hi, padTop: lo - top };
}

/**
 * Where a tensor the streamed layers read is, as text for comments and reports: the caller's rows,
 * or rows through a window at arena [a, b); undefined for a tensor that exists whole.
 */
export function streamedPlace(p: StreamPlan & { readonly streamOffset: number }, tensor: string, nchwInput?: string): string | undefined {
  if (tensor === p.input || tensor === nchwInput) return 'caller rows, read a row at a time into the first window';
  const l = p.layers.find((x, j) => j > 0 && x.input === tensor);
  if (!l) return undefined;
  const at = p.streamOffset + l.windowOffset;
  return `rows streamed through a window of ${l.windowRows} rows, arena [${at}, ${at + l.windowBytes})`;
}
