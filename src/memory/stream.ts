/**
 * Row streaming (issue 11, below the largest tensor): the first layers of a MobileNet hold its
 * largest tensors, so the runner can run them row by row instead of whole. Each streamed layer keeps
 * a window of just the input rows its next output row needs (kernel rows, K × W × C bytes); the
 * first window is filled from the caller's input a row at a time, and the last layer writes its rows
 * into its output tensor, which then exists whole for the rest of the network. The tensors between
 * streamed layers, and the model input, never exist whole in the arena.
 *
 * Windows only move forward, so every output row is computed exactly once: the halo rows that
 * patch-based inference (MCUNetV2) recomputes are kept instead, and the extra MACs are zero. What it
 * costs is instructions: one kernel call per output row, and the rows kept are shifted down a window
 * as it moves (measured by `make bench`).
 *
 * To the planner the streamed layers become one step (`stream_rows`) reading the model input from
 * outside the arena and writing the segment's output, with its windows and the kernels' shared
 * scratch as that step's scratch block.
 */
import type { Step, StepRows } from './lifetimes.js';

/** The step the streamed layers become. */
export const STREAM_STEP = 'stream_rows';

export interface StreamLayer {
  /** The layer's step name (its C identifier). */
  readonly name: string;
  /** The tensors it reads (rows through its window) and writes. */
  readonly input: string;
  readonly output: string;
  readonly rows: StepRows;
  /** Input rows the window holds at most: the kernel's reach along H. */
  readonly windowRows: number;
  /** Offset of the window in the stream block, and its bytes (a multiple of 4). */
  readonly windowOffset: number;
  readonly windowBytes: number;
}

export interface StreamPlan {
  /** The streamed layers in order; the first reads the model input, each next one its predecessor's output. */
  readonly layers: readonly StreamLayer[];
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

/** The stream plan of the first `n` layers (1 ≤ n ≤ streamableLayers). */
export function planStream(m: StreamInput, n: number): StreamPlan {
  const max = streamableLayers(m);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`planStream: ${n} layers asked, ${max} can be streamed`);
  const start = firstLayer(m);
  const chosen = m.steps.slice(start, start + n);
  let offset = 0;
  const layers = chosen.map((s): StreamLayer => {
    const r = s.rows!;
    const windowRows = Math.min(r.inH, (r.kernelH - 1) * r.dilationH + 1);
    const windowBytes = align4(windowRows * r.inRowBytes);
    const l = { name: s.name, input: s.inputs[0], output: s.outputs[0], rows: r, windowRows, windowOffset: offset, windowBytes };
    offset += windowBytes;
    return l;
  });
  const scratchBytes = align4(Math.max(0, ...chosen.map((s) => s.scratchBytes ?? 0)));
  return { layers, input: m.inputTensor, output: chosen[n - 1].outputs[0], scratchOffset: offset, scratchBytes, blockBytes: offset + scratchBytes };
}

/** The execution steps with the streamed layers (and an NCHW transpose) replaced by one stream step. */
export function streamedSteps(m: StreamInput, p: StreamPlan): Step[] {
  const start = firstLayer(m);
  const fused: Step = { name: STREAM_STEP, inputs: [m.inputNchwTensor ?? m.inputTensor], outputs: [p.output], scratchBytes: p.blockBytes };
  return [fused, ...m.steps.slice(start + p.layers.length)];
}

/**
 * The input rows layer `l` reads for its output row `o`, clipped to the image: [lo, hi] and the rows
 * of the window above the image (the kernel's local pad_top). The C runner computes the same.
 */
export function rowSpan(r: StepRows, o: number): { lo: number; hi: number; padTop: number } {
  const top = o * r.strideH - r.padTop;
  const lo = Math.max(0, top);
  const hi = Math.min(r.inH - 1, top + (r.kernelH - 1) * r.dilationH);
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
