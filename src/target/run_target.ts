/**
 * runOnTarget: a converted folder (ours) or its CMSIS-NN peer, cross-built for one Cortex-M and run
 * in qemu-system-arm under the instruction-count plugin.
 *
 *   1. build: the runner (ours: the folder's .c files except main.c; the peer: cmsis_nn_peer.ts's
 *      peer_model.c + the CMSIS-NN library), the driver (driver/target_main.c, the marker, the
 *      embedded images) and the board start-up, with MODEL_LAYER_HOOK(i) = a marker call;
 *   2. run: every embedded image (uint8 pixels, at most 8) and `random` seeded int8 inputs, every
 *      output byte printed;
 *   3. check: each output against the TypeScript integer reference (runInt8) on the same input;
 *   4. measure: instructions per inference and per layer, the instruction mix, the estimated
 *      Cortex-M4 cycles (cortex-m4 only), linked code / constant / arena / worst-case stack bytes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { listImages, loadPixelsUint8, mulberry32, pixelsToInt8Nchw, readManifest, reconstructModel, runInt8, type QuantizedModel } from './repo.js';
import { board as boardOf, BOARDS_DIR, TARGET_DIR, type Cpu } from './boards.js';
import { buildCmsisNn } from './cmsis_nn_lib.js';
import { generateCmsisNnPeer } from './cmsis_nn_peer.js';
import { compileAll, link, symbolAddress, type CompileJob } from './cross_build.js';
import { libraryHelpers, parseLinkMap, sizeOf } from './link_map.js';
import { compareLayers, type LayerComparison } from './layer_check.js';
import { layerGroup, type LayerGroup } from './layer_group.js';
import { viewLayer } from './layer_view.js';
import { estimateM4Cycles, mixOf, splitInferences, type M4Estimate } from './measure.js';
import { buildPlugin, runQemu } from './plugin.js';
import { writeProgramFiles, type Runner } from './program.js';
import { worstCaseStack, type StackReport } from './stack_usage.js';
import { requireNewlib, requireTools, runAsync, TargetError } from './tools.js';

export const MAX_IMAGES = 8;
export const TARGET_TOOLS = ['arm-none-eabi-gcc', 'arm-none-eabi-ar', 'arm-none-eabi-nm', 'arm-none-eabi-objdump', 'qemu-system-arm', 'gcc'];

export interface RunOnTargetOptions {
  readonly cpu: Cpu;
  /** Which runner: the converted folder's (default) or the CMSIS-NN peer of the same model. */
  readonly runner?: Runner;
  /** A folder or CSV of images, or image paths; the first MAX_IMAGES are embedded. */
  readonly images?: string | readonly string[];
  /** Seeded random int8 inputs (default 2). */
  readonly random?: number;
  readonly seed?: number;
  /** Work folder (kept); default a temporary folder, removed at the end. */
  readonly work?: string;
  /** The reference model; default rebuilt from the folder (reconstructModel). */
  readonly model?: QuantizedModel;
  /** QEMU wall-clock limit (default 600 s). */
  readonly timeoutMs?: number;
  /** CMSIS-NN root (default ../shared/peers/cmsis-nn). */
  readonly cmsisNn?: string;
  /** Peer only: also dump every layer's output for the first input and compare it with the reference layer by layer. */
  readonly dumpLayers?: boolean;
  /** Replaces the board's CPU flags (compile and link), for experiments such as an FPU-enabled ABI. */
  readonly cpuFlags?: readonly string[];
}

export interface LayerInstructions {
  readonly name: string;
  readonly op: string;
  readonly instructions: number;
  /** For the side-by-side table: first conv, depthwise, pointwise, pool + fc. */
  readonly group: LayerGroup;
}

