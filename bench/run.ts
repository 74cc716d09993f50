/**
 * `make bench`: timings for issue 2, printed as a small table (not a timed test).
 *  (a) import + shape inference + verification of a generated MobileNet v1 1.0/224 (4.2M
 *      params) from an .onnx file — target under 0.5 s;
 *  (b) float interpreter time per image against onnxruntime-node in the same run, on the 0.25/224
 *      model (../shared's pretrained one when present, else a generated one).
 *  (c) the generated C runner for the VWW model (../shared's, else a generated 0.25/96 calibrated on
 *      synthetic images): host instructions per inference (valgrind callgrind, inside model_run
 *      only, repeatable) and time per inference, against a naive loop-nest implementation of the
 *      same network built in the same run — the kernels' speed-up.
 *  (d) calibration (issue 4): 100 images of ../shared/images/imagenet-samples (the first 100 of
 *      labels.csv) on the 0.25/224 model, target under 20 s: image loading, the calibration pass
 *      (default observer, onnxruntime engine) and the full quantizeFromImages (loading +
 *      calibration + default empirical bias correction on worker threads), each timed once (no
 *      warm-up: a user calibrates once; (c) reads the images again, from a warm file cache); then
 *      (c1) the same with the bias correction in one thread, the baseline of the threads' gain
 *      (and a check that both give the same model).
 *  (e) accuracy (issue 4): `eval`'s path (src/cli/eval.ts evaluateModel) on all 1000
 *      imagenet-samples for the 0.25/128 and 0.25/224 ImageNet models with the default config
 *      (calibration: the 50 imagenet-val128 images). Takes minutes: BENCH_ACCURACY=0 skips it.
 * Each timing in (a)–(c) is the median of several runs after a warm-up run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, relative } from 'node:path';
import * as ort from 'onnxruntime-node';
import { generateMobileNetV1 } from '../src/generate/mobilenet.js';
import { SeededRandom } from '../src/util/random.js';
import { runFloat } from '../src/graph/interpret.js';
import { floatTensor } from '../src/ir/tensor.js';
import { exportOnnx } from '../src/onnx/export.js';
import { importOnnx } from '../src/onnx/import.js';
import { HAVE_SHARED, PROJECT_ROOT, sharedModel, sharedPath } from '../src/util/shared.js';
import { availableCompilers } from '../src/verify/compile.js';
import { formatCBench, has, runCBench } from './c/run.js';
import { formatCortexM, runCortexM } from './c/cortex_m/run.js';
import { inspectGraph } from '../src/cli/inspect.js';
import { listImages, readImageCsv } from '../src/images/list.js';
import { runFloatPasses, runPipeline } from '../pipeline/index.js';
import { calibrateAsync, evaluate, inputSize, loadImageInputs } from '../src/quant/index.js';
import { autoThreads } from '../src/quant/workers.js';
import { evalItems } from '../src/cli/eval.js';
import { resolveModelSource } from '../src/model_source/model_source.js';
import { hasWeights, type QuantizedModel } from '../src/int8/types.js';
import { addCortexM4Cost } from '../src/report/m4_cost.js';
import { Progress } from '../src/progress/progress.js';

/** Calibration images → the quantized model, as `convert` does it (the pipeline up to 'quantize'). */
async function quantizeFromPaths(model: string, paths: readonly string[], threads?: number) {
  const r = await runPipeline({ source: resolveModelSource(model), calibration: paths, options: { progress: 'none', ...(threads ? { threads } : {}) } }, 'quantize');
  return { model: r.quantize, stats: r.calibrate.stats, graph: r.passes };
}

const biases = (m: QuantizedModel) => JSON.stringify(m.layers.map((l) => (hasWeights(l) ? Array.from(l.bias) : [])));

const IMPORT_TARGET_MS = 500;
const CALIBRATION_TARGET_S = 20;
const CALIBRATION_IMAGES = 100;

