/**
 * The inference path of a generated runner has no floating point and no heap: model.c, weights.c
 * and every runtime kernel .c are compiled with `gcc -std=c99 -c -mgeneral-regs-only` (on x86-64
 * any float / double / long double value then fails to compile: no SSE and no x87 registers), and
 * `nm -u` on the objects must name no malloc / calloc / realloc / free.
 *
 * Both checks are proven first on canaries: a C file using a double (and ones using a float or a
 * long double only internally) must FAIL to compile under the flag, and an object calling malloc
 * must show it in `nm -u`. Nothing is excluded: the blob loader (onnx2mcu_blob.c) and even the
 * example main.c (stdio only, to read the pixels and print the class) pass both checks.
 */
import { spawnSync } from 'node:child_process';
import { arch } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileObjectSync } from '../util/object_cache.js';
import { emitModel as emitArtifacts, handMadeModel, writeFiles } from './testing.js';

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-purity-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const haveGcc = spawnSync('gcc', ['--version'], { stdio: 'ignore' }).status === 0;
const haveNm = spawnSync('nm', ['--version'], { stdio: 'ignore' }).status === 0;
const x64 = arch() === 'x64';
if (!haveGcc || !haveNm || !x64) console.warn(`[skip] C purity check: needs gcc and nm on x86-64 (gcc ${haveGcc}, nm ${haveNm}, arch ${arch()})`);

const FLAGS = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', '-O2', '-mgeneral-regs-only'];
const HEAP = ['malloc', 'calloc', 'realloc', 'free', 'aligned_alloc', 'posix_memalign'];

function compile(src: string, obj: string, includeDir: string) {
  return spawnSync('gcc', [...FLAGS, `-I${includeDir}`, '-c', src, '-o', obj], { encoding: 'utf8' });
}

/** Undefined symbols of an object file (`nm -u`), names only. */
function undefinedSymbols(obj: string): string[] {
  const r = spawnSync('nm', ['-u', obj], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`nm -u ${obj}: ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim().split(/\s+/).pop()!).filter(Boolean).map((s) => s.replace(/@.*$/, ''));
}

describe.skipIf(!haveGcc || !haveNm || !x64)('generated C: no floating point, no malloc in the inference path', () => {
  it('the checks themselves work: float canaries fail to compile, a malloc call shows in nm -u', () => {
    const canaries: Record<string, string> = {
      'double.c': 'double twice(double x) { return x * 2.0; }\n',
      'float_inside.c': 'int half(int x) { volatile float f = (float)x; return (int)(f * 0.5f); }\n',
      'long_double.c': 'int third(int x) { volatile long double f = x; return (int)(f / 3); }\n',
    };
    for (const [name, text] of Object.entries(canaries)) {
      writeFileSync(join(work, name), text);
      const r = compile(join(work, name), join(work, `${name}.o`), work);
      expect(r.status, `${name} must not compile with -mgeneral-regs-only`).not.toBe(0);
      expect(r.stderr).toMatch(/(SSE|x87).*disabled/);
    }
    // integer-only code compiles, so failures above are about the floats
    writeFileSync(join(work, 'int_ok.c'), 'int twice_i(int x) { return x * 2; }\n');
    expect(compile(join(work, 'int_ok.c'), join(work, 'int_ok.o'), work).status).toBe(0);
    writeFileSync(join(work, 'heap.c'), '#include <stdlib.h>\nvoid *grab(size_t n) { return malloc(n); }\nvoid drop(void *p) { free(p); }\n');
    expect(compile(join(work, 'heap.c'), join(work, 'heap.o'), work).status).toBe(0);
    const syms = undefinedSymbols(join(work, 'heap.o'));
    expect(syms).toContain('malloc');
    expect(syms).toContain('free');
  });

  for (const layout of ['nhwc', 'nchw'] as const) {
    it(`model.c, weights.c and every runtime kernel (${layout} input) compile float-free and call no heap function`, () => {
      const dir = join(work, layout);
      const e = emitArtifacts(handMadeModel(21), { inputLayout: layout, labels: ['a', 'b', 'c', 'd', 'e'] });
      writeFiles(dir, e.files);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
      const all = Object.keys(manifest.files).filter((f) => f.endsWith('.c')).sort();
      // Every .c of the output, the example main.c included (it needs stdio, but neither heap nor float).
      const checked = all;
      // the hand-made model uses every kernel but the global pool, which is therefore not written
      expect(checked).toEqual(['main.c', 'model.c', 'model_avg_pool_s8.c', 'model_blob.c', 'model_conv_1x1_s8.c', 'model_conv_im2col_s8.c', 'model_conv_s8.c', 'model_dw_conv_3x3_s8.c',
        'model_dw_conv_s8.c', 'model_fc_s8.c', 'model_gemm_s8.c', ...(layout === 'nchw' ? ['model_transpose_s8.c'] : []), 'model_weights.c']);
      const symbols = new Map<string, string[]>();
      for (const f of checked) {
        const obj = join(dir, `${f}.o`);
        compileObjectSync({ compiler: 'gcc', flags: [...FLAGS, `-I${dir}`], source: join(dir, f), object: obj }); // throws with gcc's stderr
        symbols.set(f, undefinedSymbols(obj));
      }
      for (const [f, syms] of symbols) expect(syms.filter((s) => HEAP.includes(s)), f).toEqual([]);
      // model.c really links against the kernels (nm sees the calls, so an absent malloc means something)
      expect(symbols.get('model.c')).toEqual(expect.arrayContaining(['model_conv_s8', 'model_fc_s8', 'model_blob_open']));
      if (layout === 'nchw') expect(symbols.get('model.c')).toContain('model_nchw_to_nhwc_s8');
    });
  }
});
