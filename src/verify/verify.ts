/**
 * verifyArtifacts: compiles a generated runner on the host with gcc and clang (strict flags, then
 * again under ASan + UBSan), runs it on real images (through model_input_from_pixels) and on random
 * int8 inputs, through the flash weights and through the weights.bin loader, and compares every
 * output byte for byte with the TypeScript integer reference (runInt8).
 *
 * The reference model is the one given, or else rebuilt from the artifacts themselves
 * (manifest.json scalars + weights.bin arrays, layouts and bias folding inverted), after checking
 * every file against its sha256 in the manifest.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPixelsUint8 } from '../images/load.js';
import { listImages } from '../images/list.js';
import { runInt8Raw } from '../quant/int8_pool.js';
import { pixelsToInt8Nchw } from '../quant/interpret_int8.js';
import type { QuantizedLayer, QuantizedModel } from '../int8/types.js';
import { UserError } from '../util/errors.js';
import { readBlob } from '../emit/blob.js';
import { availableCompilers, compileC, type Compiler } from './compile.js';
import { sha256, type ManifestLayer } from '../emit/manifest.js';
import { mulberry32 } from '../util/random.js';

export interface VerifyOptions {
  /** A folder of JPEG/PNG images or a CSV list. */
  readonly images?: string;
  /** At most this many images (default all). */
  readonly imageLimit?: number;
  /** Random int8 inputs (default 200). */
  readonly random?: number;
  readonly seed?: number;
  /** The reference model; default: rebuilt from the artifacts. */
  readonly model?: QuantizedModel;
  /** Default: every compiler present (gcc, clang). */
  readonly compilers?: readonly Compiler[];
  /** Inputs run under the sanitizers per build (default 4: sanitized runs are slow). */
  readonly sanitizedInputs?: number;
}

export interface VerifyResult {
  readonly images: number;
  readonly random: number;
  /** Output buffers (per input, build and weights path) that differ from runInt8 in any byte. */
  readonly mismatches: number;
  readonly compilers: string[];
  /** One line per build: what ran and how many mismatched. */
  readonly builds: string[];
}

/** The parts of manifest.json that verify reads. */
interface Manifest {
  model: { name: string };
  input: {
    tensor: string; shape_nchw: number[]; layout: 'nhwc' | 'nchw'; scale: number; zero_point: number;
    feed: { pixel_offset: number; pixel_mapping: string; float_scaling: string; note: string };
  };
  output: { tensor: string; shape: number[]; scale: number; zero_point: number; float_output: string; softmax?: { axis: number } };
  layers: ManifestLayer[];
  tensors: Record<string, { shape: number[]; scale: number; zero_point: number }>;
  files: Record<string, { bytes: number; sha256: string }>;
}

export function readManifest(dir: string): Manifest {
  const p = join(dir, 'manifest.json');
  if (!existsSync(p)) throw new UserError(`${dir}: no manifest.json (not an onnx2mcu output folder?)`);
  return JSON.parse(readFileSync(p, 'utf8')) as Manifest;
}

/** Throws a UserError naming the first artifact whose bytes differ from the manifest's sha256. */
export function checkArtifactHashes(dir: string, manifest: Manifest): void {
  for (const [name, f] of Object.entries(manifest.files)) {
    const p = join(dir, name);
    if (!existsSync(p)) throw new UserError(`${p}: listed in manifest.json but missing`);
    if (sha256(readFileSync(p)) !== f.sha256) throw new UserError(`${p}: sha256 differs from manifest.json (file modified?)`);
  }
}