/** (d): calibrating 100 images on the 0.25/224 model, each stage timed once, no warm-up. */
async function benchCalibration(): Promise<string[][]> {
  const g = runFloatPasses(importOnnx(sharedPath('models', 'mobilenet_v1_0.25_224_imagenet.onnx')));
  const scaling = 'x/127.5-1';
  const paths = readImageCsv(sharedPath('images', 'imagenet-samples', 'labels.csv')).map((r) => r.path).slice(0, CALIBRATION_IMAGES);
  if (paths.length !== CALIBRATION_IMAGES) throw new Error(`imagenet-samples: ${paths.length} images, expected at least ${CALIBRATION_IMAGES}`);
  const what = `0.25/224, ${CALIBRATION_IMAGES} imagenet-samples images (the first ${CALIBRATION_IMAGES})`;
  const vsTarget = (ms: number) => `${(ms / 1000 / CALIBRATION_TARGET_S).toFixed(2)}× of target`;
  const target = `target < ${CALIBRATION_TARGET_S} s`;

  let t0 = performance.now();
  const inputs = await loadImageInputs(paths, inputSize(g), scaling);
  const loadMs = performance.now() - t0;

  t0 = performance.now();
  const stats = await calibrateAsync(g, inputs.map((x) => x.float), { engine: 'ort', progress: 'none' });
  const calibMs = performance.now() - t0;
  if (stats.count !== CALIBRATION_IMAGES) throw new Error(`calibration saw ${stats.count} images`);

  const modelPath = sharedPath('models', 'mobilenet_v1_0.25_224_imagenet.onnx');
  t0 = performance.now();
  const q = await quantizeFromPaths(modelPath, paths);
  const fullMs = performance.now() - t0;
  if (q.stats.count !== CALIBRATION_IMAGES) throw new Error(`the pipeline calibrated on ${q.stats.count} images`);

  // The same with the bias correction in this thread (the baseline for the worker threads).
  t0 = performance.now();
  const q1 = await quantizeFromPaths(modelPath, paths, 1);
  const oneThreadMs = performance.now() - t0;
  if (biases(q1.model) !== biases(q.model)) throw new Error('bias correction: 1 thread and worker threads gave different models');

  return [
    [`calibration (a): image loading (decode, crop, resize), ${what}`, fmtMs(loadMs), target, vsTarget(loadMs)],
    [`calibration (b): calibration pass, ${stats.method} observer, onnxruntime engine, same images`, fmtMs(calibMs), target, vsTarget(calibMs)],
    [`calibration (c): the pipeline from the model file to 'quantize' (import + passes + a + b + empirical bias correction), same images`, fmtMs(fullMs), target, vsTarget(fullMs)],
    [`  of which empirical bias correction (c − a − b, approx.), ${autoThreads(CALIBRATION_IMAGES)} worker threads`, fmtMs(fullMs - loadMs - calibMs), '', ''],
    [`calibration (c1): as (c) with the bias correction in one thread (same model)`, fmtMs(oneThreadMs), target, `${(oneThreadMs / fullMs).toFixed(2)}× of (c)`],
  ];
}

/** (e): float vs int8 on all 1000 imagenet-samples, default config, as `onnx2mcu eval` runs it. */
async function benchAccuracy(): Promise<string> {
  const items = evalItems(sharedPath('images', 'imagenet-samples'), sharedPath('images', 'imagenet-samples', 'labels.csv'), undefined, undefined, 1000);
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  const header = ['model', 'float top-1', 'float top-5', 'int8 top-1', 'int8 top-5', 'Δ top-1', 'agreement', 'logits SQNR', 'time'];
  const rows: string[][] = [];
  for (const file of ['mobilenet_v1_0.25_128_imagenet.onnx', 'mobilenet_v1_0.25_224_imagenet.onnx']) {
    const t0 = performance.now();
    const q = await quantizeFromPaths(sharedPath('models', file), listImages(sharedPath('images', 'imagenet-val128')));
    const r = await evaluate(q.graph, q.model, items, { inputScaling: sharedModel(file).input.scale, progress: 'auto' });
    const secs = (performance.now() - t0) / 1000;
    const d = 100 * (r.int8.top1 - r.float.top1);
    rows.push([file, pct(r.float.top1), pct(r.float.top5), pct(r.int8.top1), pct(r.int8.top5), `${d >= 0 ? '+' : ''}${d.toFixed(1)}`,
      pct(r.agreement), `${r.outputSqnr.toFixed(1)} dB`, `${secs.toFixed(0)} s`]);
  }
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(w[c])).join('  ').trimEnd();
  return [
    `accuracy: ${items.length} imagenet-samples images, default config (mse observer, empirical bias correction, calibrated on the 50 imagenet-val128 images)`,
    'targets (issue 4): int8 top-1 within 1.0 point of float, agreement ≥ 88 %, logits SQNR ≥ 20 dB',
    line(header),
    w.map((n) => '-'.repeat(n)).join('  '),
    ...rows.map(line),
  ].join('\n');
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

async function timeMedian(runs: number, f: () => unknown): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const fmtMs = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)) + ' ms';

