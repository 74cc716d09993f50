/**
 * External tools of the target benchmark: presence checks that name the Debian package, and
 * process runners with a timeout (the process is killed) that turn every failure into a one-line
 * TargetError.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/** A failure with a one-line message meant for the user (missing tool, timeout, non-zero exit, mismatch). */
export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** The Debian/Ubuntu package that provides each tool. */
export const TOOL_PACKAGES: Readonly<Record<string, string>> = {
  'arm-none-eabi-gcc': 'gcc-arm-none-eabi (and libnewlib-arm-none-eabi for the C library)',
  'arm-none-eabi-ar': 'binutils-arm-none-eabi',
  'arm-none-eabi-nm': 'binutils-arm-none-eabi',
  'arm-none-eabi-objdump': 'binutils-arm-none-eabi',
  'qemu-system-arm': 'qemu-system-arm',
  gcc: 'gcc',
};

const present = new Map<string, boolean>();

export function hasTool(tool: string): boolean {
  let ok = present.get(tool);
  if (ok === undefined) {
    const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
    ok = r.status === 0;
    present.set(tool, ok);
  }
  return ok;
}

/** Throws one TargetError naming every missing tool and the apt package to install. */
export function requireTools(tools: readonly string[]): void {
  const missing = tools.filter((t) => !hasTool(t));
  if (missing.length) {
    throw new TargetError(`missing ${missing.join(', ')}: apt-get install ${[...new Set(missing.map((t) => TOOL_PACKAGES[t] ?? t))].join(' ')}`);
  }
}

/** newlib for arm-none-eabi (libnewlib-arm-none-eabi) is a separate package from the compiler. */
export function requireNewlib(): void {
  const r = spawnSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '--specs=rdimon.specs', '-print-file-name=librdimon.a'], { encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout.trim().startsWith('/')) {
    throw new TargetError('arm-none-eabi-gcc has no newlib/librdimon: apt-get install libnewlib-arm-none-eabi');
  }
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly cwd?: string;
  readonly maxBuffer?: number;
  /** stdin (runSync only). */
  readonly input?: string;
}

const firstLines = (s: string, n = 12) => s.trim().split('\n').slice(0, n).join(' | ');
const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** Runs a command to completion and returns its stdout; throws TargetError on a spawn error, a timeout or a non-zero exit. */
export function runSync(cmd: string, args: readonly string[], what: string, opts: RunOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeoutMs, killSignal: 'SIGKILL', cwd: opts.cwd, maxBuffer: opts.maxBuffer ?? 1 << 28, input: opts.input });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') throw new TargetError(`${what}: timed out after ${seconds(opts.timeoutMs)} (killed)`);
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT') throw new TargetError(`${what}: ${cmd} not found (apt-get install ${TOOL_PACKAGES[cmd] ?? cmd})`);
    throw new TargetError(`${what}: ${r.error.message}`);
  }
  if (r.status !== 0) {
    throw new TargetError(`${what}: exit ${r.status ?? r.signal}: ${firstLines(r.stderr || r.stdout) || '(no output)'}`);
  }
  return r.stdout;
}

/** The same, asynchronous (for running compilations in parallel). */
export function runAsync(cmd: string, args: readonly string[], what: string, opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    const timer = opts.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGKILL');
        }, opts.timeoutMs)
      : undefined;
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (timer) clearTimeout(timer);
      reject(new TargetError(e.code === 'ENOENT' ? `${what}: ${cmd} not found (apt-get install ${TOOL_PACKAGES[cmd] ?? cmd})` : `${what}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (timedOut) reject(new TargetError(`${what}: timed out after ${seconds(opts.timeoutMs)} (killed)`));
      else if (code !== 0) reject(new TargetError(`${what}: exit ${code ?? signal}: ${firstLines(err || out) || '(no output)'}`));
      else resolve(out);
    });
  });
}

/** Runs tasks with at most `limit` in flight (default: one per core); results in input order. */
export async function parallel<T>(tasks: readonly (() => Promise<T>)[], limit = Math.max(1, cpus().length)): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}