/** Rebuilds the QuantizedModel from manifest.json + weights.bin (NCHW layouts, unfolded bias). */
export function reconstructModel(dir: string): QuantizedModel {
  const full = readManifest(dir);
  const blob = readBlob(readFileSync(join(dir, 'weights.bin')));
  const layers: QuantizedLayer[] = full.layers.map((ml) => {
    const base = {
      name: ml.name, op: ml.op, origin: ml.origin, input: ml.input, output: ml.output,
      inputShape: ml.input_shape, outputShape: ml.output_shape,
      inputQ: { scale: ml.input_q.scale, zeroPoint: ml.input_q.zero_point },
      outputQ: { scale: ml.output_q.scale, zeroPoint: ml.output_q.zero_point },
      actMin: ml.act_min, actMax: ml.act_max,
      ...(ml.kernel_size ? { kernel: ml.kernel_size } : {}),
      ...(ml.strides ? { strides: ml.strides } : {}),
      ...(ml.pads ? { pads: ml.pads } : {}),
      ...(ml.dilations ? { dilations: ml.dilations } : {}),
      ...(ml.depth_multiplier !== undefined ? { depthMultiplier: ml.depth_multiplier } : {}),
      ...(ml.count_include_pad !== undefined ? { countIncludePad: ml.count_include_pad } : {}),
    };
    if (!ml.weight_shape) return base as QuantizedLayer;
    const get = (k: string) => {
      const t = blob.get(`${ml.ident}.${k}`);
      if (!t) throw new UserError(`${dir}/weights.bin: no tensor '${ml.ident}.${k}'`);
      return t;
    };
    const cw = get('weights') as Int8Array;
    const folded = get('bias') as Int32Array;
    const O = ml.weight_shape[0];
    const w = new Int8Array(cw.length);
    const perOut = cw.length / O;
    if (ml.op === 'conv2d') {
      const [, I, kh, kw] = ml.weight_shape;
      for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) w[((o * I + i) * kh + y) * kw + x] = cw[((o * kh + y) * kw + x) * I + i];
    } else if (ml.op === 'depthwise_conv2d') {
      const [, , kh, kw] = ml.weight_shape;
      for (let o = 0; o < O; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) w[(o * kh + y) * kw + x] = cw[(y * kw + x) * O + o];
    } else {
      const s = ml.input_shape;
      if (s.length === 4 && s[2] * s[3] > 1 && s[1] > 1) {
        const [, C, H, W] = s;
        for (let o = 0; o < O; o++) for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) w[o * perOut + c * H * W + p] = cw[o * perOut + p * C + c];
      } else w.set(cw);
    }
    const bias = new Int32Array(O);
    for (let o = 0; o < O; o++) {
      let sum = 0;
      for (let k = 0; k < perOut; k++) sum += w[o * perOut + k];
      bias[o] = folded[o] + ml.input_q.zero_point * sum;
    }
    return {
      ...base, weights: w, weightShape: ml.weight_shape, weightScales: Float64Array.from(ml.weight_scales ?? []), bias,
      multiplier: Int32Array.from(get('multiplier')), shift: Int32Array.from(get('shift')),
    } as QuantizedLayer;
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

/** The host test driver: reads records on stdin, writes the flash-path and blob-path outputs. */
const DRIVER_C = `/* verify driver (host only): stdin records -> stdout outputs, flash path then blob path */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model.h"

static uint8_t pixels[MODEL_INPUT_SIZE];
static int8_t input[MODEL_INPUT_SIZE];
static int8_t out_flash[MODEL_OUTPUT_SIZE];
static int8_t out_blob[MODEL_OUTPUT_SIZE];

int main(int argc, char **argv)
{
    FILE *f;
    long size;
    uint8_t *blob;
    int8_t *arena;
    model_weights_t w;
    int detail = 0, rc, from_pixels;
    if (argc < 3) {
        fprintf(stderr, "usage: driver weights.bin pixels|int8\\n");
        return 2;
    }
    from_pixels = strcmp(argv[2], "pixels") == 0;
    f = fopen(argv[1], "rb");
    if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fprintf(stderr, "cannot read %s\\n", argv[1]);
        return 2;
    }
    blob = (uint8_t *)malloc((size_t)size + 1);
    if (blob == NULL || fread(blob, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\\n", argv[1]);
        return 2;
    }
    fclose(f);
    rc = model_load_blob(blob, (uint32_t)size, &w, &detail);
    if (argc > 3) {
        printf("%d %d\\n", rc, detail);
        free(blob);
        return 0;
    }
    if (rc != MODEL_OK) {
        fprintf(stderr, "model_load_blob: %d (detail %d)\\n", rc, detail);
        return 3;
    }
    arena = (int8_t *)malloc(MODEL_ARENA_SIZE > 0 ? MODEL_ARENA_SIZE : 1); /* exact size: ASan sees any overrun */
    for (;;) {
        if (from_pixels) {
            if (fread(pixels, 1, sizeof pixels, stdin) != sizeof pixels) break;
            model_input_from_pixels(pixels, input);
        } else if (fread(input, 1, sizeof input, stdin) != sizeof input) {
            break;
        }
        memset(arena, 0x5A, MODEL_ARENA_SIZE > 0 ? MODEL_ARENA_SIZE : 1);
        if (model_run(input, out_flash) != MODEL_OK ||
            model_run_with_weights(&w, input, out_blob, arena, MODEL_ARENA_SIZE) != MODEL_OK) {
            fprintf(stderr, "model run failed\\n");
            return 4;
        }
        fwrite(out_flash, 1, sizeof out_flash, stdout);
        fwrite(out_blob, 1, sizeof out_blob, stdout);
    }
    free(arena);
    free(blob);
    return 0;
}
`;

/** Compiles the runner in `dir` plus the verify driver into `exe`. */
export function buildDriver(dir: string, work: string, compiler: Compiler, sanitize: boolean, tag: string): string {
  const driver = join(work, 'verify_driver.c');
  writeFileSync(driver, DRIVER_C);
  const sources = readdirC(dir).map((f) => join(dir, f)).filter((f) => !f.endsWith('/main.c'));
  return compileC({ compiler, sources: [...sources, driver], includeDirs: [dir], out: join(work, `driver_${tag}`), sanitize, optimize: sanitize ? '-O1' : '-O2' });
}

function readdirC(dir: string): string[] {
  const m = readManifest(dir);
  return Object.keys(m.files).filter((f) => f.endsWith('.c')).sort();
}

/** Runs the driver; returns [flash outputs, blob outputs] per record. */
export function runDriver(exe: string, blobPath: string, mode: 'pixels' | 'int8', records: Uint8Array, outSize: number): [Int8Array, Int8Array][] {
  const r = spawnSync(exe, [blobPath, mode], { input: records, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${exe} exited ${r.status}${r.signal ? ` (${r.signal})` : ''}: ${r.stderr.toString().slice(0, 2000)}`);
  if (r.stderr.length) throw new Error(`${exe} wrote to stderr (sanitizer?): ${r.stderr.toString().slice(0, 2000)}`);
  const out = new Int8Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.byteLength);
  const res: [Int8Array, Int8Array][] = [];
  for (let i = 0; i + 2 * outSize <= out.length; i += 2 * outSize) res.push([out.slice(i, i + outSize), out.slice(i + outSize, i + 2 * outSize)]);
  return res;
}


/** NCHW int8 → the C input layout. */
function toCLayout(x: Int8Array, shape: readonly number[], layout: 'nhwc' | 'nchw'): Int8Array {
  if (layout === 'nchw' || shape.length !== 4) return x;
  const [, C, H, W] = shape;
  const out = new Int8Array(x.length);
  for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) out[p * C + c] = x[c * H * W + p];
  return out;
}

export async function verifyArtifacts(dir: string, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const manifest = readManifest(dir);
  checkArtifactHashes(dir, manifest);
  const model = opts.model ?? reconstructModel(dir);
  const shape = manifest.input.shape_nchw;
  const [, C, H, W] = shape;
  const inSize = shape.reduce((a, b) => a * b, 1);
  const outSize = manifest.output.shape.reduce((a, b) => a * b, 1);

  // Inputs: random int8 (C layout) and image pixels (HWC uint8), with their NCHW int8 for runInt8.
  const rnd = mulberry32(opts.seed ?? 12345);
  const randomNchw: Int8Array[] = [];
  for (let i = 0; i < (opts.random ?? 200); i++) randomNchw.push(Int8Array.from({ length: inSize }, () => Math.floor(rnd() * 256) - 128));
  const imagePixels: Uint8Array[] = [];
  if (opts.images) {
    if (C !== 3) throw new UserError(`verify --images: the model input has ${C} channels, images give 3`);
    const paths = listImages(opts.images).slice(0, opts.imageLimit ?? Infinity);
    for (const p of paths) imagePixels.push((await loadPixelsUint8(p, [H, W])).data);
  }
  // The TypeScript references, on worker threads when there are many inputs.
  const want = await runInt8Raw(model, [...randomNchw, ...imagePixels.map((px) => pixelsToInt8Nchw(px, H, W, manifest.input.feed.pixel_offset))]);
  const wantRandom = want.slice(0, randomNchw.length);
  const wantImages = want.slice(randomNchw.length);
  const randomRecords = Buffer.concat(randomNchw.map((x) => {
    const c = toCLayout(x, shape, manifest.input.layout);
    return Buffer.from(c.buffer, c.byteOffset, c.byteLength);
  }));
  const imageRecords = Buffer.concat(imagePixels.map((p) => Buffer.from(p)));

  const compilers = opts.compilers ?? availableCompilers();
  if (compilers.length === 0) throw new UserError('verify: neither gcc nor clang found on PATH');
  const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-verify-'));
  const builds: string[] = [];
  let mismatches = 0;
  const compare = (got: [Int8Array, Int8Array][], want: Int8Array[]) => {
    let bad = 0;
    want.forEach((w, i) => {
      for (const g of got[i] ?? [undefined, undefined]) if (!g || Buffer.compare(Buffer.from(g.buffer, g.byteOffset, g.byteLength), Buffer.from(w.buffer, w.byteOffset, w.byteLength)) !== 0) bad++;
    });
    return bad;
  };
  try {
    const blobPath = join(dir, 'weights.bin');
    for (const cc of compilers) {
      for (const sanitize of [false, true]) {
        const tag = `${cc}${sanitize ? '_asan_ubsan' : ''}`;
        const exe = buildDriver(dir, work, cc, sanitize, tag);
        const nR = sanitize ? Math.min(randomNchw.length, opts.sanitizedInputs ?? 4) : randomNchw.length;
        const nI = sanitize ? Math.min(imagePixels.length, opts.sanitizedInputs ?? 4) : imagePixels.length;
        let bad = 0;
        if (nR > 0) bad += compare(runDriver(exe, blobPath, 'int8', randomRecords.subarray(0, nR * inSize), outSize), wantRandom.slice(0, nR));
        if (nI > 0) bad += compare(runDriver(exe, blobPath, 'pixels', imageRecords.subarray(0, nI * inSize), outSize), wantImages.slice(0, nI));
        builds.push(`${tag}: ${nR} random + ${nI} images, flash and blob paths, ${bad} mismatches`);
        mismatches += bad;
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { images: imagePixels.length, random: randomNchw.length, mismatches, compilers: [...compilers], builds };
}
