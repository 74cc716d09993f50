/**
 * The command line: `onnx2mcu inspect | run | eval | generate | convert | verify | pixels | sweep | bench` (yargs).
 * Errors print ONE line `onnx2mcu: <message>` on stderr and exit 1 — 2 for usage errors (unknown
 * command or option, a missing or malformed argument) — and show the stack only with --verbose.
 * The handlers live in commands.ts, imported when a command runs: onnxruntime-node and sharp take
 * a while to load, and `--help` or a usage error should not wait for them.
 */
import yargs from 'yargs';
import type { CliIo } from './commands.js';
import { calibrationOptions, dumpOptions, UsageError } from './options.js';
import { terminalSafe, terminalSafeLine } from '../util/terminal_text.js';

export { UsageError } from './options.js';
export type { CliIo } from './commands.js';

const defaultIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/**
 * What an error says to the user. Our own errors name the file, node or field already; a Node
 * system error that escaped (EISDIR, EACCES, ENOSPC while writing …) is said as its path and code,
 * and an allocation failure as what it is, instead of the runtime's wording.
 */
function errorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const sys = e as NodeJS.ErrnoException & { dest?: string };
  if (typeof sys.code === 'string' && typeof sys.path === 'string') {
    return `${sys.path}: ${sys.syscall ? `${sys.syscall} failed` : 'failed'} (${sys.code}${sys.dest ? `, to ${sys.dest}` : ''})`;
  }
  if (e instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer|out of range|Invalid array length/i.test(e.message)) {
    return `out of memory or a size beyond what this machine can hold (${e.message}); see the input limits in README.md`;
  }
  return e.message;
}

/** An error's message as one line (messages are one line by design; be safe anyway), safe for a terminal. */
function oneLine(e: unknown): string {
  const msg = errorText(e);
  return terminalSafeLine(msg.split('\n').map((s) => s.trim()).filter(Boolean).join(' ') || (e instanceof Error ? e.name : 'error'));
}

/** `io` with everything written through terminalSafe: messages and tables quote names from the user's files. */
function terminalSafeIo(io: CliIo): CliIo {
  return { out: (t) => io.out(terminalSafe(t)), err: (t) => io.err(terminalSafe(t)) };
}

const commands = () => import('./commands.js');
const MODEL = { type: 'string', demandOption: true, describe: 'ONNX file, or TF.js graph model (model.json or its folder)' } as const;

