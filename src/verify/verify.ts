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
import type { QuantizedModel } from '../int8/types.js';
import { UserError } from '../util/errors.js';
import { checkArtifactHashes, readManifest, reconstructModel, type Manifest } from '../artifacts/manifest.js';
import { availableCompilers, compileC, quickMode, type Compiler } from './compile.js';
import { mulberry32 } from '../util/random.js';
import { Progress, type ProgressMode } from '../progress/progress.js';

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
  /** Progress on stderr (default 'none'; the command line passes 'auto'). */
  readonly progress?: ProgressMode;
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

export { readManifest, checkArtifactHashes, reconstructModel } from '../artifacts/manifest.js';

/** The host test driver: reads records on stdin, writes the flash-path and blob-path outputs. */
const DRIVER_TEMPLATE = `/* verify driver (host only): stdin records -> stdout outputs, flash path then blob path */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "PREFIX.h"

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
  writeFileSync(driver, driverSource(readManifest(dir).prefix));
  const sources = readdirC(dir).map((f) => join(dir, f)).filter((f) => !f.endsWith('/main.c'));
  return compileC({ compiler, sources: [...sources, driver], includeDirs: [dir], out: join(work, `driver_${tag}`), sanitize, optimize: sanitize ? '-O1' : '-O2' });
}

/** The driver in the model's namespace (the template is written for the default prefix 'model'). */
export function driverSource(prefix: string): string {
  return DRIVER_TEMPLATE.replace('"PREFIX.h"', `"${prefix}.h"`).replace(/\bmodel_/g, `${prefix}_`).replace(/\bMODEL_/g, `${prefix.toUpperCase()}_`);
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
  const references = [...randomNchw, ...imagePixels.map((px) => pixelsToInt8Nchw(px, H, W, manifest.input.feed.pixel_offset))];
  const referenceProgress = new Progress('verify: integer reference', references.length, opts.progress ?? 'none', { unit: 'inputs' });
  const want = await runInt8Raw(model, references, undefined, () => referenceProgress.tick());
  referenceProgress.done();
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
  const variants = quickMode() ? [false] : [false, true];
  const buildProgress = new Progress('verify: builds', compilers.length * variants.length, opts.progress ?? 'none', { unit: 'builds' });
  try {
    const blobPath = join(dir, 'weights.bin');
    for (const cc of compilers) {
      for (const sanitize of variants) {
        const tag = `${cc}${sanitize ? '_asan_ubsan' : ''}`;
        const exe = buildDriver(dir, work, cc, sanitize, tag);
        const nR = sanitize ? Math.min(randomNchw.length, opts.sanitizedInputs ?? 4) : randomNchw.length;
        const nI = sanitize ? Math.min(imagePixels.length, opts.sanitizedInputs ?? 4) : imagePixels.length;
        let bad = 0;
        if (nR > 0) bad += compare(runDriver(exe, blobPath, 'int8', randomRecords.subarray(0, nR * inSize), outSize), wantRandom.slice(0, nR));
        if (nI > 0) bad += compare(runDriver(exe, blobPath, 'pixels', imageRecords.subarray(0, nI * inSize), outSize), wantImages.slice(0, nI));
        builds.push(`${tag}: ${nR} random + ${nI} images, flash and blob paths, ${bad} mismatches`);
        mismatches += bad;
        buildProgress.tick();
      }
    }
    buildProgress.done();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { images: imagePixels.length, random: randomNchw.length, mismatches, compilers: [...compilers], builds };
}
