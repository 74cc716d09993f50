/**
 * The instruction-count plugin (qemu_plugin/insn_count.c): building it with the host gcc, running
 * an ELF under qemu-system-arm with it, and reading its output.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { TARGET_DIR } from './boards.js';
import { runAsync, runSync, TargetError } from './tools.js';
import { compilerIdentity, objectCacheDir } from '../util/object_cache.js';

export const PLUGIN_DIR = join(TARGET_DIR, 'qemu_plugin');
const PLUGIN_SOURCES = ['insn_count.c', 'thumb_class.h', 'qemu_plugin_v1.h'];

const PLUGIN_FLAGS = ['-O2', '-std=c99', '-Wall', '-Wextra', '-Werror', '-shared', '-fPIC', '-fvisibility=hidden'];

/**
 * Builds insn_count.so into the object cache (or `work` when the cache is off), named by the hash
 * of its sources, flags and gcc, so a stale build is never reused and an unchanged one is built once.
 */
export function buildPlugin(work: string): string {
  const hash = createHash('sha256').update(compilerIdentity('gcc')).update(JSON.stringify(PLUGIN_FLAGS));
  for (const f of PLUGIN_SOURCES) hash.update(readFileSync(join(PLUGIN_DIR, f)));
  const dir = objectCacheDir() ?? work;
  const so = join(dir, `insn_count-${hash.digest('hex').slice(0, 12)}.so`);
  if (existsSync(so)) {
    const now = new Date();
    utimesSync(so, now, now); // in use: not pruned as unused (object_cache.ts)
    return so;
  }
  mkdirSync(dir, { recursive: true });
  const tmp = `${so}.${process.pid}.tmp`;
  runSync('gcc', [...PLUGIN_FLAGS, `-I${PLUGIN_DIR}`, join(PLUGIN_DIR, 'insn_count.c'), '-o', tmp], 'gcc (QEMU plugin)');
  renameSync(tmp, so);
  return so;
}

/** The plugin's report: one row of counters per marker hit and one at exit, with named columns. */
export interface PluginReport {
  readonly columns: readonly string[];
  readonly marks: readonly (readonly number[])[];
  readonly end: readonly number[];
}

export function parsePluginReport(text: string, file = 'plugin output'): PluginReport {
  let columns: string[] | undefined;
  const marks: number[][] = [];
  let end: number[] | undefined;
  for (const line of text.split('\n')) {
    const [tag, ...rest] = line.trim().split(/\s+/);
    if (tag === 'columns') columns = rest;
    else if (tag === 'mark' || tag === 'end') {
      const row = rest.map(Number);
      if (!columns || row.length !== columns.length || row.some((v) => !Number.isSafeInteger(v))) throw new TargetError(`${file}: malformed line '${line}'`);
      if (tag === 'mark') marks.push(row);
      else end = row;
    } else if (tag === 'error') throw new TargetError(`${file}: ${line}`);
  }
  if (!columns || !end) throw new TargetError(`${file}: incomplete (QEMU did not exit normally?)`);
  return { columns, marks, end };
}

export interface QemuRun {
  readonly stdout: string;
  readonly report?: PluginReport;
  readonly seconds: number;
}

/**
 * Runs `elf` on `machine` with semihosting (stdout = the guest's console), optionally under the
 * plugin with a marker address. A guest that runs longer than timeoutMs is killed.
 */
export async function runQemu(opts: { machine: string; elf: string; plugin?: string; marker?: number; reportFile?: string; timeoutMs?: number }): Promise<QemuRun> {
  const args = ['-M', opts.machine, '-display', 'none', '-serial', 'null', '-monitor', 'none', '-semihosting-config', 'enable=on,target=native'];
  if (opts.plugin) {
    if (opts.marker === undefined || !opts.reportFile) throw new Error('runQemu: the plugin needs a marker address and a report file');
    args.push('-plugin', `${opts.plugin},marker=0x${opts.marker.toString(16)},out=${opts.reportFile}`);
  }
  args.push('-kernel', opts.elf);
  const t0 = performance.now();
  const stdout = await runAsync('qemu-system-arm', args, `qemu-system-arm -M ${opts.machine} ${opts.elf}`, { timeoutMs: opts.timeoutMs ?? 300_000 });
  const seconds = (performance.now() - t0) / 1000;
  const report = opts.reportFile ? parsePluginReport(readFileSync(opts.reportFile, 'utf8'), opts.reportFile) : undefined;
  return { stdout, report, seconds };
}
