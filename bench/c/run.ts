/**
 * C benchmark of the generated runner against a naive loop-nest version of the same int8 network
 * (issue 5, "Benchmark"). In one run:
 *   1. converts the model (default ../shared's VWW 0.25/96 calibrated on ../shared/images/vww; a
 *      generated 0.25/96 on synthetic images without ../shared), or reuses an out/ folder (--out);
 *   2. writes the naive version (bench/c/naive_gen.ts + bench/c/naive/naive_ops.c);
 *   3. builds both with gcc -O2 and the same flags and the same driver (bench/c/bench_driver.c);
 *   4. checks that both give the same output bytes, and the same as the TypeScript int8 reference
 *      (runInt8), on every calibration image and on random int8 inputs; any difference FAILS the
 *      bench (exit 1) before a number is printed;
 *   5. counts instructions of one inference under valgrind --tool=callgrind (Ir, collection toggled
 *      on around exactly one model_run / naive_model_run call by callgrind client requests);
 *   6. times both natively: batches of inferences, generated and naive interleaved, median;
 *   7. prints a table: instructions and µs per inference, the speed-up, arena and flash bytes
 *      (manifest.json) and `size` of the -O2 object files.
 *
 * npx tsx bench/c/run.ts [--model M.onnx --calib DIR] [--out out/NAME] [--image IMG]
 *                        [--input-layout nhwc|nchw] [--batches 3] [--rounds 3] [--batch-ms 250]
 *                        [--work DIR (default out/bench/c)] [--json FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { convertModel } from '../../src/cli/convert.js';
import { readManifest, reconstructModel } from '../../src/verify/verify.js';
import { writeSyntheticImages } from '../../src/generate/images.js';
import { generateMobileNetV1 } from '../../src/generate/mobilenet.js';
import { SeededRandom } from '../../src/util/random.js';
import { listImages } from '../../src/images/list.js';
import { loadPixelsUint8 } from '../../src/images/load.js';
import { exportOnnx } from '../../src/onnx/export.js';
import { pixelsToInt8Nchw, runInt8 } from '../../src/quant/interpret_int8.js';
import type { QuantizedLayer, QuantizedModel } from '../../src/int8/types.js';
import { HAVE_SHARED, PROJECT_ROOT, sharedPath } from '../../src/util/shared.js';
import { writeNaiveModel, type InputLayout } from './naive_gen.js';
import { BenchFailure, buildRunnerDriver, callgrindInstructions, CALLGRIND_HEADER, CFLAGS, has, run } from '../host/instructions.js';

const BENCH_C_DIR = dirname(fileURLToPath(import.meta.url));
export { BenchFailure, has, run } from '../host/instructions.js';
const NAIVE_DIR = join(BENCH_C_DIR, 'naive');
const RANDOM_INPUTS = 16;

export interface CBenchOptions {
  readonly model?: string;
  readonly calib?: string;
  /** An existing onnx2mcu output folder to benchmark instead of converting. */
  readonly out?: string;
  /** The image the timing and instruction counts use (default: the first calibration image). */
  readonly image?: string;
  /** Timed batches per round and rounds (generated and naive alternate each round). */
  readonly batches?: number;
  readonly rounds?: number;
  /** Target wall time of one timed batch. */
  readonly batchMs?: number;
  /** Input layout of the converted runner (default nhwc). */
  readonly inputLayout?: InputLayout;
  /** Work folder (default out/bench/c). */
  readonly work?: string;
}

export interface ProgramFigures {
  /** callgrind Ir of one inference; undefined without valgrind. */
  readonly instructions?: number;
  /** Median over all timed batches. */
  readonly usPerInference: number;
  readonly batches: number[];
  readonly inferencesPerBatch: number;
  /** Self instructions per function inside the counted inference (callgrind_annotate), largest first. */
  readonly functions: { name: string; instructions: number }[];
  /** `size` of the program's own -O2 objects (driver excluded). */
  readonly objects: { file: string; text: number; data: number; bss: number }[];
}

