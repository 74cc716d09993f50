/**
 * Benchmark hook: host instructions per inference of a generated runner (valgrind --tool=callgrind,
 * counting only inside model_run, so it is repeatable to the instruction) and wall time per
 * inference; and the same network with the naive loop-nest kernels (no fast paths) for the
 * kernels' speed-up ratio. Used by bench/ (make bench).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QuantizedModel } from '../quant/types.js';
import { availableCompilers, compileC, type Compiler } from './compile.js';
import { emitArtifacts, writeArtifacts as writeFiles } from './emit.js';
import { readManifest } from './verify.js';

const BENCH_C = `/* bench driver (host only): runs model_run argv[1] times on a fixed input */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "model.h"

static int8_t input[MODEL_INPUT_SIZE];
static int8_t output[MODEL_OUTPUT_SIZE];

int main(int argc, char **argv)
{
    long i, runs = argc > 1 ? atol(argv[1]) : 1;
    clock_t t0;
    double seconds;
    for (i = 0; i < MODEL_INPUT_SIZE; ++i) {
        input[i] = (int8_t)((i * 37) % 256 - 128);
    }
    t0 = clock();
    for (i = 0; i < runs; ++i) {
        model_run(input, output);
    }
    seconds = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("%.6f %d\\n", runs > 0 ? 1000.0 * seconds / (double)runs : 0.0, output[0]);
    return 0;
}
`;

export interface BenchResult {
  /** Instructions executed inside model_run for one inference (callgrind Ir), or undefined without valgrind. */
  readonly instructions?: number;
  readonly msPerInference: number;
  readonly compiler: Compiler;
}

export function hasValgrind(): boolean {
  return spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Builds the runner in `dir` with a bench driver (-O2) and measures it. */
export function benchArtifacts(dir: string, opts: { runs?: number; compiler?: Compiler; callgrind?: boolean } = {}): BenchResult {
  const compiler = opts.compiler ?? availableCompilers()[0];
  const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-bench-'));
  try {
    const driver = join(work, 'bench_driver.c');
    writeFileSync(driver, BENCH_C);
    const sources = Object.keys(readManifest(dir).files).filter((f) => f.endsWith('.c') && f !== 'main.c').sort().map((f) => join(dir, f));
    const exe = compileC({ compiler, sources: [...sources, driver], includeDirs: [dir], out: join(work, 'bench'), optimize: '-O2' });
    const timed = spawnSync(exe, [String(opts.runs ?? 20)]);
    if (timed.status !== 0) throw new Error(`bench driver failed: ${timed.stderr.toString()}`);
    const msPerInference = Number(timed.stdout.toString().split(' ')[0]);
    let instructions: number | undefined;
    if ((opts.callgrind ?? true) && hasValgrind()) {
      const outFile = join(work, 'callgrind.out');
      const r = spawnSync('valgrind', ['--tool=callgrind', '--toggle-collect=model_run', `--callgrind-out-file=${outFile}`, exe, '1'], { maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`callgrind failed: ${r.stderr.toString().slice(0, 2000)}`);
      const m = /^(?:summary|totals):\s*(\d+)/m.exec(readFileSync(outFile, 'utf8'));
      if (!m) throw new Error('callgrind: no summary line');
      instructions = Number(m[1]);
    }
    return { instructions, msPerInference, compiler };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The model with the fast kernels and with the naive loop nests, same run; ratio = naive / fast. */
export function benchAgainstNaive(model: QuantizedModel, opts: { runs?: number; compiler?: Compiler } = {}): { fast: BenchResult; naive: BenchResult; instructionRatio?: number; timeRatio: number } {
  const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-bench-models-'));
  try {
    writeFiles(join(work, 'fast'), emitArtifacts(model).files);
    writeFiles(join(work, 'naive'), emitArtifacts(model, { kernels: 'naive' }).files);
    const fast = benchArtifacts(join(work, 'fast'), opts);
    const naive = benchArtifacts(join(work, 'naive'), opts);
    return {
      fast,
      naive,
      instructionRatio: fast.instructions && naive.instructions ? naive.instructions / fast.instructions : undefined,
      timeRatio: naive.msPerInference / fast.msPerInference,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
