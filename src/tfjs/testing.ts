/**
 * Test helpers for the TF.js importer (used only by *.test.ts):
 * - the reference executor: @tensorflow/tfjs-core + tfjs-backend-cpu + tfjs-converter's
 *   loadGraphModel, loaded through require so that all three share one tfjs-core instance (the
 *   packages are CommonJS; mixing an ESM and a CJS copy of tfjs-core gives two engines);
 * - a writer for small hand-made graph models (model.json + shards) in the converter's JSON style.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import { NCHW_TO_NHWC } from './layout.js';
import { transposeData } from '../ops/kernels/transpose.js';
import { mulberry32 } from '../util/random.js';

type TfCore = typeof import('@tensorflow/tfjs-core');
type TfConverter = typeof import('@tensorflow/tfjs-converter');
export type GraphModel = Awaited<ReturnType<TfConverter['loadGraphModel']>>;

let loaded: Promise<{ tf: TfCore; converter: TfConverter }> | undefined;

/** tfjs-core on the CPU backend, and tfjs-converter (loaded once). */
export function tfjs(): Promise<{ tf: TfCore; converter: TfConverter }> {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const tf = require('@tensorflow/tfjs-core') as TfCore;
    require('@tensorflow/tfjs-backend-cpu');
    const converter = require('@tensorflow/tfjs-converter') as TfConverter;
    // Production mode: no debug checks, and no "install tfjs-node" banner on every test run.
    tf.enableProdMode();
    await tf.setBackend('cpu');
    await tf.ready();
    return { tf, converter };
  })();
  return loaded;
}

/** model.json and the shard bytes of a model folder, read plainly (for the reference loader). */
export function readModelFiles(dir: string): { json: Record<string, unknown>; specs: unknown[]; data: ArrayBuffer } {
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
  const groups = json.weightsManifest as { paths: string[]; weights: unknown[] }[];
  const parts = groups.flatMap((g) => g.paths.map((p) => readFileSync(join(dir, p))));
  const all = Buffer.concat(parts);
  return { json, specs: groups.flatMap((g) => g.weights), data: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer };
}

/** tfjs-converter's loadGraphModel on a model folder, through tf.io.fromMemory. */
export async function loadReferenceModel(dir: string): Promise<GraphModel> {
  const { tf, converter } = await tfjs();
  const { json, specs, data } = readModelFiles(dir);
  const artifacts = {
    modelTopology: json.modelTopology as object,
    weightSpecs: specs as Parameters<TfCore['io']['fromMemory']>[1],
    weightData: data,
    format: json.format as string | undefined,
    generatedBy: json.generatedBy as string | undefined,
    convertedBy: json.convertedBy as string | undefined,
    signature: json.signature as object | undefined,
  };
  return converter.loadGraphModel(tf.io.fromMemory(artifacts));
}

/** Runs the reference model on one NHWC float input; returns the (first) output's values and shape. */
export async function runReference(model: GraphModel, nhwc: Float32Array, shape: readonly number[]): Promise<{ data: Float32Array; shape: number[] }> {
  const { tf } = await tfjs();
  const x = tf.tensor(nhwc, [...shape], 'float32');
  const y = model.execute(x);
  const out = Array.isArray(y) ? y[0] : y;
  const data = (await out.data()) as Float32Array;
  const result = { data: Float32Array.from(data), shape: [...out.shape] };
  x.dispose();
  (Array.isArray(y) ? y : [y]).forEach((t) => t.dispose());
  return result;
}

/** An NCHW [1, C, H, W] tensor's data in NHWC order (what TF.js is fed). */
export function nchwToNhwc(t: Tensor): Float32Array {
  return transposeData(t.data as Float32Array, t.shape, NCHW_TO_NHWC);
}

// ---------------------------------------------------------------- hand-made graph models

export type AttrJson = Record<string, unknown>;

/** AttrValue JSON builders, written the way the converter writes them. */
export const attr = {
  s: (text: string): AttrJson => ({ s: Buffer.from(text, 'utf8').toString('base64') }),
  i: (v: number): AttrJson => ({ i: String(v) }),
  f: (v: number): AttrJson => ({ f: v }),
  b: (v: boolean): AttrJson => ({ b: v }),
  type: (t: string): AttrJson => ({ type: t }),
  ints: (v: readonly number[]): AttrJson => ({ list: v.length ? { i: v.map(String) } : {} }),
  strs: (v: readonly string[]): AttrJson => ({ list: v.length ? { s: v.map((x) => Buffer.from(x).toString('base64')) } : {} }),
  shape: (dims: readonly number[]): AttrJson => ({ shape: { dim: dims.map((d) => ({ size: String(d) })) } }),
};

