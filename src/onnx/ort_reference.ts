/**
 * onnxruntime-node as an independent reference for tests: run ONNX bytes or a file on float
 * inputs with graph optimizations disabled (so results are the plain op semantics), plus a seeded
 * random input generator.
 */
import * as ort from 'onnxruntime-node';
import { mulberry32 } from '../util/random.js';
import { createOrtSession } from './ort_session.js';

/** Runs a model; returns every graph output as [shape, data]. */
export async function runOrt(
  model: string | Uint8Array,
  feeds: Record<string, { shape: readonly number[]; data: Float32Array }>,
): Promise<Map<string, { shape: number[]; data: Float32Array }>> {
  const session = await createOrtSession(model, typeof model === 'string' ? model : 'the model');
  try {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', t.data, [...t.shape]);
    const result = await session.run(ortFeeds);
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const name of session.outputNames) {
      const t = result[name];
      out.set(name, { shape: [...t.dims], data: Float32Array.from(t.data as Float32Array) });
    }
    return out;
  } finally {
    await session.release();
  }
}

/** Deterministic uniform values in [lo, hi) (mulberry32). */
export function seededUniform(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  const next = mulberry32(seed);
  return Float32Array.from({ length: count }, () => lo + (hi - lo) * next());
}

/** NCHW → NHWC copy of a [N,C,H,W] tensor. */
export function nchwToNhwc(data: Float32Array, shape: readonly number[]): { shape: number[]; data: Float32Array } {
  const [n, c, h, w] = shape;
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return { shape: [n, h, w, c], data: out };
}

/** Largest absolute elementwise difference (Infinity when the lengths differ). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