async function main(): Promise<void> {
  const dir = join(PROJECT_ROOT, 'out', 'bench');
  mkdirSync(dir, { recursive: true });
  const rows: string[][] = [];
  // One line per finished section on stderr (the accuracy section draws its own bar on a terminal).
  const progress = new Progress('bench', 6, 'lines', { unit: 'sections' });

  // (a) import + shape inference of the 1.0/224 model.
  const big = join(dir, 'mobilenet_v1_1.0_224.onnx');
  writeFileSync(big, exportOnnx(generateMobileNetV1({ width: 1, resolution: 224, seed: 1 })));
  const importMs = await timeMedian(5, () => {
    importOnnx(big);
  });
  rows.push([
    `import + shape inference, generated 1.0/224 (${(inspectGraph(importOnnx(big)).totals.params / 1e6).toFixed(2)}M params)`,
    fmtMs(importMs),
    `target < ${IMPORT_TARGET_MS} ms`,
    `${(importMs / IMPORT_TARGET_MS).toFixed(2)}× of target`,
  ]);
  progress.tick();

  // (b) float interpreter vs onnxruntime-node, 0.25/224.
  const realModel = sharedPath('models', 'mobilenet_v1_0.25_224_imagenet.onnx');
  let modelPath: string;
  let which: string;
  if (HAVE_SHARED) {
    modelPath = realModel;
    which = 'pretrained 0.25/224 (../shared)';
  } else {
    modelPath = join(dir, 'mobilenet_v1_0.25_224.onnx');
    writeFileSync(modelPath, exportOnnx(generateMobileNetV1({ width: 0.25, resolution: 224, seed: 1 })));
    which = 'generated 0.25/224';
  }
  const g = importOnnx(modelPath);
  const rng = new SeededRandom(42);
  const x = Float32Array.from({ length: 3 * 224 * 224 }, () => rng.uniform(-1, 1));
  const feed = floatTensor([1, 3, 224, 224], x);
  const oursMs = await timeMedian(5, () => runFloat(g, { [g.inputs[0]]: feed }));
  const ortRuns: [string, ort.InferenceSession.SessionOptions][] = [
    ['onnxruntime-node, 1 thread', { intraOpNumThreads: 1, interOpNumThreads: 1 }],
    ['onnxruntime-node, default threads', {}],
  ];
  rows.push([`float interpreter (TypeScript), ${which}, per image`, fmtMs(oursMs), '', '']);
  for (const [label, opts] of ortRuns) {
    const session = await ort.InferenceSession.create(modelPath, opts);
    const input = new ort.Tensor('float32', x, [1, 3, 224, 224]);
    const ortMs = await timeMedian(20, () => session.run({ [session.inputNames[0]]: input }));
    await session.release();
    rows.push([`${label}, same model and input, per image`, fmtMs(ortMs), '', `interpreter ${(oursMs / ortMs).toFixed(1)}× slower`]);
  }
  progress.tick();

  // (d) calibration speed, (e) accuracy on the ImageNet models (../shared only).
  const sections: string[] = [];
  if (HAVE_SHARED) {
    rows.push(...(await benchCalibration()));
    progress.tick();
    if (process.env.BENCH_ACCURACY === '0') rows.push(['accuracy (1000 imagenet-samples)', 'skipped: BENCH_ACCURACY=0', '', '']);
    else sections.push(await benchAccuracy());
  } else {
    rows.push(['calibration, accuracy (ImageNet models)', 'skipped: ../shared not found', '', '']);
    progress.tick();
  }
  progress.tick();

  // (c) the generated C runner vs naive loop nests (bench/c/run.ts), and the same runner on an
  // emulated Cortex-M4 (bench/c/cortex_m/run.ts) when the Arm toolchain and qemu are installed.
  if (availableCompilers().length === 0) {
    rows.push(['generated C runner (VWW)', 'skipped: no gcc/clang', '', '']);
  } else {
    const c = await runCBench({});
    sections.push(formatCBench(c));
    const us = (n: number) => `${(n / 1000).toFixed(2)} ms`;
    const ins = (n?: number) => (n === undefined ? 'n/a (no valgrind)' : `${(n / 1e6).toFixed(2)}M instr`);
    rows.push([`generated C runner, ${c.what}, ${c.compiler} -O2, per inference`, us(c.generated.usPerInference), ins(c.generated.instructions), '']);
    rows.push(['naive loop nests, same network, per inference', us(c.naive.usPerInference), ins(c.naive.instructions),
      `runner ${c.timeRatio.toFixed(1)}× faster${c.instructionRatio ? `, ${c.instructionRatio.toFixed(1)}× fewer instructions` : ''}`]);
    progress.tick();
    if (['arm-none-eabi-gcc', 'qemu-system-arm'].every((t) => has(t))) {
      const m = await runCortexM({});
      sections.push(formatCortexM(m));
      rows.push([`generated C runner on Cortex-M4 (qemu mps2-an386), per inference`, '', `${(m.runnerInstructions / 1e6).toFixed(2)}M instr`,
        `${(m.naiveInstructions / m.runnerInstructions).toFixed(1)}× fewer than naive`]);
      // The per-layer Cortex-M4 cost into the benchmarked folder's report.html (src/target's counting plugin).
      const perLayer = await addCortexM4Cost(c.outDir, { images: c.images.slice(0, 1) });
      rows.push([`per-layer Cortex-M4 instructions added to ${relative(PROJECT_ROOT, join(c.outDir, 'report.html'))}`, '', `${(perLayer.instructions.total / 1e6).toFixed(2)}M instr`, '']);
    } else {
      rows.push(['Cortex-M4 run', 'skipped: arm-none-eabi-gcc / qemu-system-arm not installed', '', '']);
    }
  }
  progress.done();

  const header = ['benchmark', 'time (median)', 'target / instructions', 'ratio'];
  const all = [header, ...rows];
  const w = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(w[c])).join('  ').trimEnd();
  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(line(header));
  console.log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) console.log(line(r));
  for (const sec of sections) console.log(`\n${sec}`);
}

await main();