export interface CBenchResult {
  readonly what: string;
  readonly outDir: string;
  /** The calibration images of the model (the first is the default bench input). */
  readonly images: readonly string[];
  readonly compiler: string;
  readonly cflags: string[];
  readonly instructionMethod: string;
  readonly checked: { images: number; random: number; naiveLayerBytes: number };
  readonly topClass: { index: number; label?: string; raw: number[] };
  readonly generated: ProgramFigures;
  readonly naive: ProgramFigures;
  readonly instructionRatio?: number;
  readonly timeRatio: number;
  /** The same on the fastest batch of each (less sensitive to other load on the machine). */
  readonly bestTimeRatio: number;
  /** Multiply-accumulates of one inference (conv, depthwise, fully connected). */
  readonly macs: number;
  readonly arenaBytes: number;
  readonly naiveActivationBytes: number;
  readonly flash: { total: number; sections: Record<string, number> };
  readonly machine: string;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** "out v0 v1 ..." lines → byte arrays. */
function parseOutputs(stdout: string): number[][] {
  return stdout.split('\n').filter((l) => l.startsWith('out')).map((l) => l.split(' ').slice(1).map(Number));
}

/** Berkeley `size` of one object file. */
export function sizeOf(obj: string, tool = 'size'): { text: number; data: number; bss: number } {
  const lines = run(tool, ['-B', obj], `${tool} ${obj}`).trim().split('\n');
  const [text, data, bss] = lines[lines.length - 1].trim().split(/\s+/).map(Number);
  return { text, data, bss };
}

/** The model to benchmark: an existing out/ folder (--out), or a fresh conversion into `work`. */
export async function resolveModel(opts: CBenchOptions, work: string): Promise<{ outDir: string; model: QuantizedModel; what: string; images: string[] }> {
  let calib = opts.calib;
  if (opts.out) {
    const outDir = resolve(opts.out);
    calib ??= HAVE_SHARED ? sharedPath('images', 'vww') : undefined;
    const images = calib ? listImages(calib) : [];
    return { outDir, model: reconstructModel(outDir), what: `${basename(outDir)} (existing out/ folder)`, images };
  }
  let modelPath = opts.model;
  let what: string;
  if (!modelPath) {
    if (HAVE_SHARED) {
      modelPath = sharedPath('models', 'vww_96_mlcommons.onnx');
      calib ??= sharedPath('images', 'vww');
      what = 'VWW MobileNet v1 0.25/96 (../shared/models/vww_96_mlcommons.onnx)';
    } else {
      modelPath = join(work, 'mobilenet_v1_0.25_96.onnx');
      writeFileSync(modelPath, exportOnnx(generateMobileNetV1({ width: 0.25, resolution: 96, classes: 2, seed: 1 })));
      what = 'generated MobileNet v1 0.25/96, seeded weights (../shared not found)';
    }
  } else what = basename(modelPath);
  if (!calib) {
    calib = join(work, 'calib');
    await writeSyntheticImages(calib, 8, [96, 96], 1);
    what += ', synthetic calibration images';
  }
  const name = basename(modelPath).replace(/\.onnx$/i, '');
  const outDir = join(work, name);
  const converted = await convertModel({ model: modelPath, calib, out: outDir, progress: 'none', inputLayout: opts.inputLayout });
  return { outDir, model: converted.model, what, images: listImages(calib) };
}

/** Self Ir per function from `callgrind_annotate` (lines like "12,345 (40.1%)  file.c:fn [exe]"). */
function selfCosts(callgrindOut: string): { name: string; instructions: number }[] {
  // callgrind_annotate ships with valgrind (a perl script with no --version): absent → no breakdown.
  const r = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', callgrindOut], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) return [];
  const text = r.stdout;
  const rows: { name: string; instructions: number }[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+)\s+(?:\(\s*[\d.]+%\)\s+)?(?:\S*:)?([A-Za-z_][\w.]*)\s*(?:\[.*\])?\s*$/.exec(line);
    if (m && !/^PROGRAM|TOTALS/i.test(m[2])) rows.push({ name: m[2], instructions: Number(m[1].replace(/,/g, '')) });
  }
  return rows.sort((a, b) => b.instructions - a.instructions);
}

