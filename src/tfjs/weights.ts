/**
 * The weightsManifest of a TF.js model and the shard files it names:
 *   [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'],
 *      weights: [{ name, shape, dtype: 'float32' | 'int32' | 'bool',
 *                  quantization?: { dtype: 'uint8' | 'uint16' | 'float16', scale?, min? } }] }]
 * Each group's shards, concatenated in order, hold its weights back to back in manifest order
 * (the converter cuts shards at 4 MB, so a weight may straddle two shards). Quantized weights are
 * stored as their quantized dtype and dequantized exactly as tfjs-core's io.decodeWeights does:
 * uint8/uint16 → value·scale + min (computed in double, stored as float32; int32 weights are
 * rounded), float16 → IEEE half to float32.
 * Every size is checked before anything is decoded: the shards of a group must add up to exactly
 * the bytes its weights need.
 */
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { readInputFile, resolveInside } from '../util/input_files.js';
import { tensorFromBytes } from './attributes.js';

export type QuantizedDtype = 'uint8' | 'uint16' | 'float16';

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** The dtype the weight has once decoded. */
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly quantization?: { readonly dtype: QuantizedDtype; readonly scale?: number; readonly min?: number };
  /** "weightsManifest[g].weights[k] 'name'" for messages. */
  readonly field: string;
}

export interface WeightGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
  readonly field: string;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const STORED_BYTES: Readonly<Record<string, number>> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Checks the manifest's structure; `file` (model.json) starts every message. */
export function parseManifest(manifest: unknown, file: string): WeightGroup[] {
  if (!Array.isArray(manifest)) throw new UserError(`${file}: weightsManifest is not a list of weight groups`);
  const names = new Map<string, string>();
  return manifest.map((g, gi) => {
    const field = `weightsManifest[${gi}]`;
    if (!isObject(g)) throw new UserError(`${file}: ${field} is not an object`);
    if (!Array.isArray(g.paths) || g.paths.some((p) => typeof p !== 'string')) throw new UserError(`${file}: ${field}.paths is not a list of file names`);
    if (!Array.isArray(g.weights)) throw new UserError(`${file}: ${field}.weights is not a list`);
    const weights = g.weights.map((w, wi) => parseWeightSpec(w, `${field}.weights[${wi}]`, file));
    for (const w of weights) {
      const prior = names.get(w.name);
      if (prior) throw new UserError(`${file}: ${w.field}: weight name '${w.name}' is also used by ${prior}`);
      names.set(w.name, w.field);
    }
    if (weights.length > 0 && g.paths.length === 0) throw new UserError(`${file}: ${field}.paths is empty but the group has ${weights.length} weights`);
    return { paths: g.paths as string[], weights, field };
  });
}

function parseWeightSpec(w: unknown, field: string, file: string): WeightSpec {
  if (!isObject(w)) throw new UserError(`${file}: ${field} is not an object`);
  if (typeof w.name !== 'string' || w.name === '') throw new UserError(`${file}: ${field}.name is missing or not a string`);
  const at = `${file}: ${field} '${w.name}'`;
  const fieldName = `${field} '${w.name}'`;
  if (!Array.isArray(w.shape) || w.shape.some((d) => !Number.isSafeInteger(d) || (d as number) < 0)) {
    throw new UserError(`${at}: shape ${JSON.stringify(w.shape)} is not a list of non-negative integers`);
  }
  const dtype = w.dtype;
  if (dtype !== 'float32' && dtype !== 'int32' && dtype !== 'bool') {
    throw new UserError(`${at}: dtype '${String(dtype)}' is not supported (float32, int32, bool)`);
  }
  const spec: WeightSpec = { name: w.name, shape: w.shape as number[], dtype, field: fieldName };
  if (w.quantization === undefined) return spec;
  const q = w.quantization;
  if (!isObject(q)) throw new UserError(`${at}: quantization is not an object`);
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') {
    throw new UserError(`${at}: quantization dtype '${String(q.dtype)}' is not one TF.js supports (uint8, uint16, float16)`);
  }
  if (q.dtype === 'float16') {
    if (dtype !== 'float32') throw new UserError(`${at}: float16 quantization applies only to float32 weights, not ${dtype}`);
    return { ...spec, quantization: { dtype: 'float16' } };
  }
  if (dtype === 'bool') throw new UserError(`${at}: a bool weight cannot be quantized`);
  if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
    throw new UserError(`${at}: ${q.dtype} quantization needs numeric 'scale' and 'min'`);
  }
  return { ...spec, quantization: { dtype: q.dtype, scale: q.scale, min: q.min } };
}

/** Bytes a weight occupies in the shards (its stored, possibly quantized, dtype). */
export function storedByteLength(w: WeightSpec): number {
  return sizeOf(w.shape) * STORED_BYTES[w.quantization?.dtype ?? w.dtype];
}

/**
 * Reads every group's shards (confined to `dir`, regular files only) and decodes its weights.
 * Sizes are checked from fstat before the bytes are used.
 */
export function readWeights(groups: readonly WeightGroup[], dir: string, file: string): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const g of groups) {
    if (g.weights.length === 0) continue;
    const need = g.weights.reduce((s, w) => s + storedByteLength(w), 0);
    // Sizes come from fstat before any shard is read, so a huge or wrong file is refused cheaply.
    let have = 0;
    const sizes: string[] = [];
    const mismatch = (): UserError =>
      new UserError(`${file}: ${g.field}: the shards hold ${have} bytes (${sizes.join(', ')}) but its weights need ${need} bytes (${have < need ? 'a shard is truncated or missing' : 'a shard is longer than the manifest says'})`);
    const shards = g.paths.map((p, k) => {
      const where = `${file}: ${g.field}.paths[${k}]`;
      return readInputFile(resolveInside(dir, p, where), 'model', {
        where,
        checkSize: (size) => {
          have += size;
          sizes.push(`'${p}' ${size}`);
          if (have > need) throw mismatch();
        },
      });
    });
    if (have !== need) throw mismatch();
    const data = concat(shards, have);
    let offset = 0;
    for (const w of g.weights) {
      const len = storedByteLength(w);
      out.set(w.name, decodeWeight(w, data.subarray(offset, offset + len), `${file}: ${w.field}`));
      offset += len;
    }
  }
  return out;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One weight's stored bytes → its tensor (dequantized as tfjs-core does). */
export function decodeWeight(w: WeightSpec, bytes: Uint8Array, where: string): Tensor {
  const q = w.quantization;
  if (!q) return tensorFromBytes(w.dtype, w.shape, bytes, where);
  const n = sizeOf(w.shape);
  if (bytes.length !== storedByteLength(w)) throw new UserError(`${where}: ${bytes.length} bytes for ${n} ${q.dtype} values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const raw = (k: number): number => (q.dtype === 'uint8' ? bytes[k] : view.getUint16(2 * k, true));
  if (q.dtype === 'float16') {
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++) data[k] = float16ToNumber(raw(k));
    return { dtype: 'float32', shape: [...w.shape], data };
  }
  const scale = q.scale!;
  const min = q.min!;
  if (w.dtype === 'int32') {
    const data = new Int32Array(n);
    for (let k = 0; k < n; k++) data[k] = Math.round(raw(k) * scale + min);
    return { dtype: 'int32', shape: [...w.shape], data };
  }
  const data = new Float32Array(n);
  for (let k = 0; k < n; k++) data[k] = raw(k) * scale + min;
  return { dtype: 'float32', shape: [...w.shape], data };
}

/** IEEE 754 binary16 bits → number (subnormals, ±0, ±Infinity and NaN included). */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}
