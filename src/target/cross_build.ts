/**
 * Cross-compiling and linking a target program with arm-none-eabi-gcc: every object with the
 * board's CPU flags and the common strict flags (boards.ts), plus -fstack-usage and
 * -fcallgraph-info=su (gcc writes <object>.su / <object>.ci beside each object; they feed
 * stack_usage.ts and change no code); linked with the board's linker script, --gc-sections and a
 * link map (link_map.ts). Objects come from the object cache when an identical compile was done.
 */
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createHash } from 'node:crypto';
import { BOARDS_DIR, COMMON_CFLAGS, LINK_FLAGS, type Board } from './boards.js';
import { parallel, runAsync } from './tools.js';
import { compileObject } from '../util/object_cache.js';

export interface CompileJob {
  readonly source: string;
  /** Object path; .su and .ci land beside it. */
  readonly object: string;
  readonly includes?: readonly string[];
  readonly extra?: readonly string[];
  /** Default true; the CMSIS-NN sources are built without -Werror/-pedantic only if asked to. */
  readonly strict?: boolean;
}

export function cflags(board: Board, strict = true): string[] {
  const flags = [...board.cpuFlags, ...COMMON_CFLAGS];
  return strict ? flags : flags.filter((f) => f !== '-Werror' && f !== '-pedantic');
}

export async function compileAll(board: Board, jobs: readonly CompileJob[]): Promise<string[]> {
  return parallel(jobs.map((j) => async () => {
    const flags = [...cflags(board, j.strict ?? true), ...board.defines, '-fstack-usage', '-fcallgraph-info=su', ...(j.includes ?? []).map((d) => `-I${d}`), ...(j.extra ?? [])];
    // through the object cache: the same runtime kernels are built for every model and core
    await compileObject(
      { compiler: 'arm-none-eabi-gcc', flags, source: j.source, object: j.object, sideOutputs: ['.su', '.ci'] },
      (cmd, args) => runAsync(cmd, args, `arm-none-eabi-gcc ${board.cpu} ${basename(j.source)}`),
    );
    return j.object;
  }));
}

/**
 * Compiles `sources` into a static library under `dir`, once per set of sources and flags (the
 * name carries their hash): the CMSIS-NN peer is the same for every model.
 */
export async function buildLibrary(board: Board, name: string, sources: readonly string[], includes: readonly string[], dir: string): Promise<{ archive: string; objects: string[] }> {
  const h = createHash('sha256');
  h.update(JSON.stringify([cflags(board), board.defines, includes]));
  for (const s of sources) h.update(s).update(readFileSync(s));
  const libDir = join(dir, `${name}-${board.cpu}-${h.digest('hex').slice(0, 12)}`);
  const archive = join(libDir, `lib${name}.a`);
  const objects = sources.map((s) => join(libDir, basename(s).replace(/\.c$/, '.o')));
  if (!existsSync(archive)) {
    await compileAll(board, sources.map((source, i) => ({ source, object: objects[i], includes })));
    const tmp = `${archive}.${process.pid}.tmp`;
    await runAsync('arm-none-eabi-ar', ['rcs', tmp, ...objects], `arm-none-eabi-ar ${name}`);
    renameSync(tmp, archive);
  }
  return { archive, objects };
}

export interface Linked {
  readonly elf: string;
  readonly map: string;
}

export async function link(board: Board, objects: readonly string[], archives: readonly string[], elf: string): Promise<Linked> {
  const map = elf.replace(/\.elf$/, '') + '.map';
  await runAsync('arm-none-eabi-gcc', [
    ...board.cpuFlags, ...LINK_FLAGS, `-L${BOARDS_DIR}`, '-T', board.linkerScript, `-Wl,-Map=${map}`,
    ...objects, ...archives, '-o', elf,
  ], `arm-none-eabi-gcc (link ${basename(elf)})`);
  return { elf, map };
}

/** Address of a function symbol in a linked ELF (Thumb bit cleared). */
export async function symbolAddress(elf: string, name: string): Promise<number> {
  const out = await runAsync('arm-none-eabi-nm', [elf], `arm-none-eabi-nm ${basename(elf)}`);
  const line = out.split('\n').find((l) => l.trim().split(/\s+/)[2] === name);
  if (!line) throw new Error(`${elf}: no symbol ${name}`);
  return parseInt(line.trim().split(/\s+/)[0], 16) & ~1;
}
