/**
 * A compiled-object cache for the C the tests and benchmarks build over and over: every generated
 * runner carries the same runtime kernels, and the test suite compiles them for dozens of small
 * models, two host compilers and five Cortex-M cores. An object is reused when the compiler (its
 * path and `--version`), the flags, the source text and the text of every header it can include
 * from a project folder are the same (ccache's "direct mode", without running the preprocessor).
 * Headers are followed through `#include "…"` and `#include <…>` in the source's folder and the
 * -I folders, recursively, whatever the #if around them (a superset: at worst a needless miss);
 * folders and headers enter the key relative to the source's folder, so a tree copied elsewhere hits;
 * headers found in neither are the C library's and the compiler's, covered by its identity (its
 * `--version` and its system include folders with their modification times). `-include` /
 * `-imacros` files are followed like the source. A file with a computed `#include MACRO`,
 * `__has_include`, a path or time macro (`__FILE__`, `__BASE_FILE__`, `__DATE__`, …) or `assert`,
 * or a job with include flags this reader does not model (`-iquote`, `-isystem`, a separate `-I
 * DIR`…), is keyed on its preprocessed text and its path instead. So a copy of a kernel in another
 * output folder hits, and any edit misses.
 *
 * Failed compiles are never stored (warnings under -Werror are failures, so they are seen every
 * time). Side outputs that name the source (gcc's .su / .ci from -fstack-usage and
 * -fcallgraph-info) are stored with the source's folder blanked and restored with the new one.
 *
 * Where: `$ONNX2MCU_OBJECT_CACHE`, else `<tmpdir>/onnx2mcu-objects-<uid>`; `ONNX2MCU_OBJECT_CACHE=off`
 * compiles everything. Entries unused for 7 days are removed once per process.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';

export interface ObjectJob {
  readonly compiler: string;
  /** Every flag but `-c SOURCE -o OBJECT` (include dirs, defines, -O, -W…). */
  readonly flags: readonly string[];
  readonly source: string;
  readonly object: string;
  /** Files the compiler writes beside the object, by extension replacing `.o` (e.g. '.su', '.ci'). */
  readonly sideOutputs?: readonly string[];
}

/** Runs a tool and returns its stdout, throwing (with stderr) when it fails. */
export type Runner = (cmd: string, args: readonly string[]) => Promise<string>;

const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
const DIR_MARK = '\u0000DIR\u0000';
/** Part of every key: a change to what an entry holds or how keys are made starts afresh. */
const FORMAT = 'onnx2mcu-object-cache v2';

/** The cache folder, or undefined when the cache is switched off. */
export function objectCacheDir(): string | undefined {
  const env = process.env.ONNX2MCU_OBJECT_CACHE;
  if (env === 'off' || env === '0') return undefined;
  const dir = env && env.length > 0 ? env : join(tmpdir(), `onnx2mcu-objects-${userInfo().uid}`);
  return usable(dir) ? dir : undefined;
}

/**
 * Ours alone: created 0700 if missing; a folder another user owns or may write is not used (its
 * objects and the QEMU plugin built there would run as ours), and the cache is off.
 */
function usable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = statSync(dir);
    return st.isDirectory() && (process.getuid === undefined || st.uid === process.getuid()) && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

let pruned = false;
function prepare(dir: string): void {
  if (pruned) return;
  pruned = true;
  const now = Date.now();
  for (const name of readdirSync(dir)) {
    try {
      if (now - statSync(join(dir, name)).mtimeMs > MAX_AGE_MS) rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // another process pruned it first
    }
  }
}

const versions = new Map<string, string>();
/**
 * The compiler's path, `--version` text and system include folders with their modification times
 * (a C library upgrade replaces headers, which changes their folder's time): part of every key.
 */
