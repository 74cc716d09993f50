/**
 * The command line: `onnx2mcu inspect | run | eval | generate | convert | verify | pixels` (yargs). Errors print ONE line
 * `onnx2mcu: <message>` on stderr and exit 1 — 2 for usage errors (unknown command or option, a
 * missing or malformed argument) — and show the stack only with --verbose.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import type { Graph } from '../ir/graph.js';
import type { ObserverMethod } from '../quant/observers/index.js';
import { UserError } from '../util/errors.js';

// Command modules are imported when their command runs: onnxruntime-node and sharp take a while
// to load, and `--help` or a usage error should not wait for them.

/** A problem with the command line itself (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** The first line of an error's message (messages are one line by design; be safe anyway). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').map((s) => s.trim()).filter(Boolean).join(' ') || (e instanceof Error ? e.name : 'error');
}

async function loadGraph(model: string, stage: string, dump?: { dumpAfter?: string; dumpDir?: string }): Promise<Graph> {
  const { importOnnx } = await import('../onnx/import.js');
  const g = importOnnx(model);
  if (stage === 'folded' || stage === 'int8') {
    const { runFloatPasses } = await import('../../pipeline/index.js');
    return runFloatPasses(g, dump ?? {});
  }
  if (dump?.dumpAfter !== undefined) throw new UsageError('--dump-after needs --stage folded or int8');
  return g;
}

async function inspectCommand(argv: { model: string; json: boolean; stage: string; 'dump-after'?: string; 'dump-dir'?: string }, io: CliIo): Promise<void> {
  const dump = argv['dump-after'] !== undefined ? { dumpAfter: argv['dump-after'], dumpDir: argv['dump-dir'] } : undefined;
  const g = await loadGraph(argv.model, argv.stage, dump);
  const { inspectGraph, inspectJson, inspectTable } = await import('./inspect.js');
  const report = inspectGraph(g);
  if (argv.json) io.out(inspectJson(report) + '\n');
  else io.out(inspectTable(report, `${argv.model} (${argv.stage === 'folded' ? 'after float passes' : 'as imported'}, opset ${g.meta.opset ?? '?'})`));
}

interface RunArgs {
  model: string;
  input: string[];
  scale?: string;
  top: number;
  json: boolean;
  stage: string;
  calib?: string;
  'dump-after'?: string;
  'dump-dir'?: string;
  method?: string;
  'bias-correction': boolean;
  threads?: number;
}

/** --threads N: a positive integer (worker threads of the bias correction). */
function threadsOption(n: number | undefined): { threads?: number } {
  if (n === undefined) return {};
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--threads ${n}: must be a positive integer`);
  return { threads: n };
}

async function runCommand(argv: RunArgs, io: CliIo): Promise<void> {
  if (!Number.isInteger(argv.top) || argv.top < 1) throw new UsageError(`--top ${argv.top}: must be a positive integer`);
  if (argv.stage !== 'int8') {
    for (const opt of ['calib', 'method', 'threads'] as const) if (argv[opt] !== undefined) throw new UsageError(`--${opt} is only used with --stage int8`);
  }
  const threads = threadsOption(argv.threads);
  const { findKnownModel } = await import('./known_models.js');
  const { parseScale, DEFAULT_SCALE } = await import('../images/scale.js');
  const { isNpyPath, loadModelInput, runFloatOutput, runResult, runResultJson, runResultText } = await import('./run.js');
  const known = findKnownModel(argv.model, readModelBytes(argv.model));
  const scale = argv.scale ?? known?.scale ?? DEFAULT_SCALE;
  parseScale(scale); // fail early on a bad --scale, before any work
  const dump = argv['dump-after'] !== undefined ? { dumpAfter: argv['dump-after'], dumpDir: argv['dump-dir'] } : undefined;
  const g = await loadGraph(argv.model, argv.stage, dump);
  const emit = (r: import('./run.js').RunResult) => io.out(argv.json ? runResultJson(r) + '\n' : runResultText(r));

  if (argv.stage === 'int8') {
    if (argv.calib === undefined) throw new UsageError('--stage int8 needs --calib DIR|CSV (calibration images)');
    const npy = argv.input.find(isNpyPath);
    if (npy) throw new UserError(`${npy}: --stage int8 runs on images (uint8 pixels), not .npy tensors`);
    const { listImages } = await import('../images/list.js');
    const { runInt8Outputs } = await import('./run_int8.js');
    const outputs = await runInt8Outputs(g, listImages(argv.calib), argv.input, {
      scale,
      progress: argv.json ? 'none' : 'auto',
      biasCorrection: argv['bias-correction'],
      ...threads,
      ...(argv.method ? { method: argv.method as ObserverMethod } : {}),
    });
    argv.input.forEach((path, i) => {
      const r = runResult(path, outputs[i].output, argv.top, known?.labels);
      if (argv.json) io.out(runResultJson(r, outputs[i].raw) + '\n');
      else emit(r);
    });
    return;
  }
  for (const path of argv.input) {
    const x = await loadModelInput(g, path, scale);
    emit(runResult(path, runFloatOutput(g, x), argv.top, known?.labels));
  }
}

interface EvalArgs {
  model: string;
  images: string;
  labels?: string;
  'label-column'?: string;
  limit?: number;
  calib: string;
  'calib-count'?: number;
  method?: string;
  'bias-correction': boolean;
  threads?: number;
  'per-layer': boolean;
  scale?: string;
  json: boolean;
}

async function evalCommand(argv: EvalArgs, io: CliIo): Promise<void> {
  for (const opt of ['limit', 'calib-count'] as const) {
    const n = argv[opt];
    if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${opt} ${n}: must be a positive integer`);
  }
  const threads = threadsOption(argv.threads);
  const { findKnownModel } = await import('./known_models.js');
  const { parseScale, DEFAULT_SCALE } = await import('../images/scale.js');
  const { evalItems, evalJson, evalText, evaluateModel } = await import('./eval.js');
  const scale = argv.scale ?? findKnownModel(argv.model, readModelBytes(argv.model))?.scale ?? DEFAULT_SCALE;
  parseScale(scale);
  const items = evalItems(argv.images, argv.labels, argv['label-column'], argv.limit);
  const g = await loadGraph(argv.model, 'folded');
  const r = await evaluateModel(g, argv.calib, items, {
    scale,
    perLayer: argv['per-layer'],
    biasCorrection: argv['bias-correction'],
    ...threads,
    progress: argv.json ? 'none' : 'auto',
    ...(argv.method ? { method: argv.method as ObserverMethod } : {}),
    ...(argv['calib-count'] !== undefined ? { calibCount: argv['calib-count'] } : {}),
  });
  io.out(argv.json ? evalJson(r) + '\n' : evalText(r, items.filter((i) => i.label !== undefined).length));
}

