/**
 * Host instructions of one inference of a converted folder: its runner built with gcc -O2 (strict
 * flags) and the benchmark's driver (bench/c/bench_driver.c), run under valgrind's callgrind with
 * collection switched on around exactly one model_run. Shared by `make bench` (bench/c/run.ts) and
 * `onnx2mcu sweep` (src/sweep); imports nothing of the command line, so both may use it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExecutableSync } from '../../src/util/object_cache.js';

/** Same flags for every benchmark program; the driver and the naive code are strict C99 like the runner. */
export const CFLAGS = ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', '-pedantic'];
const BENCH_DRIVER = join(dirname(fileURLToPath(import.meta.url)), '..', 'c', 'bench_driver.c');

export class BenchFailure extends Error {}

/** Runs a command, returns its stdout; a non-zero exit throws BenchFailure with its output. */
export function run(cmd: string, args: string[], what: string, opts: { maxBuffer?: number; timeoutMs?: number } = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: opts.maxBuffer ?? 1 << 26, timeout: opts.timeoutMs });
  if (r.error) throw new BenchFailure(`${what}: ${r.error.message}`);
  if (r.status !== 0) throw new BenchFailure(`${what} failed (exit ${r.status}):\n${(r.stderr || r.stdout).slice(0, 4000)}`);
  return r.stdout;
}

export const has = (cmd: string, arg = '--version') => spawnSync(cmd, [arg], { stdio: 'ignore' }).status === 0;

export const CALLGRIND_HEADER = '/usr/include/valgrind/callgrind.h';

/** gcc -O2 (strict flags) of a converted folder's runner (prefix 'model') with bench_driver.c into `exe`. */
export function buildRunnerDriver(outDir: string, exe: string): void {
  const defines = existsSync(CALLGRIND_HEADER) ? ['-DBENCH_HAVE_CALLGRIND'] : [];
  const sources = readdirSync(outDir).filter((f) => f.endsWith('.c') && f !== 'main.c').sort().map((f) => join(outDir, f));
  // through the object cache: the kernels are the same in every folder
  try {
    buildExecutableSync({ compiler: 'gcc', flags: [...CFLAGS, ...defines, `-I${outDir}`], linkFlags: [], sources: [...sources, BENCH_DRIVER], objectDir: `${exe}.objs`, out: exe });
  } catch (e) {
    throw new BenchFailure(`gcc (generated runner): ${(e as Error).message.slice(0, 4000)}`);
  }
}

/**
 * Instructions (callgrind Ir) of exactly one inference of a bench_driver program on `pixelsFile`:
 * collection toggled on around one run call by client requests after a warm-up inference, or
 * without <valgrind/callgrind.h> by --toggle-collect=`fn`. The count repeats exactly run to run.
 */
export function callgrindInstructions(exe: string, fn: string, pixelsFile: string, callgrindOut: string): number {
  const collect = existsSync(CALLGRIND_HEADER) ? ['--collect-atstart=no'] : ['--collect-atstart=no', `--toggle-collect=${fn}`];
  run('valgrind', ['--tool=callgrind', ...collect, `--callgrind-out-file=${callgrindOut}`, exe, 'callgrind', pixelsFile], `callgrind ${basename(exe)}`);
  const text = readFileSync(callgrindOut, 'utf8');
  const m = /^totals:\s*(\d+)/m.exec(text) ?? /^summary:\s*(\d+)/m.exec(text);
  if (!m) throw new BenchFailure(`callgrind: no totals line in ${callgrindOut}`);
  return Number(m[1]);
}

/** Host instructions of one model_run of the converted folder `outDir` on `pixelsFile` (the uint8 HWC pixels it takes), built and counted in `work`. */
export function hostInstructions(outDir: string, pixelsFile: string, work: string): number {
  if (!has('valgrind')) throw new BenchFailure('valgrind not found (apt-get install valgrind)');
  mkdirSync(work, { recursive: true });
  const exe = join(work, 'bench_generated');
  buildRunnerDriver(outDir, exe);
  return callgrindInstructions(exe, 'model_run', pixelsFile, join(work, 'callgrind.out'));
}