function layerMacs(l: QuantizedLayer): number {
  const [, oc, oh, ow] = l.outputShape.length === 4 ? l.outputShape : [1, l.outputShape[1], 1, 1];
  if (l.op === 'conv2d') return oc * oh * ow * l.inputShapes[0][1] * l.kernel[0] * l.kernel[1];
  if (l.op === 'depthwise_conv2d') return oc * oh * ow * l.kernel[0] * l.kernel[1];
  if (l.op === 'fully_connected') return oc * l.inputShapes[0].slice(1).reduce((a: number, b: number) => a * b, 1);
  return 0;
}

/** The inputs of the benchmark: the images as uint8 pixel files and seeded random int8 inputs, each with its reference output. */
interface BenchInputs {
  readonly pixelFiles: string[];
  readonly pixelInputs: Int8Array[]; // NCHW int8, what the reference runs
  readonly references: Int8Array[];
  readonly benchPixels: string;
  readonly int8Files: string[];
  readonly int8Nchw: Int8Array[];
  readonly int8References: Int8Array[];
}

async function writeInputs(model: QuantizedModel, layout: InputLayout, images: readonly string[], image: string | undefined, build: string): Promise<BenchInputs> {
  const [, C, H, W] = model.input.shape;
  const pixelFiles: string[] = [];
  const pixelInputs: Int8Array[] = [];
  const references: Int8Array[] = [];
  const benchImage = image ?? images[0];
  const imagePaths = benchImage && !images.includes(benchImage) ? [benchImage, ...images] : [...images];
  for (const [i, p] of imagePaths.entries()) {
    const px = await loadPixelsUint8(p, [H, W]);
    const f = join(build, `image${i}.rgb`);
    writeFileSync(f, px.data);
    pixelFiles.push(f);
    pixelInputs.push(pixelsToInt8Nchw(px.data, H, W, model.input.pixelOffset));
    references.push(runInt8(model, pixelInputs[i]).raw);
  }
  let benchPixels = benchImage ? pixelFiles[imagePaths.indexOf(benchImage)] : undefined;
  if (!benchPixels) {
    // No image at all: a fixed pattern, also checked against the reference.
    const px = Uint8Array.from({ length: H * W * C }, (_, i) => (i * 7) & 0xff);
    benchPixels = join(build, 'pattern.rgb');
    writeFileSync(benchPixels, px);
    pixelFiles.push(benchPixels);
    pixelInputs.push(pixelsToInt8Nchw(px, H, W, model.input.pixelOffset));
    references.push(runInt8(model, pixelInputs[pixelInputs.length - 1]).raw);
  }
  const rng = new SeededRandom(5);
  const int8Files: string[] = [];
  const int8References: Int8Array[] = [];
  const int8Nchw: Int8Array[] = [];
  for (let i = 0; i < RANDOM_INPUTS; i++) {
    const nchw = Int8Array.from({ length: C * H * W }, () => Math.floor(rng.next() * 256) - 128);
    let bytes = nchw;
    if (layout === 'nhwc') {
      bytes = new Int8Array(nchw.length);
      for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) bytes[p * C + c] = nchw[c * H * W + p];
    }
    const f = join(build, `random${i}.int8`);
    writeFileSync(f, bytes);
    int8Files.push(f);
    int8Nchw.push(nchw);
    int8References.push(runInt8(model, nchw).raw);
  }
  return { pixelFiles, pixelInputs, references, benchPixels, int8Files, int8Nchw, int8References };
}

