/**
 * Two models in one firmware image: converted with different prefixes, every .c file of both
 * folders compiled and linked into one program (strict flags, then ASan + UBSan) with both folders
 * on the include path, both headers included in one file. Each model's output equals its own
 * integer reference byte for byte. With the same prefix the link must fail (the symbols clash),
 * so the test can tell.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sizeOf } from '../ir/tensor.js';
import { runInt8 } from '../quant/interpret_int8.js';
import { availableCompilers, compileC, quickMode } from '../verify/compile.js';
import { emitModel, handMadeModel, writeFiles } from './testing.js';

const compilers = availableCompilers();
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-link-twice-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A program running model `p` (its prefix) on `count` seeded int8 inputs and printing the outputs. */
function mainFor(all: readonly string[], count: number): string {
  const prefixes = [...new Set(all)];
  const P = (p: string) => p.toUpperCase();
  return [
    '#include <stdio.h>',
    ...prefixes.map((p) => `#include "${p}.h"`),
    '',
    'static uint32_t state = 12345u;',
    'static int8_t next_byte(void)',
    '{',
    '    state = state * 1664525u + 1013904223u;',
    '    return (int8_t)(state >> 24);',
    '}',
    '',
    'int main(void)',
    '{',
    '    int32_t n, i;',
    ...prefixes.flatMap((p) => [`    static int8_t ${p}_in[${P(p)}_INPUT_SIZE];`, `    static int8_t ${p}_out[${P(p)}_OUTPUT_SIZE];`]),
    `    for (n = 0; n < ${count}; ++n) {`,
    ...prefixes.flatMap((p) => [
      `        for (i = 0; i < ${P(p)}_INPUT_SIZE; ++i) ${p}_in[i] = next_byte();`,
      `        if (${p}_run(${p}_in, ${p}_out) != ${P(p)}_OK) return 1;`,
      `        printf("${p}");`,
      `        for (i = 0; i < ${P(p)}_OUTPUT_SIZE; ++i) printf(" %d", ${p}_out[i]);`,
      '        printf("\\n");',
    ]),
    '    }',
    '    return 0;',
    '}',
    '',
  ].join('\n');
}

/** The same seeded bytes as the C program, in the same order. */
function expectedLines(models: { prefix: string; model: ReturnType<typeof handMadeModel> }[], count: number): string[] {
  let state = 12345;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return ((state >>> 24) << 24) >> 24;
  };
  const lines: string[] = [];
  for (let n = 0; n < count; n++) {
    for (const { prefix, model } of models) {
      // The C input is channels-last; the reference takes NCHW.
      const [, C, H, W] = model.input.shape;
      const nhwc = Int8Array.from({ length: sizeOf(model.input.shape) }, next);
      const nchw = new Int8Array(nhwc.length);
      for (let c = 0; c < C; c++) for (let p = 0; p < H * W; p++) nchw[c * H * W + p] = nhwc[p * C + c];
      lines.push(`${prefix} ${Array.from(runInt8(model, nchw).raw).join(' ')}`);
    }
  }
  return lines;
}

describe.skipIf(compilers.length === 0)('two models linked into one program', () => {
  const models = [
    { prefix: 'alpha', model: handMadeModel(41) },
    { prefix: 'beta', model: handMadeModel(42, 13, 3) },
  ];

  function build(prefixes: readonly string[], tag: string, sanitize: boolean) {
    const dirs = models.map((m, i) => {
      const dir = join(work, `${tag}_${i}`);
      writeFiles(dir, emitModel(m.model, { prefix: prefixes[i] }).files);
      return dir;
    });
    const main = join(work, `${tag}_main.c`);
    writeFileSync(main, mainFor(prefixes, 6));
    const sources = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.c') && f !== 'main.c').map((f) => join(d, f)));
    return () => compileC({ compiler: compilers[0], sources: [...sources, main], includeDirs: dirs, out: join(work, `${tag}_exe`), sanitize });
  }

  it.each(quickMode() ? [false] : [false, true])('each runs bit-exact with its own reference (sanitizers: %s)', (sanitize) => {
    const exe = build(['alpha', 'beta'], sanitize ? 'asan' : 'plain', sanitize)();
    const r = spawnSync(exe, [], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(expectedLines(models, 6));
  });

  it('with the same prefix twice the link fails on duplicate symbols (so the test above means something)', () => {
    const link = build(['gamma', 'gamma'], 'clash', false);
    expect(link).toThrow(/multiple definition|duplicate symbol|redefinition/);
  });
});

describe('the generated names', () => {
  it('every exported symbol of a model folder carries its prefix', () => {
    const e = emitModel(handMadeModel(43), { prefix: 'kws' });
    for (const name of e.files.keys()) expect(name === 'main.c' || name === 'weights.bin' || name.startsWith('kws') || ['manifest.json', 'report.md', 'report.html', 'plan.txt'].includes(name), name).toBe(true);
    let definitions = 0;
    for (const [name, data] of e.files) {
      if (!/\.(c|h)$/.test(name) || name === 'main.c') continue;
      const text = data.toString('utf8');
      // no identifier from the runtime's or the default namespace is left
      expect(text, name).not.toMatch(/\bonnx2mcu_|\bONNX2MCU_|\bmodel_|\bMODEL_/);
      // non-static functions and objects defined at file scope are all kws_…
      for (const m of text.matchAll(/^(?!static\b)(?:const\s+)?[a-z_][\w]*\s+\**\s*([a-z_]\w*)\s*(?:\(|=|\[)/gm)) {
        if (['typedef', 'return', 'if', 'for', 'while'].includes(m[0].split(/\s/)[0])) continue;
        expect(m[1], `${name}: ${m[0]}`).toMatch(/^kws_/);
        definitions++;
      }
    }
    expect(definitions).toBeGreaterThan(10); // the kernels, kws_run…, kws_flash_weights
  });
});

