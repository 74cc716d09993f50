/**
 * The `onnx2mcu bench` command handler (registered in app.ts; the measurement is src/target): a
 * converted folder cross-built for emulated Cortex-M cores, every output byte checked against the
 * integer reference, instructions counted per layer, side by side with CMSIS-NN running the same
 * quantized model (--peer cmsis-nn).
 *
 * --json prints the measurement as issue 10 specifies it: one object
 *   {"cpu", "bitExact", "instructions": {"total", "layers": [{"name", "op", "instructions"}]},
 *    "codeBytes", "flashBytes", "arenaBytes", "stackBytes", "staticRamBytes", "totalRamBytes", "estimatedM4Cycles",
 *    "peer": {"name": "cmsis-nn", "bitExact", "instructions": {...}, ...}}
 * for one --cpu, an array of them for several. Exit code 1 when an output differs from the reference.
 */
import { resolve } from 'node:path';
import { CPUS, type Cpu } from '../target/boards.js';
import { benchTarget, formatBenchSummary, formatBenchTarget, type BenchInstructions, type BenchTargetResult } from '../target/bench_target.js';
import { TargetError } from '../target/tools.js';
import { UserError } from '../util/errors.js';
import { UsageError } from './options.js';

export interface BenchArgs {
  dir: string;
  cpu: string;
  peer?: string;
  images?: string;
  random?: number;
  seed?: number;
  layers: boolean;
  json: boolean;
}

/** `--cpu all`, one core, or a comma list. */
export function parseCpus(text: string): Cpu[] {
  if (text === 'all') return [...CPUS];
  const list = text.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.find((c) => !(CPUS as readonly string[]).includes(c));
  if (bad !== undefined || list.length === 0) throw new UsageError(`--cpu ${text}: expected all or one or more of ${CPUS.join(', ')}`);
  return [...new Set(list)] as Cpu[];
}

const layers = (i: BenchInstructions) => ({ total: i.total, layers: i.layers.map((l) => ({ name: l.name, op: l.op, instructions: l.instructions })) });

/** The result as the JSON object (the details behind each figure stay in the text output). */
export function benchJson(r: BenchTargetResult): object {
  return {
    cpu: r.cpu,
    bitExact: r.bitExact,
    instructions: layers(r.instructions),
    codeBytes: r.codeBytes,
    flashBytes: r.flashBytes,
    arenaBytes: r.arenaBytes,
    stackBytes: r.stackBytes,
    staticRamBytes: r.staticRamBytes,
    totalRamBytes: r.totalRamBytes,
    estimatedM4Cycles: r.estimatedM4Cycles,
    ...(r.peer
      ? {
          peer: {
            name: r.peer.name,
            bitExact: r.peer.bitExact,
            instructions: layers(r.peer.instructions),
            codeBytes: r.peer.codeBytes,
            flashBytes: r.peer.flashBytes,
            arenaBytes: r.peer.arenaBytes,
            stackBytes: r.peer.stackBytes,
            staticRamBytes: r.peer.staticRamBytes,
            totalRamBytes: r.peer.totalRamBytes,
            estimatedM4Cycles: r.peer.estimatedM4Cycles,
          },
          outputsEqual: r.outputsEqual ?? null,
        }
      : {}),
  };
}

export async function benchCommand(a: BenchArgs, io: { out: (t: string) => void; err: (t: string) => void }): Promise<void> {
  const cpus = parseCpus(a.cpu);
  if (a.peer !== undefined && a.peer !== 'cmsis-nn') throw new UsageError(`--peer ${a.peer}: the one peer is cmsis-nn`);
  if (a.random !== undefined && (!Number.isInteger(a.random) || a.random < 0 || a.random > 64)) throw new UsageError(`--random ${a.random}: an integer from 0 to 64`);
  const results: BenchTargetResult[] = [];
  for (const cpu of cpus) {
    try {
      const r = await benchTarget(resolve(a.dir), {
        cpu, ...(a.peer ? { peer: 'cmsis-nn' as const } : {}), ...(a.images ? { images: a.images } : {}),
        ...(a.random !== undefined ? { random: a.random } : {}), ...(a.seed !== undefined ? { seed: a.seed } : {}),
      });
      results.push(r);
      if (!a.json) io.out(formatBenchTarget(r, { perLayer: a.layers }) + '\n\n');
    } catch (e) {
      // Missing tools, a failed build or run: one line naming what failed.
      if (e instanceof TargetError) throw new UserError(`bench ${a.dir} on ${cpu}: ${e.message}`);
      throw e;
    }
  }
  if (a.json) {
    io.out(JSON.stringify(results.length === 1 ? benchJson(results[0]) : results.map(benchJson)) + '\n');
  } else if (results.length > 1) {
    io.out(formatBenchSummary(results, !!a.peer));
  }
  const wrong = results.filter((r) => !r.bitExact || (r.peer && !r.peer.bitExact)).map((r) => r.cpu);
  if (wrong.length) throw new UserError(`bench ${a.dir}: outputs differ from the integer reference on ${wrong.join(', ')}`);
}