export function compilerIdentity(compiler: string): string {
  let v = versions.get(compiler);
  if (v === undefined) {
    const run = (args: string[]) => {
      const r = spawnSync(compiler, args, { encoding: 'utf8', input: '' });
      return `${r.stdout ?? ''}${r.stderr ?? ''}`;
    };
    const search = /#include <\.\.\.> search starts here:\n([\s\S]*?)End of search list/.exec(run(['-E', '-v', '-x', 'c', '-']))?.[1] ?? '';
    const folders = search.split('\n').map((l) => l.trim()).filter(Boolean).map((d) => {
      try {
        return `${d} ${statSync(d).mtimeMs}`;
      } catch {
        return `${d} -`;
      }
    });
    v = `${run(['--version'])}\n${folders.join('\n')}`;
    versions.set(compiler, v);
  }
  return `${compiler}\n${v}`;
}

function sideOutputPath(object: string, ext: string): string {
  return object.replace(/\.o$/, '') + ext;
}

const INCLUDE = /^[ \t]*#[ \t]*include[ \t]*(?:"([^"]+)"|<([^>]+)>|(\S.*))/gm;
/** What puts a path, a time or a probe of the file system into the object: keyed on the preprocessed text. */
const NEEDS_PREPROCESSOR = /__FILE__|__BASE_FILE__|__FILE_NAME__|__builtin_FILE|__DATE__|__TIME__|__TIMESTAMP__|__has_include|\bassert\b|#[ \t]*include_next/;

/** Comments out of C text (so a directive after a comment is seen, and one inside a comment is not). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (c) => c.replace(/[^\n]/g, ' '));
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The direct key, or undefined when the job needs the preprocessor's view (see the file comment).
 * Throws nothing: anything it cannot read leaves the decision to the preprocessor and compiler.
 */
function directKey(job: ObjectJob, base: Hash): string | undefined {
  const includeDirs: string[] = [];
  const forced: string[] = [];
  for (let i = 0; i < job.flags.length; i++) {
    const f = job.flags[i];
    if (f === '-include' || f === '-imacros') forced.push(resolve(job.flags[++i] ?? ''));
    else if (f.startsWith('-I') && f.length > 2) includeDirs.push(resolve(f.slice(2)));
    else if (f.startsWith('-I') || f.startsWith('-i') || f === '-nostdinc') return undefined;
  }
  const sourceDir = dirname(job.source);
  const seen = new Set<string>();
  const visit = (file: string): boolean => {
    if (seen.has(file)) return true;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const code = withoutComments(text);
    if (NEEDS_PREPROCESSOR.test(code)) return false;
    base.update(`\u0000${relative(sourceDir, file)}\u0000`).update(text);
    for (const m of code.matchAll(INCLUDE)) {
      if (m[3] !== undefined) return false;
      const name = m[1] ?? m[2];
      const dirs = m[1] !== undefined ? [dirname(file), ...includeDirs] : includeDirs;
      const found = dirs.map((d) => join(d, name)).find(isFile);
      if (found !== undefined && !visit(found)) return false;
    }
    return true;
  };
  try {
    for (const f of forced) {
      base.update('\u0000forced');
      if (!isFile(f) || !visit(f)) return undefined;
    }
    base.update('\u0000source');
    return visit(job.source) ? base.digest('hex') : undefined;
  } catch {
    return undefined;
  }
}

/** Compiler, flags (-I folders relative to the source's own) and side outputs. */
function baseHash(job: ObjectJob): Hash {
  const dir = dirname(resolve(job.source));
  const flags = job.flags.map((f) => (f.startsWith('-I') ? `-I${relative(dir, resolve(f.slice(2)))}` : f));
  return createHash('sha256')
    .update(FORMAT).update('\u0000')
    .update(compilerIdentity(job.compiler)).update('\u0000')
    .update(JSON.stringify(flags)).update('\u0000')
    .update(JSON.stringify(job.sideOutputs ?? [])).update('\u0000');
}

/** The preprocessed key: the preprocessor's output and the source's own path. */
function preprocessedKey(job: ObjectJob, preprocessed: string): string {
  return baseHash(job).update('preprocessed\u0000').update(job.source).update('\u0000').update(preprocessed).digest('hex');
}

function preprocessArgs(job: ObjectJob): string[] {
  return [...job.flags.filter((f) => f !== '-fstack-usage' && !f.startsWith('-fcallgraph-info')), '-E', job.source];
}

function compileArgs(job: ObjectJob): string[] {
  return [...job.flags, '-c', job.source, '-o', job.object];
}

