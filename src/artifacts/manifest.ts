/**
 * manifest.json — one type, its writer and its reader. Everything a firmware team (and `verify`,
 * the benchmarks, the tests) needs to know about a converted folder: the input and output
 * contract, the arena and flash figures, every layer (its QuantizedLayer scalars verbatim, its
 * kernel, the layout of its arrays in weights.bin), every tensor's quantization and every file's
 * sha256. Deterministic: keys sorted at every level, no timestamps.
 *
 * reconstructModel rebuilds the QuantizedModel from manifest.json + weights.bin: the arrays' kernel
 * layouts and the folded bias are inverted from the same descriptions the emitter applied
 * (src/cgen/layout.ts, foldZeroPoint), so no op needs to be known here.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { QuantizedLayer, QuantizedModel } from '../int8/types.js';
import { foldZeroPoint } from '../cgen/c_layer.js';
import { invertLayout, type WeightLayout } from '../cgen/layout.js';
import { UserError } from '../util/errors.js';
import { readInputFile, readInputText } from '../util/input_files.js';
import { readBlob } from './blob.js';

/** Where the model came from and how it was converted (recorded, relative, for determinism). */
export interface Provenance {
  readonly model: string;
  readonly model_sha256: string;
  /** 'onnx' or 'tfjs'. */
  readonly format: string;
  readonly calibration: { readonly images: number; readonly from: string; readonly method: string; readonly bias_correction: boolean };
  readonly input_scaling: string;
  /** How the input scaling was decided: 'sha256' / 'file name' (a known model), '--scale', or 'assumed'. */
  readonly input_scaling_source: string;
}

export interface ManifestLayer {
  readonly name: string;
  /** The layer's C identifier (its params struct and weights.bin tensors are named after it). */
  readonly ident: string;
  readonly op: string;
  /** The C kernel variant ('conv_1x1', 'dw_conv_3x3', …). */
  readonly kernel: string;
  readonly macs: number;
  readonly params: number;
  readonly in_place?: boolean;
  /** The QuantizedLayer's fields other than its arrays, as in src/int8/types.ts and the op's file. */
  readonly quantized: Record<string, unknown>;
  /** Float64Array fields of the QuantizedLayer, stored in `quantized` as number arrays. */
  readonly float64_fields?: readonly string[];
  /** Layers with constant data: the arrays in weights.bin and how to read them back. */
  readonly data?: {
    readonly layout: WeightLayout;
    /** The input zero point folded into the bias: bias_q = bias + zp·Σw. */
    readonly bias_zero_point: number;
    readonly tensors: { readonly weights: string; readonly bias: string; readonly multiplier: string; readonly shift: string };
  };
}

export interface Manifest {
  readonly generator: string;
  /** The C namespace of every public symbol (file names and macros too). */
  readonly prefix: string;
  readonly model: { readonly name: string; readonly source?: Provenance };
  readonly input: {
    readonly tensor: string;
    readonly shape_nchw: readonly number[];
    readonly layout: 'nhwc' | 'nchw';
    readonly c_shape: readonly number[];
    readonly dtype: 'int8';
    readonly scale: number;
    readonly zero_point: number;
    readonly feed: { readonly pixel_offset: number; readonly pixel_mapping: string; readonly float_scaling: string; readonly note: string; readonly helper: string };
  };
  readonly output: {
    readonly tensor: string;
    readonly shape: readonly number[];
    readonly dtype: 'int8';
    readonly scale: number;
    readonly zero_point: number;
    readonly float_output: string;
    readonly softmax?: { readonly axis: number; readonly where: string };
    readonly labels?: readonly string[];
  };
  readonly arena: {
    /** Every activation, the input (or, streamed, its window of rows) and the kernels' scratch. */
    readonly bytes: number;
    readonly alignment: number;
    /** Where the input sits in the arena (the caller writes it there, <prefix>_input()); null when streamed row by row. */
    readonly input_offset: number | null;
    readonly peak_layer?: string;
    /** The largest single tensor or scratch in the arena: no plan of these buffers needs less (streaming the first layers removes the largest ones). */
    readonly largest_buffer: number;
    /** The largest sum of what is alive at one step: the floor of a plan without overlaps. */
    readonly live_bytes_lower_bound: number;
    readonly in_place_layers: readonly string[];
    /** Layers whose output overlaps their input: output offset − input offset, proven safe by replay. */
    readonly overlaps: readonly { readonly layer: string; readonly input: string; readonly output: string; readonly shift: number }[];
    /** Layers switched to their low-RAM kernel variant by the plan. */
    readonly low_ram_layers: readonly string[];
    /** The first layers run row by row (convert --ram-limit): their windows, and the input not in the arena. */
    readonly stream?: ManifestStream;
  };
  readonly flash: { readonly sections: Record<string, number>; readonly total: number; readonly blob_bytes: number; readonly note: string };
  readonly api: Record<string, string>;
  readonly layers: readonly ManifestLayer[];
  readonly tensors: Record<string, { readonly shape: readonly number[]; readonly scale: number; readonly zero_point: number }>;
  readonly files: Record<string, { readonly bytes: number; readonly sha256: string }>;
}