/** Both programs built with the same driver, compiler and flags; the objects' sizes. */
function buildPrograms(outDir: string, build: string, defines: readonly string[]) {
  const runnerSources = readdirSync(outDir).filter((f) => f.endsWith('.c') && f !== 'main.c').sort();
  const driver = join(BENCH_C_DIR, 'bench_driver.c');
  const genExe = join(build, 'bench_generated');
  const naiveExe = join(build, 'bench_naive');
  const naiveSources = [join(build, 'naive_model.c'), join(NAIVE_DIR, 'naive_ops.c')];
  buildRunnerDriver(outDir, genExe);
  run('gcc', [...CFLAGS, ...defines, '-DBENCH_NAIVE', `-I${build}`, `-I${NAIVE_DIR}`, ...naiveSources, driver, '-o', naiveExe], 'gcc (naive)');
  const objects = (sources: string[], includes: string[]) => sources.map((src) => {
    const obj = join(build, 'obj', basename(src).replace(/\.c$/, '.o'));
    mkdirSync(dirname(obj), { recursive: true });
    run('gcc', [...CFLAGS, ...includes.map((d) => `-I${d}`), '-c', src, '-o', obj], `gcc -c ${basename(src)}`);
    return { file: basename(obj), ...sizeOf(obj) };
  });
  return { genExe, naiveExe, genObjects: objects(runnerSources.map((f) => join(outDir, f)), [outDir]), naiveObjects: objects(naiveSources, [build, NAIVE_DIR]) };
}

/**
 * Byte for byte: generated == naive == TypeScript int8 reference on every input, and the naive
 * program layer by layer (every activation byte) on the bench image and two random inputs: the
 * 2-byte VWW output alone would hide many arithmetic slips. Throws BenchFailure otherwise; returns
 * the layer bytes checked.
 */
function checkOutputs(model: QuantizedModel, inputs: BenchInputs, genExe: string, naiveExe: string, build: string): number {
  const mismatches: string[] = [];
  const compare = (kind: string, files: string[], refs: Int8Array[]) => {
    const gen = parseOutputs(run(genExe, [kind, ...files], `generated runner ${kind}`));
    const nai = parseOutputs(run(naiveExe, [kind, ...files], `naive ${kind}`));
    files.forEach((f, i) => {
      const ref = Array.from(refs[i]);
      const g = gen[i] ?? [], n = nai[i] ?? [];
      const same = (a: number[], b: number[]) => a.length === b.length && a.every((v, j) => v === b[j]);
      if (!same(g, n) || !same(g, ref)) mismatches.push(`${basename(f)}: generated [${g}] naive [${n}] TypeScript reference [${ref}]`);
    });
  };
  compare('check-pixels', inputs.pixelFiles, inputs.references);
  compare('check-int8', inputs.int8Files, inputs.int8References);
  const layerChecks: [string, string, Int8Array][] = [
    ['dump-pixels', inputs.benchPixels, inputs.pixelInputs[inputs.pixelFiles.indexOf(inputs.benchPixels)]],
    ['dump-int8', inputs.int8Files[0], inputs.int8Nchw[0]],
    ['dump-int8', inputs.int8Files[1], inputs.int8Nchw[1]],
  ];
  let layerBytes = 0;
  const layerMismatches: string[] = [];
  for (const [kind, file, nchwInput] of layerChecks) {
    const dump = join(build, `${basename(file)}.layers`);
    run(naiveExe, [kind, file, dump], `naive ${kind}`);
    const got = new Int8Array(readFileSync(dump).buffer.slice(0));
    const ref = runInt8(model, nchwInput, { keep: 'all' }).tensors!;
    let offset = 0;
    for (const layer of model.layers) {
      const t = ref.get(layer.output)!;
      const s = layer.outputShape;
      const [c, h, w] = s.length === 4 ? [s[1], s[2], s[3]] : [s[1], 1, 1];
      let bad = -1;
      for (let ci = 0; ci < c && bad < 0; ci++) for (let p = 0; p < h * w; p++) {
        if (got[offset + p * c + ci] !== t[ci * h * w + p]) { bad = p * c + ci; break; }
      }
      if (bad >= 0) layerMismatches.push(`${basename(file)}: naive layer '${layer.name}' differs from the TypeScript reference at NHWC byte ${bad}`);
      offset += c * h * w;
    }
    if (offset !== got.length) layerMismatches.push(`${basename(file)}: naive dump has ${got.length} bytes, expected ${offset}`);
    layerBytes += offset;
  }
  if (mismatches.length || layerMismatches.length) {
    throw new BenchFailure(`OUTPUTS DIFFER: final output on ${mismatches.length} of ${inputs.pixelFiles.length + inputs.int8Files.length} inputs, ` +
      `${layerMismatches.length} naive layer outputs vs the TypeScript reference:\n  ` +
      [...mismatches.slice(0, 8), ...layerMismatches.slice(0, 8)].join('\n  '));
  }
  return layerBytes;
}

