/**
 * Host C compilation for tests and `verify`: gcc / clang with the strict flags firmware teams use
 * (-std=c99 -Wall -Wextra -Werror -pedantic), optionally under AddressSanitizer + UBSan.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { buildExecutableSync } from '../util/object_cache.js';

export { RUNTIME_DIR, runtimeSources } from '../runtime/runtime_files.js';

export const STRICT_FLAGS: readonly string[] = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
export const SANITIZE_FLAGS: readonly string[] = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'];

export type Compiler = 'gcc' | 'clang';

/**
 * The quick tier (`make check`, ONNX2MCU_QUICK=1): one compiler and no sanitizer builds, for the
 * edit loop; `make test` (and CI) build everything.
 */
export function quickMode(): boolean {
  return process.env.ONNX2MCU_QUICK === '1';
}

let present: Compiler[] | undefined;

/** The compilers present on this machine, in preference order (the first one only in the quick tier). */
export function availableCompilers(): Compiler[] {
  present ??= (['gcc', 'clang'] as const).filter((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
  return quickMode() ? present.slice(0, 1) : [...present];
}

export interface CompileOptions {
  compiler: Compiler;
  sources: readonly string[];
  includeDirs?: readonly string[];
  out: string;
  sanitize?: boolean;
  optimize?: string;
}

/**
 * Compiles each of `sources` to an object (through the object cache: the runtime kernels are the
 * same in every generated runner) and links them into the executable `out`; throws with the
 * compiler's stderr.
 */
export function compileC(opts: CompileOptions): string {
  const flags = [
    ...STRICT_FLAGS,
    opts.optimize ?? '-O2',
    ...(opts.sanitize ? SANITIZE_FLAGS : []),
    ...(opts.includeDirs ?? []).map((d) => `-I${d}`),
  ];
  const objectDir = mkdtempSync(`${opts.out}.objs-`);
  try {
    const linkFlags = [opts.optimize ?? '-O2', ...(opts.sanitize ? SANITIZE_FLAGS : [])];
    return buildExecutableSync({ compiler: opts.compiler, flags, linkFlags, sources: opts.sources, objectDir, out: opts.out });
  } finally {
    rmSync(objectDir, { recursive: true, force: true });
  }
}