function readModelBytes(model: string): Uint8Array {
  try {
    return readFileSync(model);
  } catch (e) {
    throw new UserError(`${model}: cannot read model file (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

/** "96" or "96x128" (height × width). */
export function parseSize(text: string): [number, number] {
  const m = /^(\d+)(?:x(\d+))?$/i.exec(text.trim());
  const size: [number, number] | undefined = m ? [Number(m[1]), Number(m[2] ?? m[1])] : undefined;
  if (!size || size.some((d) => d < 1)) throw new UsageError(`--size '${text}': expected N or HxW, e.g. 96 or 96x128`);
  return size;
}

async function pixelsCommand(argv: { image: string; size: string; out: string }, io: CliIo): Promise<void> {
  const size = parseSize(argv.size);
  const { loadPixelsUint8 } = await import('../images/load.js');
  const { writeFileAtomic } = await import('../util/atomic_write.js');
  const px = await loadPixelsUint8(argv.image, size);
  writeFileAtomic(argv.out, px.data);
  io.out(`wrote ${argv.out}: ${px.h}×${px.w}×3 uint8 RGB pixels, interleaved (${px.data.length} bytes)\n`);
}

interface GenerateArgs { width: number; resolution: number; classes: number; seed: number; head: string; out: string; 'calib-out'?: string; 'calib-count': number }

async function generateCommand(argv: GenerateArgs, io: CliIo): Promise<void> {
  const { generateModelFile } = await import('./generate.js');
  const count = argv['calib-count'];
  if (!Number.isInteger(count) || count < 1) throw new UsageError(`--calib-count ${count}: must be a positive integer`);
  io.out(generateModelFile({ width: argv.width, resolution: argv.resolution, classes: argv.classes, seed: argv.seed, head: argv.head as 'conv' | 'gemm' }, argv.out) + '\n');
  if (argv['calib-out'] !== undefined) {
    const { writeSyntheticImages } = await import('../generate/images.js');
    await writeSyntheticImages(argv['calib-out'], count, [argv.resolution, argv.resolution], argv.seed);
    io.out(`wrote ${count} synthetic calibration images to ${argv['calib-out']}\n`);
  }
}

interface ConvertArgs { model: string; calib: string; out: string; 'input-layout': string; 'calib-count'?: number; method?: string; scale?: string; 'bias-correction': boolean; threads?: number; json: boolean }

async function convertCommand(argv: ConvertArgs, io: CliIo): Promise<void> {
  const n = argv['calib-count'];
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--calib-count ${n}: must be a positive integer`);
  const threads = threadsOption(argv.threads);
  if (argv.scale !== undefined) (await import('../images/scale.js')).parseScale(argv.scale);
  const { convertModel } = await import('../emit/convert.js');
  const r = await convertModel({
    model: argv.model,
    calib: argv.calib,
    out: argv.out,
    inputLayout: argv['input-layout'] as 'nhwc' | 'nchw',
    method: argv.method as import('../quant/observers/index.js').ObserverMethod,
    biasCorrection: argv['bias-correction'],
    ...threads,
    progress: argv.json ? 'none' : 'auto',
    ...(n !== undefined ? { calibCount: n } : {}),
    ...(argv.scale !== undefined ? { inputScaling: argv.scale } : {}),
  });
  const summary = {
    out: r.out,
    files: r.files,
    arenaBytes: r.arenaBytes,
    flashBytes: r.flashBytes,
    calibration: r.calibration,
  };
  if (argv.json) {
    io.out(JSON.stringify(summary) + '\n');
    return;
  }
  io.out([
    `wrote ${r.out}/ (${r.files.length} files: model.c/.h, weights, kernels, manifest.json, report.md)`,
    `arena: ${r.arenaBytes.toLocaleString('en-US')} bytes   flash: ${r.flashBytes.toLocaleString('en-US')} bytes`,
    `int8 vs float top-1 agreement on the ${r.calibration.images} calibration images: ${(100 * r.calibration.agreement).toFixed(1)}%`,
  ].join('\n') + '\n');
}

interface VerifyArgs { dir: string; images?: string; 'image-limit'?: number; random: number; json: boolean }

async function verifyCommand(argv: VerifyArgs, io: CliIo): Promise<void> {
  if (!Number.isInteger(argv.random) || argv.random < 0) throw new UsageError(`--random ${argv.random}: must be a non-negative integer`);
  const { verifyArtifacts } = await import('../verify/verify.js');
  const r = await verifyArtifacts(argv.dir, {
    random: argv.random,
    ...(argv.images !== undefined ? { images: argv.images } : {}),
    ...(argv['image-limit'] !== undefined ? { imageLimit: argv['image-limit'] } : {}),
  });
  if (argv.json) io.out(JSON.stringify({ images: r.images, random: r.random, mismatches: r.mismatches, compilers: r.compilers }) + '\n');
  else io.out([...r.builds, `${r.images} images, ${r.random} random inputs, ${r.compilers.join(' + ')}: ${r.mismatches} mismatches`].join('\n') + '\n');
  if (r.mismatches > 0) throw new UserError(`verify ${argv.dir}: ${r.mismatches} outputs differ from the TypeScript integer reference`);
}

/** Runs the CLI on `args` (without the node and script paths); resolves to the exit code. */
export async function runCli(args: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const verbose = args.includes('--verbose');
  let usageMessage: string | undefined;
  const parser = yargs([...args])
    .scriptName('onnx2mcu')
    .usage('$0 <command> [options]\n\nConvert ONNX MobileNet v1 models to int8 C code for microcontrollers.')
    .option('verbose', { type: 'boolean', default: false, describe: 'show stack traces on errors' })
    .command(
      'inspect <model>',
      'per-layer table: op, output shape, MACs, params, and totals',
      (y) => y
        .positional('model', { type: 'string', demandOption: true, describe: 'ONNX file' })
        .option('json', { type: 'boolean', default: false, describe: 'print {"layers":[...],"totals":{...}}' })
        .option('stage', { choices: ['onnx', 'folded'] as const, default: 'onnx', describe: 'the graph as imported, or after the float passes' })
        .option('dump-after', { type: 'string', describe: "with --stage folded: write the graph after this pass (or 'all') as text" })
        .option('dump-dir', { type: 'string', describe: 'where --dump-after writes (default out/dump)' }),
      (argv) => inspectCommand({ model: argv.model, json: argv.json, stage: argv.stage, 'dump-after': argv['dump-after'], 'dump-dir': argv['dump-dir'] }, io),
    )
    .command(
      'run <model> <input..>',
      'run a model on images (JPEG/PNG) or .npy tensors and print the top classes',
      (y) => y
        .positional('model', { type: 'string', demandOption: true, describe: 'ONNX file' })
        .positional('input', { type: 'string', array: true, demandOption: true, describe: 'images, or .npy float32 tensors of the input shape (fed as is)' })
        .option('scale', { type: 'string', describe: "pixel scaling: x/127.5-1, x/255, x, 'mean=..,..,..;std=..,..,..' (default: the model's, else x/127.5-1)" })
        .option('top', { type: 'number', default: 5, describe: 'how many classes to show' })
        .option('json', { type: 'boolean', default: false, describe: 'one JSON object per input per line' })
        .option('stage', { choices: ['float', 'folded', 'int8'] as const, default: 'float', describe: 'imported graph, graph after float passes, or int8 reference' })
        .option('calib', { type: 'string', describe: 'calibration images (folder or CSV) for --stage int8' })
        .option('method', { choices: ['minmax', 'percentile', 'entropy', 'mse'] as const, describe: 'calibration observer for --stage int8 (default mse)' })
        .option('bias-correction', { type: 'boolean', default: true, describe: 'bias correction for --stage int8 (--no-bias-correction to disable)' })
        .option('threads', { type: 'number', describe: 'worker threads for the bias correction (and eval\'s integer reference); default one per core, up to 4; same results' })
        .option('dump-after', { type: 'string', describe: "write the graph after this pass (or 'all') as text" })
        .option('dump-dir', { type: 'string', describe: 'where --dump-after writes (default out/dump)' }),
      (argv) => runCommand(argv as unknown as RunArgs, io),
    )
    .command(
      'eval <model>',
      'float vs int8 on labelled images: top-1/top-5, agreement, SQNR (calibrating on --calib)',
      (y) => y
        .positional('model', { type: 'string', demandOption: true, describe: 'ONNX file' })
        .option('images', { type: 'string', demandOption: true, describe: 'evaluation images: folder or CSV' })
        .option('labels', { type: 'string', describe: 'CSV of image file and class index (default: --images when it is a CSV)' })
        .option('label-column', { type: 'string', describe: "label column of the CSV (default 'index', else 'keras_index')" })
        .option('limit', { type: 'number', describe: 'evaluate at most this many images' })
        .option('calib', { type: 'string', demandOption: true, describe: 'calibration images: folder or CSV' })
        .option('calib-count', { type: 'number', describe: 'use at most this many calibration images' })
        .option('method', { choices: ['minmax', 'percentile', 'entropy', 'mse'] as const, describe: 'calibration observer (default mse)' })
        .option('bias-correction', { type: 'boolean', default: true, describe: '--no-bias-correction to disable' })
        .option('threads', { type: 'number', describe: 'worker threads for the bias correction (and eval\'s integer reference); default one per core, up to 4; same results' })
        .option('per-layer', { type: 'boolean', default: false, describe: 'SQNR of every int8 activation against float' })
        .option('scale', { type: 'string', describe: "pixel scaling (default: the model's, else x/127.5-1)" })
        .option('json', { type: 'boolean', default: false, describe: 'print {"images","float":{"top1","top5"},"int8":{"top1","top5"},"agreement",...}' }),
      (argv) => evalCommand(argv as unknown as EvalArgs, io),
    )
    .command(
      'generate',
      'write a MobileNet v1 ONNX with seeded random weights',
      (y) => y
        .option('width', { type: 'number', demandOption: true, describe: 'width multiplier α, e.g. 0.25' })
        .option('resolution', { type: 'number', demandOption: true, describe: 'input resolution ρ, e.g. 96' })
        .option('classes', { type: 'number', default: 1000 })
        .option('seed', { type: 'number', default: 1 })
        .option('head', { choices: ['conv', 'gemm'] as const, default: 'conv', describe: '1×1 Conv classifier (Keras) or Flatten + Gemm' })
        .option('out', { type: 'string', demandOption: true, describe: 'output .onnx file (written atomically)' })
        .option('calib-out', { type: 'string', describe: 'also write synthetic calibration images (PNG) to this folder' })
        .option('calib-count', { type: 'number', default: 8, describe: 'how many synthetic images' }),
      (argv) => generateCommand(argv as unknown as GenerateArgs, io),
    )
    .command(
      'convert <model>',
      'calibrate, quantize and write the int8 C runner, weights, manifest and report to --out',
      (y) => y
        .positional('model', { type: 'string', demandOption: true, describe: 'ONNX file' })
        .option('calib', { type: 'string', demandOption: true, describe: 'calibration images: folder or CSV' })
        .option('out', { type: 'string', demandOption: true, describe: 'output folder (replaced atomically)' })
        .option('input-layout', { choices: ['nhwc', 'nchw'] as const, default: 'nhwc', describe: 'layout of the C input buffer' })
        .option('calib-count', { type: 'number', describe: 'use at most this many calibration images' })
        .option('method', { choices: ['minmax', 'percentile', 'entropy', 'mse'] as const, describe: 'calibration observer (default mse)' })
        .option('scale', { type: 'string', describe: "the model's pixel scaling (default: the model's, else x/127.5-1)" })
        .option('bias-correction', { type: 'boolean', default: true, describe: 'correct the bias shift caused by weight rounding (--no-bias-correction to disable)' })
        .option('threads', { type: 'number', describe: 'worker threads for the bias correction (and eval\'s integer reference); default one per core, up to 4; same results' })
        .option('json', { type: 'boolean', default: false, describe: 'print {"out","files","arenaBytes","flashBytes","calibration"}' }),
      (argv) => convertCommand(argv as unknown as ConvertArgs, io),
    )
    .command(
      'verify <dir>',
      'compile the generated C (gcc, clang, sanitizers) and compare it byte for byte with the TypeScript integer reference',
      (y) => y
        .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by convert' })
        .option('images', { type: 'string', describe: 'images (folder or CSV) to run as well' })
        .option('image-limit', { type: 'number', describe: 'at most this many images' })
        .option('random', { type: 'number', default: 200, describe: 'random int8 inputs' })
        .option('json', { type: 'boolean', default: false, describe: 'print {"images","random","mismatches","compilers"}' }),
      (argv) => verifyCommand(argv as unknown as VerifyArgs, io),
    )
    .command(
      'pixels <image>',
      'write the uint8 RGB pixels the int8 path sees (crop + resize, H×W×3 interleaved) to a raw file, e.g. for main.c',
      (y) => y
        .positional('image', { type: 'string', demandOption: true, describe: 'JPEG or PNG' })
        .option('size', { type: 'string', demandOption: true, describe: 'N or HxW, e.g. 96' })
        .option('out', { type: 'string', demandOption: true, describe: 'output file (raw bytes, written atomically)' }),
      (argv) => pixelsCommand(argv as unknown as { image: string; size: string; out: string }, io),
    )
    .demandCommand(1, 'no command given (inspect, run, eval, generate, convert, verify or pixels)')
    .strict()
    .help()
    .version(false)
    .wrap(null)
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err; // an error from a command handler: reported below
      usageMessage = msg ?? 'bad usage';
      throw new UsageError(usageMessage);
    });

  try {
    let helpText: string | undefined;
    await parser.parseAsync([...args], {}, (_err, _argv, output) => {
      if (output) helpText = output;
    });
    if (helpText !== undefined && usageMessage === undefined) io.out(helpText + '\n');
    return 0;
  } catch (e) {
    const usage = e instanceof UsageError;
    io.err(`onnx2mcu: ${oneLine(e)}${usage ? ' (see onnx2mcu --help)' : ''}\n`);
    if (verbose && e instanceof Error && e.stack) io.err(e.stack + '\n');
    return usage ? 2 : 1;
  }
}
