/**
 * The object cache gives the object a fresh compile would give, and only then: a copy of a
 * source in another folder hits, a changed header (included directly, from another header, or from
 * an -I folder) or flag misses, a file that puts its path into the object misses in another
 * folder, a failed compile is failed every time, and the .su side output names the new source path.
 * Found in review: a forced `-include` header, a directive after a comment, a relative source path,
 * a cache folder others may write.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { compileObject, compileObjectSync, type ObjectJob } from './object_cache.js';

const haveGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveGcc) console.warn('[skip] object cache test: gcc not on PATH');

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-objcache-test-'));
const cache = join(work, 'cache');
const saved = process.env.ONNX2MCU_OBJECT_CACHE;
afterAll(() => {
  if (saved === undefined) delete process.env.ONNX2MCU_OBJECT_CACHE;
  else process.env.ONNX2MCU_OBJECT_CACHE = saved;
  rmSync(work, { recursive: true, force: true });
});

function project(name: string, scale: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'k.h'), `#define SCALE ${scale}\n`);
  writeFileSync(join(dir, 'k.c'), '#include "k.h"\nint k(int x) { return x * SCALE; }\n');
  return dir;
}

const entries = () => readdirSync(cache).filter((f) => !f.endsWith('.tmp')).length;
const job = (dir: string, flags: string[] = ['-O2']): ObjectJob => ({ compiler: 'gcc', flags: [...flags, `-I${dir}`], source: join(dir, 'k.c'), object: join(dir, 'k.o'), sideOutputs: flags.includes('-fstack-usage') ? ['.su'] : [] });
const fresh = (j: ObjectJob) => {
  const out = `${j.object}.fresh`;
  expect(spawnSync(j.compiler, [...j.flags, '-c', j.source, '-o', out]).status).toBe(0);
  return readFileSync(out);
};

describe.skipIf(!haveGcc)('object cache', () => {
  beforeEach(() => {
    rmSync(cache, { recursive: true, force: true });
    process.env.ONNX2MCU_OBJECT_CACHE = cache;
  });

  it('reuses an object for the same source in another folder, and the object equals a fresh compile', async () => {
    const a = job(project('a', '3'));
    const b = job(project('b', '3'));
    compileObjectSync(a);
    expect(entries()).toBe(1);
    await compileObject(b);
    expect(entries()).toBe(1);
    expect(readFileSync(b.object)).toEqual(fresh(b));
  });

  it('misses when an included header or a flag changes', () => {
    compileObjectSync(job(project('c', '3')));
    const d = job(project('d', '5'));
    compileObjectSync(d);
    expect(entries()).toBe(2);
    expect(readFileSync(d.object)).toEqual(fresh(d));
    compileObjectSync(job(project('e', '5'), ['-O1']));
    expect(entries()).toBe(3);
  });

  it('misses when a header included by a header changes, or one found through -I', () => {
    const nested = (name: string, value: string, inc: string) => {
      const dir = join(work, name);
      mkdirSync(join(dir, 'inc'), { recursive: true });
      writeFileSync(join(dir, 'k.h'), '#include "deep.h"\n#include <lib.h>\n');
      writeFileSync(join(dir, 'deep.h'), `#define SCALE ${value}\n`);
      writeFileSync(join(dir, 'inc', 'lib.h'), `#define OFFSET ${inc}\n`);
      writeFileSync(join(dir, 'k.c'), '#include "k.h"\nint k(int x) { return x * SCALE + OFFSET; }\n');
      return { compiler: 'gcc', flags: ['-O2', `-I${join(dir, 'inc')}`], source: join(dir, 'k.c'), object: join(dir, 'k.o') };
    };
    compileObjectSync(nested('n1', '3', '1'));
    compileObjectSync(nested('n2', '3', '1'));
    expect(entries()).toBe(1); // the same tree in another folder
    const deep = nested('n3', '4', '1');
    compileObjectSync(deep);
    expect(readFileSync(deep.object)).toEqual(fresh(deep));
    const lib = nested('n4', '4', '2');
    compileObjectSync(lib);
    expect(readFileSync(lib.object)).toEqual(fresh(lib));
    expect(entries()).toBe(3);
  });

  it('keys a file that names its own path (__FILE__) by that path', () => {
    const withPath = (name: string) => {
      const dir = project(name, '3');
      writeFileSync(join(dir, 'k.c'), 'const char *where(void) { return __FILE__; }\n');
      return job(dir);
    };
    compileObjectSync(withPath('p1'));
    const p2 = withPath('p2');
    compileObjectSync(p2);
    expect(entries()).toBe(2);
    expect(readFileSync(p2.object).includes(Buffer.from(join(work, 'p2')))).toBe(true);
  });

  it('misses when a header given with -include changes; sees an include after a comment', () => {
    // One folder, edited in place: the flags and paths stay the same, only the headers' text changes.
    const dir = project('forced', '3');
    writeFileSync(join(dir, 'k.c'), '/* a note */ #include "deep.h"\nint k(int x) { return x * SCALE + HOOK; }\n');
    const j = { compiler: 'gcc', flags: ['-O2', '-include', join(dir, 'hook.h')], source: join(dir, 'k.c'), object: join(dir, 'k.o') };
    const build = (hook: string, scale: string) => {
      writeFileSync(join(dir, 'hook.h'), `#define HOOK ${hook}\n`);
      writeFileSync(join(dir, 'deep.h'), `#define SCALE ${scale}\n`);
      compileObjectSync(j);
      const got = readFileSync(j.object);
      expect(got).toEqual(fresh(j));
      return got;
    };
    const first = build('3', '3');
    expect(build('7', '3')).not.toEqual(first); // only the forced header changed
    expect(build('3', '9')).not.toEqual(first); // only the header included after the comment changed
    expect(build('3', '3')).toEqual(first);
    expect(entries()).toBe(3);
  });

  it('rewrites the side output right for a source given by a relative path', () => {
    const dir = project('rel', '3');
    const before = process.cwd();
    process.chdir(dir);
    try {
      compileObjectSync({ compiler: 'gcc', flags: ['-O2', '-fstack-usage', '-I.'], source: 'k.c', object: 'k.o', sideOutputs: ['.su'] });
    } finally {
      process.chdir(before);
    }
    compileObjectSync(job(project('abs', '3'), ['-O2', '-fstack-usage']));
    expect(entries()).toBe(1);
    expect(readFileSync(join(work, 'abs', 'k.su'), 'utf8')).toMatch(new RegExp(`^${join(work, 'abs', 'k.c')}:2:5:k\\t`));
  });

  it('does not use a cache folder others may write', () => {
    const open = join(work, 'open_cache');
    mkdirSync(open);
    chmodSync(open, 0o777);
    process.env.ONNX2MCU_OBJECT_CACHE = open;
    const j = job(project('w', '3'));
    compileObjectSync(j);
    expect(readFileSync(j.object)).toEqual(fresh(j));
    expect(readdirSync(open)).toEqual([]);
  });

  it('stores no failed compile: a warning under -Werror fails again on the second try', () => {
    const dir = project('f', '3');
    writeFileSync(join(dir, 'k.c'), 'int k(int x) { int unused; return x; }\n');
    const j = job(dir, ['-O2', '-Wall', '-Werror']);
    expect(() => compileObjectSync(j)).toThrow(/gcc failed: .*unused/s);
    expect(() => compileObjectSync(j)).toThrow(/gcc failed: .*unused/s);
    expect(entries()).toBe(0);
  });

  it('restores -fstack-usage output naming the new source path', () => {
    compileObjectSync(job(project('g', '3'), ['-O2', '-fstack-usage']));
    const h = job(project('h', '3'), ['-O2', '-fstack-usage']);
    compileObjectSync(h);
    expect(entries()).toBe(1);
    const su = readFileSync(join(work, 'h', 'k.su'), 'utf8');
    expect(su).toContain(`${h.source}:2:5:k`);
    expect(su).not.toContain(join(work, 'g'));
  });

  it('ONNX2MCU_OBJECT_CACHE=off compiles without storing', () => {
    process.env.ONNX2MCU_OBJECT_CACHE = 'off';
    const j = job(project('i', '3'));
    compileObjectSync(j);
    expect(readFileSync(j.object)).toEqual(fresh(j));
    expect(() => readdirSync(cache)).toThrow();
  });
});