export interface TargetRun {
  readonly runner: Runner;
  readonly cpu: Cpu;
  readonly machine: string;
  /** Every output byte of every input equals the TypeScript integer reference. */
  readonly bitExact: boolean;
  /** Inputs whose output differs (0 when bitExact). */
  readonly mismatches: number;
  readonly mismatchDetails: readonly string[];
  readonly inputs: { readonly images: number; readonly random: number };
  /** Instructions of one inference on the first input (the first image if any), markers subtracted. */
  readonly instructions: { readonly total: number; readonly layers: readonly LayerInstructions[] };
  /** Totals of every inference: the int8 kernels' control flow is (almost) data independent. */
  readonly perInput: readonly { readonly input: string; readonly instructions: number }[];
  readonly dataIndependent: boolean;
  /** The instruction mix of that inference (class counts, LDM/STM registers, taken/not-taken branches). */
  readonly mix: Readonly<Record<string, number>>;
  /** Cortex-M4 only (null elsewhere): ESTIMATED cycles from the mix and the TRM timings. */
  readonly estimatedM4Cycles: number | null;
  readonly m4Estimate: M4Estimate | null;
  /** Linked code of the runner: .text input sections of its own objects (ours: the folder's .c files; peer: peer_model.c + the CMSIS-NN members linked). */
  readonly codeBytes: number;
  /** libgcc/newlib members those objects pulled in directly (memcpy, division helpers ...): code bytes, apart. */
  readonly libraryCode: readonly { readonly member: string; readonly symbol: string; readonly code: number }[];
  /** Constants as linked: .rodata (+ .data image) of the runner's objects: weights, biases, requantization, parameter structs. */
  readonly flashBytes: number;
  /** Ours: MODEL_ARENA_SIZE (manifest). Peer: ping-pong buffers + scratch (+ kernel sums on MVE). */
  readonly arenaBytes: number;
  readonly arenaDetail: string;
  /** Ours: how many first layers run row by row (convert --ram-limit; 0: none). */
  readonly streamedLayers: number;
  /** Worst-case stack of model_run / peer_model_run over every call path. */
  readonly stackBytes: number;
  /** RAM of the runner's objects as linked: .bss + .data (the static arena included). */
  readonly staticRamBytes: number;
  readonly stack: StackReport;
  /** One marker call (BL + BX LR) as measured by the calibration; subtracted from every interval. */
  readonly markerInstructions: number;
  /** With dumpLayers: the first input's layers against the integer reference. */
  readonly layerCheck?: readonly LayerComparison[];
  readonly seconds: { readonly build: number; readonly qemu: number; readonly total: number };
  readonly work?: string;
}

interface InputRecord {
  readonly label: string;
  readonly nchw: Int8Array;
}

/** mulberry32(seed + index) bytes in channels-last order, as driver/target_main.c draws them; returned NCHW for runInt8. */
export function randomInputNchw(seed: number, index: number, shape: readonly number[]): Int8Array {
  const [, C, H, W] = shape;
  const next = mulberry32((seed + index) >>> 0);
  const out = new Int8Array(C * H * W);
  for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) out[c * H * W + p] = Math.floor(next() * 256) - 128;
  return out;
}