export interface NodeJson {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrJson>;
  device?: string;
}

/** The attributes TF writes on Conv2D / DepthwiseConv2dNative (tfjs-converter reads dilations too). */
export function convAttrs(padding: string, strides: number, extra: Record<string, AttrJson> = {}): Record<string, AttrJson> {
  return {
    padding: attr.s(padding),
    strides: attr.ints([1, strides, strides, 1]),
    dilations: attr.ints([1, 1, 1, 1]),
    data_format: attr.s('NHWC'),
    explicit_paddings: attr.ints([]),
    T: attr.type('DT_FLOAT'),
    ...extra,
  };
}

export function tfNode(name: string, op: string, input: string[] = [], attrs: Record<string, AttrJson> = {}): NodeJson {
  return { name, op, ...(input.length ? { input } : {}), attr: attrs };
}

const TF_TYPE = { float32: 'DT_FLOAT', int32: 'DT_INT32' } as const;

/** A Const node as the converter leaves it: dtype and shape, the data moved to the shards. */
export function constNode(name: string, dtype: 'float32' | 'int32', shape: readonly number[]): NodeJson {
  const tensorShape = shape.length ? { dim: shape.map((d) => ({ size: String(d) })) } : {};
  return tfNode(name, 'Const', [], { value: { tensor: { dtype: TF_TYPE[dtype], tensorShape } }, dtype: attr.type(TF_TYPE[dtype]) });
}

export function placeholder(name: string, shape: readonly number[]): NodeJson {
  return tfNode(name, 'Placeholder', [], { dtype: attr.type('DT_FLOAT'), shape: attr.shape(shape) });
}

/** One weight: its values, or for a quantized weight the stored integers (uint8 / uint16 / float16 bits). */
export interface WeightJson {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  values: number[];
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

export interface GraphModelSpec {
  nodes: NodeJson[];
  /** Weight groups, each written to `shards` files of about equal size (default 1). */
  groups: { weights: WeightJson[]; shards?: number }[];
  inputs?: Record<string, string>;
  outputs?: Record<string, string>;
}

/** The stored bytes of a weight (little-endian). */
export function weightBytes(w: WeightJson): Uint8Array {
  const q = w.quantization?.dtype;
  if (q === 'uint8') return Uint8Array.from(w.values);
  if (q === 'uint16' || q === 'float16') return new Uint8Array(Uint16Array.from(w.values).buffer);
  if (w.dtype === 'int32') return new Uint8Array(Int32Array.from(w.values).buffer);
  return new Uint8Array(Float32Array.from(w.values).buffer);
}

/** Writes model.json and its shards into `dir` (created). Returns the model.json path. */
export function writeGraphModel(dir: string, spec: GraphModelSpec): string {
  mkdirSync(dir, { recursive: true });
  const weightsManifest = spec.groups.map((g, gi) => {
    const bytes = Buffer.concat(g.weights.map((w) => weightBytes(w)));
    const n = Math.max(1, g.shards ?? 1);
    const size = Math.ceil(bytes.length / n);
    const paths = Array.from({ length: n }, (_, k) => `group${gi + 1}-shard${k + 1}of${n}.bin`);
    paths.forEach((p, k) => writeFileSync(join(dir, p), bytes.subarray(k * size, Math.min(bytes.length, (k + 1) * size))));
    return { paths, weights: g.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype, ...(w.quantization ? { quantization: w.quantization } : {}) })) };
  });
  const sig = (m: Record<string, string> | undefined): Record<string, unknown> =>
    Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, { name: v, dtype: 'DT_FLOAT' }]));
  const json = {
    format: 'graph-model',
    generatedBy: 'onnx2mcu tests',
    convertedBy: 'src/tfjs/testing.ts',
    modelTopology: { node: spec.nodes, library: {}, versions: { producer: 1 } },
    weightsManifest,
    ...(spec.inputs || spec.outputs ? { signature: { inputs: sig(spec.inputs), outputs: sig(spec.outputs) } } : {}),
  };
  const path = join(dir, 'model.json');
  writeFileSync(path, JSON.stringify(json, null, 1));
  return path;
}

/** Seeded float32 values in [lo, hi). */
export function seededValues(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * r()));
}

/** A float weight of `shape` with seeded values. */
export function floatWeight(name: string, shape: number[], seed: number, lo = -1, hi = 1): WeightJson {
  return { name, shape, dtype: 'float32', values: seededValues(sizeOf(shape), seed, lo, hi) };
}

export function intWeight(name: string, shape: number[], values: number[]): WeightJson {
  return { name, shape, dtype: 'int32', values };
}
