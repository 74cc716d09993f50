/**
 * The pure parts of the measurement, on small hand-made inputs: marker hits to per-layer counts,
 * the M4 estimate formula, link-map sizes, the worst-case stack walk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { libraryHelpers, parseLinkMap, sizeOf } from './link_map.js';
import { estimateM4Cycles, splitInferences } from './measure.js';
import type { PluginReport } from './plugin.js';
import { prologueFrames, worstCaseStack } from './stack_usage.js';

const columns = ['insns', 'div', 'm4_base', 'taken'];

describe('splitInferences', () => {
  // Calibration hits 10, 12, 14 (marker = 2 instructions, 0 div, 2 cycles, 2 taken branches); then one
  // inference of two layers: start 100, layer 0 ends at 150, layer 1 at 180, end 190.
  const row = (insns: number, div = 0) => [insns, div, insns, insns / 2];
  const report: PluginReport = { columns, marks: [row(10), row(12), row(14), row(100), row(150, 1), row(180, 1), row(190, 1)], end: row(200, 1) };

  it('subtracts one marker call per interval and gives the return path to the last layer', () => {
    const s = splitInferences(report, 2, 1);
    expect(s.marker).toEqual([2, 0, 2, 1]);
    expect(s.inferences[0].layers.map((l) => l[0])).toEqual([48, 28 + 8]);
    expect(s.inferences[0].total[0]).toBe(190 - 100 - 3 * 2);
    expect(s.inferences[0].total[1]).toBe(1);
  });

  it('refuses a hit count that does not match the driver sequence, and unequal calibration intervals', () => {
    expect(() => splitInferences(report, 3, 1)).toThrow(/7 marker hits, expected 8/);
    const bad: PluginReport = { ...report, marks: [row(10), row(12), row(15), ...report.marks.slice(3)] };
    expect(() => splitInferences(bad, 2, 1)).toThrow(/calibration intervals differ/);
  });

  it('estimates M4 cycles as base + P per taken branch + division cost, with a range', () => {
    const e = estimateM4Cycles(columns, [100, 2, 120, 10]);
    expect([e.low, e.cycles, e.high]).toEqual([120 + 10 + 4, 120 + 20 + 14, 120 + 30 + 24]);
  });
});

const MAP = `Archive member included to satisfy reference by file (symbol)

/lib/libc.a(lib_a-memcpy.o)
                              build/runner/dw.o (memcpy)
/work/libcmsisnn.a(arm_a.o)   build/runner/peer.o (arm_a)

Discarded input sections

 .text.unused   0x00000000       0x40 build/runner/dw.o

Memory Configuration

Linker script and memory map

LOAD build/runner/dw.o
.text           0x00000040      0x200
 *(.text*)
 .text.kernel   0x00000040       0x80 build/runner/dw.o
                0x00000040                kernel
 .text.a_long_function_name
                0x000000c0       0x24 /work/libcmsisnn.a(arm_a.o)
 *fill*         0x000000e4        0x4
 .text          0x000000e8       0x30 /lib/libc.a(lib_a-memcpy.o)
.rodata         0x00001000      0x100
 .rodata.w      0x00001000       0xd8 build/runner/dw.o
.bss            0x20000000      0x400
 .bss.arena     0x20000000      0x400 build/runner/dw.o
`;

describe('parseLinkMap', () => {
  const map = parseLinkMap(MAP);
  it('reads the linked input sections (not the discarded ones) with their output section and file', () => {
    expect(map.sections.map((s) => [s.output, s.input, s.size, s.file])).toEqual([
      ['.text', '.text.kernel', 0x80, 'build/runner/dw.o'],
      ['.text', '.text.a_long_function_name', 0x24, '/work/libcmsisnn.a(arm_a.o)'],
      ['.text', '.text', 0x30, '/lib/libc.a(lib_a-memcpy.o)'],
      ['.rodata', '.rodata.w', 0xd8, 'build/runner/dw.o'],
      ['.bss', '.bss.arena', 0x400, 'build/runner/dw.o'],
    ]);
  });
  it('sums by kind for the selected files and lists the library members they pulled in', () => {
    const mine = (f: string) => f.startsWith('build/') || f.startsWith('/work/libcmsisnn.a(');
    expect(sizeOf(map, mine)).toEqual({ code: 0x80 + 0x24, rodata: 0xd8, data: 0, bss: 0x400 });
    expect(libraryHelpers(map, mine)).toEqual([{ member: '/lib/libc.a(lib_a-memcpy.o)', symbol: 'memcpy', code: 0x30 }]);
  });
});

describe('worstCaseStack', () => {
  it('takes the deepest path over the call graph, library leaves from their disassembly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-stack-'));
    try {
      // model.c: model_run (8) -> run (40) -> conv (100) | dw (200 -> memcpy)
      writeFileSync(join(dir, 'model.ci'), [
        'graph: { title: "model.c"',
        'node: { title: "model.c:model_run" label: "model_run\\nmodel.c:1:1\\n8 bytes (static)" }',
        'node: { title: "model.c:run" label: "run\\nmodel.c:2:1\\n40 bytes (static)" }',
        'edge: { sourcename: "model.c:model_run" targetname: "model.c:run" label: "model.c:1:9" }',
        'node: { title: "conv" label: "conv\\nk.h:1:1" shape : ellipse }',
        'edge: { sourcename: "model.c:run" targetname: "conv" label: "model.c:2:9" }',
        'node: { title: "dw" label: "dw\\nk.h:2:1" shape : ellipse }',
        'edge: { sourcename: "model.c:run" targetname: "dw" label: "model.c:2:19" }',
      ].join('\n'));
      writeFileSync(join(dir, 'k.ci'), [
        'node: { title: "k.c:conv" label: "conv\\nk.c:1:1\\n100 bytes (static)" }',
        'node: { title: "k.c:dw" label: "dw\\nk.c:9:1\\n200 bytes (dynamic,bounded)" }',
        'node: { title: "memcpy" label: "memcpy\\nstring.h:1:1" shape : ellipse }',
        'edge: { sourcename: "k.c:dw" targetname: "memcpy" label: "k.c:9:9" }',
      ].join('\n'));
      const objdump = '00001000 <memcpy>:\n    1000:\tb570      \tpush\t{r4, r5, r6, lr}\n    1002:\tb082      \tsub\tsp, #8\n';
      expect(prologueFrames(objdump, new Set(['memcpy'])).get('memcpy')).toBe(24);
      const r = worstCaseStack([join(dir, 'model.ci'), join(dir, 'k.ci')], 'model_run', objdump);
      expect(r.bytes).toBe(8 + 40 + 200 + 24);
      expect(r.path.map((p) => p.name)).toEqual(['model_run', 'run', 'dw', 'memcpy']);
      expect(r.dynamic).toEqual(['dw (dynamic,bounded)']);
      expect(r.fromDisassembly).toEqual(['memcpy']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