/** Copies a stored entry out; false (and the caller compiles) when there is none or it cannot be read whole. */
function restore(entry: string, job: ObjectJob): boolean {
  try {
    if (statSync(join(entry, 'object.o')).size === 0) return false;
    copyFileSync(join(entry, 'object.o'), job.object);
    for (const ext of job.sideOutputs ?? []) {
      const text = readFileSync(join(entry, `side${ext}`), 'utf8');
      writeFileSync(sideOutputPath(job.object, ext), text.split(DIR_MARK).join(dirname(job.source)));
    }
    const now = new Date();
    utimesSync(entry, now, now);
    return true;
  } catch {
    return false;
  }
}

function store(entry: string, job: ObjectJob): void {
  const tmp = `${entry}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  mkdirSync(tmp, { recursive: true });
  copyFileSync(job.object, join(tmp, 'object.o'));
  for (const ext of job.sideOutputs ?? []) {
    const text = readFileSync(sideOutputPath(job.object, ext), 'utf8');
    writeFileSync(join(tmp, `side${ext}`), text.split(dirname(job.source)).join(DIR_MARK));
  }
  try {
    renameSync(tmp, entry);
  } catch {
    // another process stored the same object first: theirs is identical
    rmSync(tmp, { recursive: true, force: true });
  }
}

function syncRunner(cmd: string, args: readonly string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (e) {
    const err = e as { stderr?: Buffer | string };
    throw new Error(`${cmd} failed: ${err.stderr?.toString() ?? String(e)}`);
  }
}

/** Source and object as absolute paths: the side outputs are rewritten by the source's folder. */
function absolute(job: ObjectJob): ObjectJob {
  return { ...job, source: resolve(job.source), object: resolve(job.object) };
}

/** Compiles one source to an object (or copies the cached object of an identical compile). */
export function compileObjectSync(given: ObjectJob): void {
  const job = absolute(given);
  mkdirSync(dirname(job.object), { recursive: true });
  const dir = objectCacheDir();
  if (dir === undefined) {
    syncRunner(job.compiler, compileArgs(job));
    return;
  }
  prepare(dir);
  const key = directKey(job, baseHash(job)) ?? preprocessedKey(job, syncRunner(job.compiler, preprocessArgs(job)));
  const entry = join(dir, key);
  if (restore(entry, job)) return;
  syncRunner(job.compiler, compileArgs(job));
  store(entry, job);
}

export const defaultRunner: Runner = (cmd, args) =>
  new Promise((resolvePromise, reject) => {
    execFile(cmd, [...args], { encoding: 'utf8', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${stderr || err.message}`));
      else resolvePromise(stdout);
    });
  });

/** As compileObjectSync, with the caller's way of running tools (their error messages, their parallelism). */
export async function compileObject(given: ObjectJob, run: Runner = defaultRunner): Promise<void> {
  const job = absolute(given);
  mkdirSync(dirname(job.object), { recursive: true });
  const dir = objectCacheDir();
  if (dir === undefined) {
    await run(job.compiler, compileArgs(job));
    return;
  }
  prepare(dir);
  const key = directKey(job, baseHash(job)) ?? preprocessedKey(job, await run(job.compiler, preprocessArgs(job)));
  const entry = join(dir, key);
  if (restore(entry, job)) return;
  await run(job.compiler, compileArgs(job));
  store(entry, job);
}

/**
 * An executable from C sources: each compiled to an object in `objectDir` through the cache, then
 * linked with `linkFlags` (the flags the link needs too, e.g. -fsanitize). Throws "<compiler> failed: <stderr>".
 */
export function buildExecutableSync(o: { compiler: string; flags: readonly string[]; linkFlags: readonly string[]; sources: readonly string[]; objectDir: string; out: string }): string {
  const objects = o.sources.map((source, i) => {
    const object = join(o.objectDir, `${i}_${basename(source).replace(/\.c$/, '')}.o`);
    compileObjectSync({ compiler: o.compiler, flags: o.flags, source, object });
    return object;
  });
  syncRunner(o.compiler, [...o.linkFlags, ...objects, '-o', o.out]);
  return o.out;
}
