/**
 * Host C compilation for tests and `verify`: gcc / clang with the strict flags firmware teams use
 * (-std=c99 -Wall -Wextra -Werror -pedantic), optionally under AddressSanitizer + UBSan.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { compileObjectSync } from '../util/object_cache.js';

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
  const objDir = mkdtempSync(`${opts.out}.objs-`);
  try {
    const objects = opts.sources.map((source, i) => {
      const object = join(objDir, `${i}_${basename(source).replace(/\.c$/, '')}.o`);
      compileObjectSync({ compiler: opts.compiler, flags, source, object }); // throws "<compiler> failed: <stderr>"
      return object;
    });
    try {
      execFileSync(opts.compiler, [opts.optimize ?? '-O2', ...(opts.sanitize ? SANITIZE_FLAGS : []), ...objects, '-o', opts.out], { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      const err = e as { stderr?: Buffer };
      throw new Error(`${opts.compiler} failed: ${err.stderr?.toString() ?? String(e)}`);
    }
  } finally {
    rmSync(objDir, { recursive: true, force: true });
  }
  return opts.out;
}
