/**
 * Host C compilation for tests and `verify`: gcc / clang with the strict flags firmware teams use
 * (-std=c99 -Wall -Wextra -Werror -pedantic), optionally under AddressSanitizer + UBSan.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export { RUNTIME_DIR, runtimeSources } from '../runtime/runtime_files.js';

export const STRICT_FLAGS: readonly string[] = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic'];
export const SANITIZE_FLAGS: readonly string[] = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-g'];

export type Compiler = 'gcc' | 'clang';

/** The compilers present on this machine, in preference order. */
export function availableCompilers(): Compiler[] {
  return (['gcc', 'clang'] as const).filter((c) => spawnSync(c, ['--version'], { stdio: 'ignore' }).status === 0);
}

export interface CompileOptions {
  compiler: Compiler;
  sources: readonly string[];
  includeDirs?: readonly string[];
  out: string;
  sanitize?: boolean;
  optimize?: string;
}

/** Compiles and links `sources` into the executable `out`; throws with the compiler's stderr. */
export function compileC(opts: CompileOptions): string {
  const args = [
    ...STRICT_FLAGS,
    opts.optimize ?? '-O2',
    ...(opts.sanitize ? SANITIZE_FLAGS : []),
    ...(opts.includeDirs ?? []).map((d) => `-I${d}`),
    ...opts.sources,
    '-o',
    opts.out,
  ];
  try {
    execFileSync(opts.compiler, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { stderr?: Buffer };
    throw new Error(`${opts.compiler} failed: ${err.stderr?.toString() ?? String(e)}`);
  }
  return opts.out;
}