/** Native time per inference: a batch size calibrated to about batchMs, then rounds of (generated, naive) batches. */
function timePrograms(genExe: string, naiveExe: string, benchPixels: string, opts: CBenchOptions) {
  const batchMs = opts.batchMs ?? 250;
  const batchesPerRound = opts.batches ?? 3;
  const rounds = opts.rounds ?? 3;
  const timeBatches = (exe: string, batches: number, n: number): number[] =>
    run(exe, ['time', benchPixels, String(batches), String(n)], `time ${basename(exe)}`)
      .split('\n').filter((l) => l.startsWith('ns ')).map((l) => Number(l.slice(3)) / 1000);
  const perBatch = (exe: string) => Math.max(1, Math.round((batchMs * 1000) / median(timeBatches(exe, 3, 1))));
  const nGen = perBatch(genExe);
  const nNaive = perBatch(naiveExe);
  const genTimes: number[] = [];
  const naiveTimes: number[] = [];
  for (let r = 0; r < rounds; r++) {
    genTimes.push(...timeBatches(genExe, batchesPerRound, nGen));
    naiveTimes.push(...timeBatches(naiveExe, batchesPerRound, nNaive));
  }
  return { genTimes, naiveTimes, nGen, nNaive };
}

export async function runCBench(opts: CBenchOptions = {}): Promise<CBenchResult> {
  if (!has('gcc')) throw new BenchFailure('gcc not found (apt-get install gcc)');
  const work = resolve(opts.work ?? join(PROJECT_ROOT, 'out', 'bench', 'c'));
  mkdirSync(work, { recursive: true });
  const { outDir, model, what, images } = await resolveModel(opts, work);
  const manifest = readManifest(outDir);
  const layout: InputLayout = manifest.input.layout;

  // Build folder beside the converted artifacts (convert replaces its own folder atomically).
  const build = join(work, `${basename(outDir)}.build`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  writeNaiveModel(model, build, layout);
  const inputs = await writeInputs(model, layout, images, opts.image, build);
  const callgrindHeader = existsSync(CALLGRIND_HEADER);
  const { genExe, naiveExe, genObjects, naiveObjects } = buildPrograms(outDir, build, callgrindHeader ? ['-DBENCH_HAVE_CALLGRIND'] : []);
  const layerBytes = checkOutputs(model, inputs, genExe, naiveExe, build);

  // --- instructions per inference (callgrind) ---
  const functions = new Map<string, { name: string; instructions: number }[]>();
  const instructionsOf = (exe: string, fn: string): number | undefined => {
    if (!has('valgrind')) return undefined;
    const cg = join(build, `callgrind.${basename(exe)}`);
    const instructions = callgrindInstructions(exe, fn, inputs.benchPixels, cg);
    functions.set(exe, selfCosts(cg));
    return instructions;
  };
  const genInstructions = instructionsOf(genExe, 'model_run');
  const naiveInstructions = instructionsOf(naiveExe, 'naive_model_run');
  const { genTimes, naiveTimes, nGen, nNaive } = timePrograms(genExe, naiveExe, inputs.benchPixels, opts);

  const raw = Array.from(inputs.references[inputs.pixelFiles.indexOf(inputs.benchPixels)]);
  let top = 0;
  raw.forEach((v, i) => { if (v > raw[top]) top = i; });
  const cpu = cpus();
  const gccVersion = run('gcc', ['-dumpfullversion'], 'gcc -dumpfullversion').trim();
  return {
    what,
    outDir,
    images,
    compiler: `gcc ${gccVersion}`,
    cflags: [...CFLAGS],
    instructionMethod: !has('valgrind') ? 'valgrind not found'
      : callgrindHeader ? 'callgrind Ir of exactly one inference: CALLGRIND_TOGGLE_COLLECT client requests around one run call (--collect-atstart=no)'
      : 'callgrind Ir inside the run function (--toggle-collect), one inference',
    checked: { images: inputs.pixelFiles.length, random: inputs.int8Files.length, naiveLayerBytes: layerBytes },
    topClass: { index: top, label: manifest.output.labels?.[top], raw },
    generated: { instructions: genInstructions, usPerInference: median(genTimes), batches: genTimes, inferencesPerBatch: nGen, objects: genObjects, functions: functions.get(genExe) ?? [] },
    naive: { instructions: naiveInstructions, usPerInference: median(naiveTimes), batches: naiveTimes, inferencesPerBatch: nNaive, objects: naiveObjects, functions: functions.get(naiveExe) ?? [] },
    macs: model.layers.reduce((a, l) => a + layerMacs(l), 0),
    instructionRatio: genInstructions && naiveInstructions ? naiveInstructions / genInstructions : undefined,
    timeRatio: median(naiveTimes) / median(genTimes),
    bestTimeRatio: Math.min(...naiveTimes) / Math.min(...genTimes),
    arenaBytes: manifest.arena.bytes,
    naiveActivationBytes: naiveObjects.reduce((a, o) => a + o.bss, 0),
    flash: { total: manifest.flash.total, sections: manifest.flash.sections },
    machine: `${cpu[0]?.model ?? 'unknown CPU'} x ${cpu.length}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (at the end of the run)`,
  };
}

const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');
const fmtM = (n?: number) => (n === undefined ? 'n/a' : `${(n / 1e6).toFixed(2)} M`);

function table(rows: string[][]): string {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('   ').trimEnd()).join('\n');
}