function parser(args: readonly string[], io: CliIo) {
  return yargs([...args])
    .scriptName('onnx2mcu')
    .usage('$0 <command> [options]\n\nConvert ONNX and TF.js MobileNet v1 models to int8 C code for microcontrollers.')
    .option('verbose', { type: 'boolean', default: false, describe: 'show stack traces on errors' })
    .command('inspect <model>', 'per-layer table: op, output shape, MACs, params, and totals', (y) => dumpOptions(calibrationOptions(y
      .positional('model', MODEL)
      .option('json', { type: 'boolean', default: false, describe: 'print {"layers":[...],"totals":{...}}' })
      .option('stage', { choices: ['onnx', 'folded'] as const, default: 'onnx', describe: 'the graph as imported, or after the float passes' }), false)),
    async (a) => (await commands()).inspectCommand(a as never, io))
    .command('run <model> <input..>', 'run a model on images (JPEG/PNG) or .npy tensors and print the top classes', (y) => dumpOptions(calibrationOptions(y
      .positional('model', MODEL)
      .positional('input', { type: 'string', array: true, demandOption: true, describe: 'images, or .npy float32 tensors of the input shape (fed as is)' })
      .option('top', { type: 'number', default: 5, describe: 'how many classes to show' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per input per line' })
      .option('stage', { choices: ['float', 'folded', 'int8'] as const, default: 'float', describe: 'imported graph, graph after float passes, or int8 reference' }), false)),
    async (a) => (await commands()).runCommand(a as never, io))
    .command('eval <model>', 'float vs int8 on labelled images: top-1/top-5, agreement, SQNR (calibrating on --calib)', (y) => dumpOptions(calibrationOptions(y
      .positional('model', MODEL)
      .option('images', { type: 'string', demandOption: true, describe: 'evaluation images: folder or CSV' })
      .option('labels', { type: 'string', describe: 'CSV of image file and class index (default: --images when it is a CSV)' })
      .option('label-column', { type: 'string', describe: "label column of the CSV (default 'index', else 'keras_index')" })
      .option('limit', { type: 'number', describe: 'evaluate at most this many images' })
      .option('per-layer', { type: 'boolean', default: false, describe: 'SQNR of every int8 activation against float' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"images","float":{"top1","top5"},"int8":{"top1","top5"},"agreement",...}' }), true)),
    async (a) => (await commands()).evalCommand(a as never, io))
    .command('generate', 'write a MobileNet v1 ONNX with seeded random weights', (y) => y
      .option('width', { type: 'number', demandOption: true, describe: 'width multiplier α, e.g. 0.25' })
      .option('resolution', { type: 'number', demandOption: true, describe: 'input resolution ρ, e.g. 96' })
      .option('classes', { type: 'number', default: 1000 })
      .option('seed', { type: 'number', default: 1 })
      .option('head', { choices: ['conv', 'gemm'] as const, default: 'conv', describe: '1×1 Conv classifier (Keras) or Flatten + Gemm' })
      .option('out', { type: 'string', demandOption: true, describe: 'output .onnx file (written atomically)' })
      .option('calib-out', { type: 'string', describe: 'also write synthetic calibration images (PNG) to this folder' })
      .option('calib-count', { type: 'number', default: 8, describe: 'how many synthetic images' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing --out that is not an .onnx file' }),
    async (a) => (await commands()).generateCommand(a as never, io))
    .command('convert <model>', 'calibrate, quantize and write the int8 C runner, weights, manifest and report to --out', (y) => dumpOptions(calibrationOptions(y
      .positional('model', MODEL)
      .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'output folder (replaced atomically; only a folder onnx2mcu wrote, an empty one, or with --force)' })
      .option('input-layout', { choices: ['nhwc', 'nchw'] as const, default: 'nhwc', describe: 'layout of the C input buffer' })
      .option('prefix', { type: 'string', describe: "C namespace of every generated symbol, macro and file (default 'model')" })
      .option('ram-limit', { type: 'number', requiresArg: true, describe: 'arena bytes to fit in: the first layers run row by row (input read a row at a time) when whole tensors do not fit' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an --out folder that onnx2mcu did not write (never an input of the command)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"out","files","arenaBytes","flashBytes","calibration"}' }), true)),
    async (a) => (await commands()).convertCommand(a as never, io))
    .command('verify <dir>', 'compile the generated C (gcc, clang, sanitizers) and compare it byte for byte with the TypeScript integer reference', (y) => y
      .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by convert' })
      .option('images', { type: 'string', describe: 'images (folder or CSV) to run as well' })
      .option('image-limit', { type: 'number', describe: 'at most this many images' })
      .option('random', { type: 'number', default: 200, describe: 'random int8 inputs' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"images","random","mismatches","compilers"}' }),
    async (a) => (await commands()).verifyCommand(a as never, io))
    .command('pixels <image>', 'write the uint8 RGB pixels the int8 path sees (crop + resize, H×W×3 interleaved) to a raw file, e.g. for main.c', (y) => y
      .positional('image', { type: 'string', demandOption: true, describe: 'JPEG or PNG' })
      .option('size', { type: 'string', demandOption: true, describe: 'N or HxW, e.g. 96' })
      .option('out', { type: 'string', demandOption: true, requiresArg: true, describe: 'output file (raw bytes, .rgb/.raw/.bin, written atomically)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an existing --out of another kind' }),
    async (a) => (await commands()).pixelsCommand(a as never, io))
    .command('sweep', 'convert MobileNet v1 over a width × resolution grid and measure MACs, params, flash, RAM, instructions, top-1 (sweep.json/.md/.html)', (y) => y
      .option('widths', { type: 'string', describe: 'width multipliers α (default the paper\'s 0.25,0.5,0.75,1.0)' })
      .option('resolutions', { type: 'string', describe: 'input resolutions ρ (default the paper\'s 96,128,160,192,224)' })
      .option('jobs', { type: 'number', describe: 'configurations measured at once, in worker processes (default: the cores, up to 4)' })
      .option('out', { type: 'string', default: 'out/sweep', requiresArg: true, describe: 'output folder (replaced atomically; only one onnx2mcu wrote, or with --force)' })
      .option('m4', { type: 'boolean', default: true, describe: 'Cortex-M4 instruction counts when arm-none-eabi-gcc and qemu-system-arm are installed (--no-m4 skips them)' })
      .option('host', { type: 'boolean', default: true, describe: 'host instruction counts under valgrind callgrind when it is installed (--no-host skips them)' })
      .option('top1-images', { type: 'number', describe: 'top-1 of the pretrained models on at most this many imagenet-samples images (default all)' })
      .option('calib-count', { type: 'number', describe: 'calibration images per model (default: 8 synthetic for generated models, the 50 of imagenet-val128 for pretrained ones)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an --out folder that onnx2mcu did not write' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"out","seconds","rows"}' }),
    async (a) => (await import('./sweep.js')).sweepCommand(a as never, io))
    .command('bench <dir>', 'cross-build a converted folder for emulated Cortex-M cores (QEMU): outputs checked byte for byte, instructions per layer, code, flash, arena, stack; --peer cmsis-nn runs CMSIS-NN on the same model', (y) => y
      .positional('dir', { type: 'string', demandOption: true, describe: 'a folder written by convert' })
      .option('cpu', { type: 'string', default: 'cortex-m4', requiresArg: true, describe: 'cortex-m0plus, cortex-m3, cortex-m4, cortex-m7, cortex-m55, a comma list, or all' })
      .option('peer', { type: 'string', requiresArg: true, describe: 'cmsis-nn: the same quantized model through CMSIS-NN, as TFLite Micro calls it' })
      .option('images', { type: 'string', describe: 'images (folder or CSV, at most 8) to run; default the calibration set when it is in ../shared' })
      .option('random', { type: 'number', describe: 'random int8 inputs (default 2)' })
      .option('seed', { type: 'number', describe: 'seed of the random inputs' })
      .option('layers', { type: 'boolean', default: true, describe: 'per-layer table (--no-layers: groups only)' })
      .option('json', { type: 'boolean', default: false, describe: 'print {"cpu","bitExact","instructions":{"total","layers"},"codeBytes","flashBytes","arenaBytes","stackBytes","peer"} (an array for several cores)' }),
    async (a) => (await import('./bench.js')).benchCommand(a as never, io))
    .demandCommand(1, 'no command given (inspect, run, eval, generate, convert, verify, pixels, sweep or bench)')
    .strict()
    .help()
    .version(false)
    .wrap(null)
    .exitProcess(false);
}

/** Runs the CLI on `args` (without the node and script paths); resolves to the exit code. */
export async function runCli(args: readonly string[], rawIo: CliIo = defaultIo): Promise<number> {
  const io = terminalSafeIo(rawIo);
  const verbose = args.includes('--verbose');
  let usageMessage: string | undefined;
  const p = parser(args, io).fail((msg, err) => {
    // An error from a command handler is reported below; yargs' own (YError) are usage errors.
    if (err && err.name !== 'YError') throw err;
    usageMessage = msg ?? err?.message ?? 'bad usage';
    throw new UsageError(usageMessage);
  });
  try {
    let helpText: string | undefined;
    await p.parseAsync([...args], {}, (_err, _argv, output) => {
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
