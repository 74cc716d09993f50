/**
 * `run`: a model on images or .npy tensors, printing the top-K classes (with label names when the
 * model is one of ../shared's) or, with --json, one object per input per line:
 *   {"image": PATH, "output": [all output values], "top": [{"index", "label", "score"}]}
 * (label is null when the class names are unknown; --stage int8 adds "raw", the int8 output values). Stages: 'float' runs the imported graph,
 * 'folded' the graph after the float passes, 'int8' the integer reference after calibration.
 */
import { extname } from 'node:path';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sameShape, shapeToString, sizeOf } from '../ir/tensor.js';
import { runFloat } from '../graph/interpret.js';
import { loadImageTensor } from '../images/load.js';
import { readNpy } from '../images/npy.js';
import { UserError } from '../util/errors.js';

export interface TopEntry {
  readonly index: number;
  readonly label: string | null;
  readonly score: number;
}

export interface RunResult {
  readonly image: string;
  readonly output: readonly number[];
  readonly top: readonly TopEntry[];
}

/** Indices of the k largest values, largest first (ties: lower index first). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => values[b] - values[a] || a - b);
  return idx.slice(0, Math.max(0, k));
}

export function topEntries(values: ArrayLike<number>, k: number, labels?: readonly string[]): TopEntry[] {
  return topIndices(values, k).map((index) => ({ index, label: labels?.[index] ?? null, score: values[index] }));
}

/** How the graph's first input wants an image: NCHW [1, 3, H, W] or NHWC [1, H, W, 3] (tf2onnx style). */
export function imageInputLayout(g: Graph): { layout: 'nchw' | 'nhwc'; size: [number, number]; shape: readonly number[] } {
  const name = g.inputs[0];
  const info = g.values.get(name);
  const s = info?.shape ?? [];
  if (s.length === 4 && s[0] === 1 && s[1] === 3) return { layout: 'nchw', size: [s[2], s[3]], shape: s };
  if (s.length === 4 && s[0] === 1 && s[3] === 3) return { layout: 'nhwc', size: [s[1], s[2]], shape: s };
  throw new UserError(`input '${name}' has shape ${shapeToString(s)}: images need [1, 3, H, W] or [1, H, W, 3]; feed a .npy tensor instead`);
}

function nchwToNhwc(t: Tensor): Tensor {
  const [n, c, h, w] = t.shape;
  const src = t.data as Float32Array;
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
      out[((b * h + y) * w + x) * c + k] = src[((b * c + k) * h + y) * w + x];
    }
  }
  return floatTensor([n, h, w, c], out);
}

export function isNpyPath(path: string): boolean {
  return extname(path).toLowerCase() === '.npy';
}

/** The model input for one INPUT argument: a .npy fed as is, or an image preprocessed for the model. */
export async function loadModelInput(g: Graph, path: string, scale: string): Promise<Tensor> {
  const name = g.inputs[0];
  const expected = g.values.get(name)?.shape ?? [];
  if (isNpyPath(path)) {
    const t = readNpy(path);
    // NaN or ±Infinity would run through every layer and come out as null scores.
    const bad = (t.data as Float32Array).findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new UserError(`${path}: element ${bad} is ${(t.data as Float32Array)[bad]}; the model's input must be finite`);
    if (!sameShape(t.shape, expected)) {
      // A tensor with the right number of values but without the leading batch dim is still refused:
      // "fed as is" means exactly the model's input shape.
      throw new UserError(`${path}: shape ${shapeToString(t.shape)} does not match input '${name}' ${shapeToString(expected)}`);
    }
    return t;
  }
  const { layout, size } = imageInputLayout(g);
  const t = await loadImageTensor(path, { size, scale });
  return layout === 'nhwc' ? nchwToNhwc(t) : t;
}

/** Runs the float interpreter on one input and returns the first output's values. */
export function runFloatOutput(g: Graph, input: Tensor): Float32Array {
  const out = runFloat(g, { [g.inputs[0]]: input });
  const y = out.get(g.outputs[0]);
  if (!y) throw new Error(`output '${g.outputs[0]}' was not computed`);
  if (y.dtype !== 'float32' || y.data.length !== sizeOf(y.shape)) throw new Error(`output '${g.outputs[0]}' is not a float32 tensor`);
  return y.data as Float32Array;
}

export function runResult(image: string, output: ArrayLike<number>, k: number, labels?: readonly string[]): RunResult {
  return { image, output: Array.from(output), top: topEntries(output, k, labels) };
}

/**
 * One JSON line (numbers as JS prints them: float32 values round-trip exactly). `raw`, for the
 * int8 stage, adds the int8 values of the quantized model's output tensor.
 */
export function runResultJson(r: RunResult, raw?: ArrayLike<number>): string {
  return JSON.stringify({
    image: r.image,
    output: r.output,
    top: r.top.map((t) => ({ index: t.index, label: t.label, score: t.score })),
    ...(raw ? { raw: Array.from(raw) } : {}),
  });
}

export function runResultText(r: RunResult): string {
  const lines = [r.image];
  r.top.forEach((t, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${t.score.toFixed(4)}  [${t.index}]${t.label !== null ? ` ${t.label}` : ''}`);
  });
  return lines.join('\n') + '\n';
}