export function formatCBench(r: CBenchResult): string {
  const spread = (xs: number[]) => `${fmtInt(Math.min(...xs))}–${fmtInt(Math.max(...xs))}`;
  const objRows = (label: string, objs: ProgramFigures['objects']) => {
    const sum = (k: 'text' | 'data' | 'bss') => objs.reduce((a, o) => a + o[k], 0);
    return [
      ...objs.map((o) => [`  ${label} ${o.file}`, fmtInt(o.text), fmtInt(o.data), fmtInt(o.bss)]),
      [`  ${label} total`, fmtInt(sum('text')), fmtInt(sum('data')), fmtInt(sum('bss'))],
    ];
  };
  const lines = [
    `C benchmark: ${r.what}`,
    `  ${r.compiler} ${r.cflags.join(' ')}; machine: ${r.machine}`,
    `  outputs checked byte for byte, generated runner = naive loop nests = TypeScript int8 reference: ` +
      `${r.checked.images} image(s) + ${r.checked.random} random int8 inputs, all equal;\n` +
      `  naive = TypeScript reference layer by layer too (every activation byte, 3 inputs, ${fmtInt(r.checked.naiveLayerBytes)} bytes)`,
    `  bench input: top class ${r.topClass.index}${r.topClass.label ? ` (${r.topClass.label})` : ''}, raw int8 output ` +
      (r.topClass.raw.length <= 10 ? `[${r.topClass.raw.join(', ')}]` : `${r.topClass.raw[r.topClass.index]} (of ${r.topClass.raw.length} values)`),
    `  instructions: ${r.instructionMethod}`,
    `  time: median of ${r.generated.batches.length} batches per program (generated and naive alternating), one warm-up inference per process`,
    '',
    table([
      ['program', 'instructions/inference', 'µs/inference (median)', 'batch range µs', 'inferences/batch'],
      ['generated runner (model_run)', fmtM(r.generated.instructions), fmtInt(r.generated.usPerInference), spread(r.generated.batches), String(r.generated.inferencesPerBatch)],
      ['naive loop nests (naive_model_run)', fmtM(r.naive.instructions), fmtInt(r.naive.usPerInference), spread(r.naive.batches), String(r.naive.inferencesPerBatch)],
      ['speed-up, naive / generated', r.instructionRatio ? `${r.instructionRatio.toFixed(2)}×` : 'n/a', `${r.timeRatio.toFixed(2)}×`, `${r.bestTimeRatio.toFixed(2)}× (fastest)`, ''],
    ]),
    `  ${(r.macs / 1e6).toFixed(2)} M MACs per inference: ` +
      (r.generated.instructions && r.naive.instructions
        ? `${(r.generated.instructions / r.macs).toFixed(2)} (generated) and ${(r.naive.instructions / r.macs).toFixed(2)} (naive) instructions per MAC`
        : 'no instruction counts'),
    ...(['generated', 'naive'] as const).filter((k) => r[k].functions.length).map((k) => {
      const total = r[k].instructions ?? 1;
      return `  ${k} self instructions by function: ` +
        r[k].functions.filter((f) => f.instructions >= total / 1000).slice(0, 6).map((f) => `${f.name} ${((100 * f.instructions) / total).toFixed(1)}%`).join(', ');
    }),
    '',
    `memory (manifest.json): arena ${fmtInt(r.arenaBytes)} B (naive: one buffer per tensor, ${fmtInt(r.naiveActivationBytes)} B); ` +
      `flash constants ${fmtInt(r.flash.total)} B = ${Object.entries(r.flash.sections).map(([k, v]) => `${k} ${fmtInt(v)}`).join(', ')}`,
    '',
    table([
      ['object (gcc -O2 -c, size -B)', 'text', 'data', 'bss'],
      ...objRows('generated', r.generated.objects),
      ...objRows('naive', r.naive.objects),
    ]),
    '  (text includes .rodata: const weights are counted there; the generated bss is the static arena)',
  ];
  return lines.join('\n');
}