export interface ManifestStream {
  readonly layers: readonly { readonly layer: string; readonly window_rows: number; readonly window_offset: number; readonly window_bytes: number; readonly output_rows: number; readonly rows_computed: number }[];
  /** Output rows per kernel call at most (the tile height). */
  readonly band: number;
  readonly input_in_arena: false;
  /** The tensor the last streamed layer writes whole. */
  readonly output: string;
  readonly block_offset: number;
  readonly block_bytes: number;
  readonly scratch_offset: number;
  readonly scratch_bytes: number;
  /** MACs of rows computed beyond each layer's output (from the schedule's replay; windows keep their rows: 0). */
  readonly extra_macs: number;
}

/** JSON with object keys sorted at every level and a trailing newline. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, sort(o[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + '\n';
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const isTypedArray = (v: unknown): v is Int8Array | Int32Array | Float64Array => ArrayBuffer.isView(v);

/** A layer's scalar fields for the manifest (its arrays go to weights.bin, Float64Arrays as number arrays). */
export function layerScalars(l: QuantizedLayer): { quantized: Record<string, unknown>; float64_fields?: string[] } {
  const quantized: Record<string, unknown> = {};
  const float64: string[] = [];
  for (const [k, v] of Object.entries(l)) {
    if (v instanceof Float64Array) {
      quantized[k] = Array.from(v);
      float64.push(k);
    } else if (!isTypedArray(v)) {
      quantized[k] = v;
    }
  }
  return { quantized, ...(float64.length ? { float64_fields: float64.sort() } : {}) };
}

export function manifestJson(m: Manifest): string {
  return stableStringify(m);
}

/** Reads `dir`/manifest.json; a UserError when it is missing, not JSON, or not an onnx2mcu manifest. */
export function readManifest(dir: string): Manifest {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) throw new UserError(`${dir}: no manifest.json (not an onnx2mcu output folder?)`);
  let m: Manifest;
  const text = readInputText(p, 'manifest');
  try {
    m = JSON.parse(text) as Manifest;
  } catch (e) {
    throw new UserError(`${p}: not valid JSON (${(e as Error).message})`);
  }
  for (const k of ['generator', 'prefix', 'input', 'output', 'layers', 'tensors', 'files'] as const) {
    if (m === null || typeof m !== 'object' || m[k] === undefined) throw new UserError(`${p}: field '${k}' missing (written by another onnx2mcu version?)`);
  }
  return m;
}

/** Throws a UserError naming the first artifact whose bytes differ from the manifest's sha256. */
export function checkArtifactHashes(dir: string, manifest: Manifest): void {
  for (const [name, f] of Object.entries(manifest.files)) {
    const p = join(dir, name);
    if (!existsSync(p)) throw new UserError(`${p}: listed in manifest.json but missing`);
    if (sha256(readInputFile(p, 'artifact')) !== f.sha256) throw new UserError(`${p}: sha256 differs from manifest.json (file modified?)`);
  }
}

/** Rebuilds the QuantizedModel from manifest.json + weights.bin (IR layouts, unfolded bias). */
export function reconstructModel(dir: string): QuantizedModel {
  const full = readManifest(dir);
  const blob = readBlob(readInputFile(join(dir, 'weights.bin'), 'artifact'));
  const layers = full.layers.map((ml) => {
    const layer: Record<string, unknown> = { ...ml.quantized };
    for (const k of ml.float64_fields ?? []) layer[k] = Float64Array.from(layer[k] as number[]);
    if (ml.data) {
      const get = (name: string) => {
        const t = blob.get(name);
        if (!t) throw new UserError(`${dir}/weights.bin: no tensor '${name}'`);
        return t;
      };
      const t = ml.data.tensors;
      const weights = invertLayout(get(t.weights) as Int8Array, ml.data.layout);
      const folded = get(t.bias) as Int32Array;
      layer.weights = weights;
      layer.bias = foldZeroPoint(folded, weights, weights.length / folded.length, ml.data.bias_zero_point, 1);
      layer.multiplier = Int32Array.from(get(t.multiplier));
      layer.shift = Int32Array.from(get(t.shift));
    }
    return layer as unknown as QuantizedLayer;
  });
  const tensors = Object.fromEntries(Object.entries(full.tensors).map(([k, v]) => [k, { shape: v.shape, q: { scale: v.scale, zeroPoint: v.zero_point } }]));
  return {
    name: full.model.name,
    input: {
      name: full.input.tensor, shape: full.input.shape_nchw, q: { scale: full.input.scale, zeroPoint: full.input.zero_point },
      pixelOffset: full.input.feed.pixel_offset, pixelMapping: full.input.feed.pixel_mapping, floatScaling: full.input.feed.float_scaling, note: full.input.feed.note,
    },
    output: {
      name: full.output.tensor, shape: full.output.shape, q: { scale: full.output.scale, zeroPoint: full.output.zero_point },
      ...(full.output.softmax ? { softmax: { axis: full.output.softmax.axis } } : {}), floatOutput: full.output.float_output,
    },
    layers,
    tensors,
  };
}