const toHex = (a: Int8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('hex');

export async function runOnTarget(dir: string, opts: RunOnTargetOptions): Promise<TargetRun> {
  const t0 = performance.now();
  requireTools(TARGET_TOOLS);
  requireNewlib();
  const board = opts.cpuFlags ? { ...boardOf(opts.cpu), cpuFlags: opts.cpuFlags } : boardOf(opts.cpu);
  const runner: Runner = opts.runner ?? 'ours';
  dir = resolve(dir);
  const manifest = readManifest(dir) as ReturnType<typeof readManifest> & { arena?: { bytes: number } };
  const model = opts.model ?? reconstructModel(dir);
  const shape = model.input.shape;
  if (shape.length !== 4 || shape[1] !== 3) throw new TargetError(`${dir}: input [${shape}] is not an RGB image`);
  const [, C, H, W] = shape;
  const random = opts.random ?? 2;
  const seed = opts.seed ?? 1;
  const imagePaths = opts.images === undefined ? [] : (typeof opts.images === 'string' ? listImages(opts.images) : [...opts.images]).slice(0, MAX_IMAGES);
  if (imagePaths.length + random === 0) throw new TargetError('runOnTarget: no input (give images or random > 0)');

  const ownWork = opts.work === undefined;
  const work = resolve(opts.work ?? mkdtempSync(join(tmpdir(), 'onnx2mcu-target-')));
  const build = join(work, `${runner}-${opts.cpu}`);
  rmSync(build, { recursive: true, force: true });
  mkdirSync(build, { recursive: true });
  try {
    // --- inputs and their references ---
    const pixels: Uint8Array[] = [];
    for (const p of imagePaths) pixels.push((await loadPixelsUint8(p, [H, W])).data);
    const inputs: InputRecord[] = [
      ...pixels.map((px, i) => ({ label: `image ${i}`, nchw: pixelsToInt8Nchw(px, H, W, model.input.pixelOffset) })),
      ...Array.from({ length: random }, (_, i) => ({ label: `random ${i}`, nchw: randomInputNchw(seed, i, shape) })),
    ];
    const names = [...imagePaths.map((p) => basename(p)), ...Array.from({ length: random }, (_, i) => `random ${i} (seed ${seed + i})`)];
    const expected = inputs.map((x) => toHex(runInt8(model, x.nchw).raw));

    // --- sources ---
    const driverDir = join(TARGET_DIR, 'driver');
    const markerHeader = join(driverDir, 'target_marker.h');
    writeProgramFiles(build, {
      runner, inputSize: C * H * W, inputChannels: C, outputSize: model.output.shape.reduce((a, b) => a * b, 1),
      inputNchw: runner === 'ours' && manifest.input.layout === 'nchw', images: pixels, random, seed,
    });
    const obj = (src: string, sub: string) => join(build, sub, basename(src).replace(/\.c$/, '.o'));
    let runnerJobs: CompileJob[];
    let runnerInclude: string[];
    let archives: string[] = [];
    let libraryObjects: string[] = [];
    let arenaBytes: number;
    let arenaDetail: string;
    let streamedLayers = 0;
    let peer: ReturnType<typeof generateCmsisNnPeer> | undefined;
    if (runner === 'ours') {
      const sources = Object.keys(manifest.files).filter((f) => f.endsWith('.c') && f !== 'main.c').sort().map((f) => join(dir, f));
      runnerInclude = [dir];
      runnerJobs = sources.map((source) => ({ source, object: obj(source, 'runner'), includes: [dir, driverDir], extra: ['-include', markerHeader] }));
      arenaBytes = manifest.arena?.bytes ?? NaN;
      streamedLayers = manifest.arena?.stream?.layers.length ?? 0;
      arenaDetail = streamedLayers
        ? `MODEL_ARENA_SIZE (manifest.json arena.bytes), kernel scratch included; the input is read a row at a time, not stored`
        : 'MODEL_ARENA_SIZE (manifest.json arena.bytes), kernel scratch included';
    } else {
      peer = generateCmsisNnPeer(model);
      writeFileSync(join(build, 'peer_model.h'), peer.header);
      writeFileSync(join(build, 'peer_model.c'), peer.source);
      const lib = await buildCmsisNn(board, work, opts.cmsisNn);
      archives = [lib.archive];
      libraryObjects = lib.objects;
      runnerInclude = [build, lib.include];
      runnerJobs = [{
        source: join(build, 'peer_model.c'), object: obj('peer_model.c', 'runner'), includes: [build, lib.include, driverDir],
        extra: ['-include', markerHeader, ...(opts.dumpLayers ? ['-DPEER_DUMP_LAYERS'] : [])],
      }];
      arenaBytes = NaN; // from peer_model_init's report below
      arenaDetail = '';
    }
    const driverJobs: CompileJob[] = [
      { source: join(driverDir, 'target_main.c'), object: obj('target_main.c', 'driver'), includes: [build, driverDir, ...runnerInclude] },
      { source: join(build, 'target_images.c'), object: obj('target_images.c', 'driver'), includes: [build, ...runnerInclude] },
      { source: join(driverDir, 'target_marker.c'), object: obj('target_marker.c', 'driver'), includes: [driverDir] },
      { source: join(BOARDS_DIR, 'startup.c'), object: obj('startup.c', 'driver') },
    ];
    await compileAll(board, [...runnerJobs, ...driverJobs]);
    const linked = await link(board, [...runnerJobs, ...driverJobs].map((j) => j.object), archives, join(build, 'program.elf'));
    const plugin = buildPlugin(join(work, 'plugin'));
    const marker = await symbolAddress(linked.elf, 'target_marker');
    const tBuilt = performance.now();

    // --- run ---
    const run = await runQemu({ machine: board.machine, elf: linked.elf, plugin, marker, reportFile: join(build, 'counts.txt'), timeoutMs: opts.timeoutMs ?? 600_000 });
    writeFileSync(join(build, 'stdout.txt'), run.stdout);
    const lines = run.stdout.split('\n');
    const initLine = /^init (-?\d+) (\d+)$/m.exec(run.stdout);
    const init = Number(initLine?.[1]);
    if (!initLine || init < 0) throw new TargetError(`${runner} on ${opts.cpu}: initialisation failed (${lines[0] ?? 'no output'})`);
    if (!lines.includes('done')) throw new TargetError(`${runner} on ${opts.cpu}: the program did not finish: ${lines.slice(-3).join(' | ')}`);
    if (peer) {
      const scratch = init;
      const persistent = Number(initLine[2]);
      arenaBytes = peer.pingPongBytes + scratch + persistent;
      arenaDetail = `ping-pong ${peer.pingPongBytes} + scratch ${scratch} (largest *_get_buffer_size on ${opts.cpu})${persistent ? ` + kernel sums ${persistent} (MVE fully connected)` : ''}`;
    }

    // --- check every output ---
    const outputs = new Map<string, string>();
    for (const l of lines) {
      const m = /^out (image|random) (\d+) ([0-9a-f]*)$/.exec(l);
      if (m) outputs.set(`${m[1]} ${m[2]}`, m[3]);
    }
    const mismatchDetails: string[] = [];
    inputs.forEach((x, i) => {
      const got = outputs.get(x.label);
      if (got !== expected[i]) mismatchDetails.push(`${names[i]}: target ${got ?? '(missing)'} reference ${expected[i]}`);
    });

    let layerCheck: LayerComparison[] | undefined;
    if (opts.dumpLayers && peer) {
      const dumps = new Map<number, string>();
      for (const l of lines) {
        const m = /^layer (\d+) ([0-9a-f]*)$/.exec(l);
        if (m && !dumps.has(Number(m[1]))) dumps.set(Number(m[1]), m[2]); // the first inference's
      }
      layerCheck = compareLayers(model, inputs[0].nchw, dumps);
    }

    // --- counts ---
    const report = run.report!;
    const layersN = model.layers.length;
    const split = splitInferences(report, layersN, inputs.length);
    const iIns = report.columns.indexOf('insns');
    const first = split.inferences[0];
    const perInput = split.inferences.map((inf, i) => ({ input: names[i], instructions: inf.total[iIns] }));
    const m4 = opts.cpu === 'cortex-m4' ? estimateM4Cycles(report.columns, first.total) : null;

    // --- sizes ---
    const map = parseLinkMap(readFileSync(linked.map, 'utf8'));
    const runnerObjects = new Set(runnerJobs.map((j) => j.object));
    const isRunner = (file: string) => runnerObjects.has(resolve(file)) || runnerObjects.has(file) || archives.some((a) => file.startsWith(`${a}(`));
    const size = sizeOf(map, isRunner);
    const objdump = await runAsync('arm-none-eabi-objdump', ['-d', linked.elf], 'arm-none-eabi-objdump -d', { maxBuffer: 1 << 28 });
    const ciFiles = [...runnerJobs.map((j) => j.object), ...libraryObjects, obj('target_marker.c', 'driver')].map((o) => o.replace(/\.o$/, '.ci'));
    const stack = worstCaseStack(ciFiles, runner === 'ours' ? 'model_run' : 'peer_model_run', objdump);

    const tEnd = performance.now();
    return {
      runner,
      cpu: opts.cpu,
      machine: board.machine,
      bitExact: mismatchDetails.length === 0,
      mismatches: mismatchDetails.length,
      mismatchDetails,
      inputs: { images: pixels.length, random },
      instructions: {
        total: first.total[iIns],
        layers: model.layers.map((layer, k) => {
          const l = viewLayer(layer);
          return { name: l.name, op: l.op, instructions: first.layers[k][iIns], group: layerGroup(l, k) };
        }),
      },
      perInput,
      dataIndependent: perInput.every((p) => p.instructions === perInput[0].instructions),
      mix: mixOf(report.columns, first.total),
      estimatedM4Cycles: m4 ? m4.cycles : null,
      m4Estimate: m4,
      codeBytes: size.code,
      libraryCode: libraryHelpers(map, isRunner),
      flashBytes: size.rodata + size.data,
      arenaBytes,
      arenaDetail,
      streamedLayers,
      stackBytes: stack.bytes,
      staticRamBytes: size.bss + size.data,
      stack,
      markerInstructions: split.marker[iIns],
      ...(layerCheck ? { layerCheck } : {}),
      seconds: { build: (tBuilt - t0) / 1000, qemu: run.seconds, total: (tEnd - t0) / 1000 },
      ...(ownWork ? {} : { work: build }),
    };
  } finally {
    if (ownWork) rmSync(work, { recursive: true, force: true });
  }
}