function parseArgs(argv: string[]): CBenchOptions & { json?: string } {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--') || i + 1 >= argv.length) {
      console.error(`bench/c/run.ts: bad argument '${a}'\nusage: npx tsx bench/c/run.ts [--model M.onnx --calib DIR] [--out out/NAME] [--image IMG] [--input-layout nhwc|nchw] [--batches N] [--rounds N] [--batch-ms MS] [--work DIR] [--json FILE]`);
      process.exit(2);
    }
    o[a.slice(2)] = argv[++i];
  }
  const num = (k: string) => (o[k] === undefined ? undefined : Number(o[k]));
  const layout = o['input-layout'];
  if (layout !== undefined && layout !== 'nhwc' && layout !== 'nchw') {
    console.error(`bench/c/run.ts: --input-layout must be nhwc or nchw (got '${layout}')`);
    process.exit(2);
  }
  return { model: o.model, calib: o.calib, out: o.out, image: o.image, batches: num('batches'), rounds: num('rounds'), batchMs: num('batch-ms'), json: o.json, inputLayout: layout, work: o.work };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  try {
    const result = await runCBench(args);
    console.log(formatCBench(result));
    if (args.json) writeFileSync(args.json, JSON.stringify(result, null, 2) + '\n');
  } catch (e) {
    if (e instanceof BenchFailure) {
      console.error(`bench/c FAILED: ${e.message}`);
      process.exit(1);
    }
    throw e;
  }
}
