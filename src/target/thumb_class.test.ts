/**
 * The plugin's instruction classifier (qemu_plugin/thumb_class.h, compiled here into a host tool)
 * against arm-none-eabi-objdump's disassembly of real code: CMSIS-NN kernels built for ARMv6-M
 * (cortex-m0plus), ARMv7E-M with DSP (cortex-m4) and ARMv8.1-M with MVE (cortex-m55), plus the
 * board start-up code. Every instruction's class must match the one its mnemonic implies.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { board, BOARDS_DIR, type Cpu } from './boards.js';
import { CMSIS_NN_SOURCES, cmsisNnDir } from './cmsis_nn_lib.js';
import { compileAll } from './cross_build.js';
import { PLUGIN_DIR } from './plugin.js';
import { announceSkip, missingShared, missingTools, timed } from './testing.js';
import { runSync } from './tools.js';

const skip = missingShared() ?? missingTools(['arm-none-eabi-gcc', 'arm-none-eabi-objdump', 'gcc']);
announceSkip('Thumb instruction classifier against objdump', skip);

const TOOL = `#include <stdio.h>
#include "thumb_class.h"
int main(void)
{
    unsigned a, b;
    char line[64];
    while (fgets(line, sizeof line, stdin)) {
        int n = sscanf(line, "%x %x", &a, &b);
        unsigned char bytes[4] = { (unsigned char)a, (unsigned char)(a >> 8), (unsigned char)b, (unsigned char)(b >> 8) };
        insn_info r = thumb_classify(bytes, thumb_length(bytes));
        if ((n == 2) != (thumb_length(bytes) == 4)) return 2;
        printf("%s %d %d\\n", insn_class_names[r.cls], r.nregs, r.writes_pc);
    }
    return 0;
}
`;

const COND = '(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al)?';

/** The class an objdump mnemonic (and its operands) implies. */
export function expectedClass(mnemonic: string, operands: string): string {
  const m = mnemonic.toLowerCase().replace(/\.[wn]$/, '');
  const is = (re: string) => new RegExp(`^(?:${re})${COND}$`).test(m);
  if (/^it[te]{0,3}$/.test(m)) return 'it';
  if (m === 'nop' && operands.includes('mov r8, r8')) return 'alu'; // the ARMv6-M padding NOP is a MOV
  if (m.startsWith('v')) {
    if (/^vld[24]/.test(m) || (/^vldr[bhwd]/.test(m) && operands.includes('q'))) return 'vec_load';
    if (/^vst[24]/.test(m) || (/^vstr[bhwd]/.test(m) && operands.includes('q'))) return 'vec_store';
    // Lane moves (VMOV Rt, Dn[x] / Qn[x]) and VDUP: vector-register traffic, in MVE code.
    if (/^(vctp|vpst|vpt|vpsel|vdup)/.test(m) || /\bq\d/.test(operands) || /\bd\d+\[\d\]/.test(operands)) return 'vec';
    return 'fp';
  }
  if (/^b(eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le)$/.test(m) || /^(cbz|cbnz|le|letp|wls|wlstp)(\.\d+)?$/.test(m)) return 'branch_cond';
  if (/^(dls|dlstp|lctp)(\.\d+)?$/.test(m)) return 'alu';
  if (is('b|bl|blx|bx|tbb|tbh')) return 'branch';
  if (is('pop|ldm|ldmia|ldmdb|ldmfd')) return 'load_multi';
  if (is('push|stm|stmia|stmdb|stmea')) return 'store_multi';
  if (is('ldrd')) return 'load_dual';
  if (is('strd')) return 'store_dual';
  if (is('pld|pldw|pli')) return 'system';
  if (is('ldr|ldrb|ldrh|ldrsb|ldrsh|ldrex|ldrexb|ldrexh|ldrt|ldrbt|ldrht|ldrsbt|ldrsht')) return 'load';
  if (is('str|strb|strh|strex|strexb|strexh|strt|strbt|strht')) return 'store';
  if (is('sdiv|udiv')) return 'div';
  if (is('smull|umull|smlal\\w*|umlal|umaal|smlsld\\w*')) return 'mul_long';
  if (is('muls?|mla|mls|smla\\w+|smul\\w+|smmul\\w*|smmla\\w*|smmls\\w*|smuad\\w*|smusd\\w*|smlsd\\w*|usada?8')) return 'mul';
  if (is('nop|yield|wfe|wfi|sev|dsb|dmb|isb|bkpt|svc|udf|msr|mrs|cpsid|cpsie|clrex')) return 'system';
  return 'alu';
}

describe.skipIf(skip !== null)('Thumb classifier (thumb_class.h) against objdump', () => {
  let work: string;
  let tool: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-thumb-'));
    writeFileSync(join(work, 'tool.c'), TOOL);
    tool = join(work, 'tool');
    runSync('gcc', ['-O2', '-std=c99', '-Wall', '-Werror', `-I${PLUGIN_DIR}`, join(work, 'tool.c'), '-o', tool], 'gcc (classifier tool)');
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const sources = ['arm_nn_mat_mult_nt_t_s8', 'arm_nn_vec_mat_mult_t_per_ch_s8', 'arm_depthwise_conv_3x3_s8', 'arm_depthwise_conv_s8_opt', 'arm_convolve_s8', 'arm_avgpool_s8', 'arm_vector_sum_s8', 'arm_nn_mat_mult_kernel_s8_s16'];

  for (const cpu of ['cortex-m0plus', 'cortex-m4', 'cortex-m55'] as Cpu[]) {
    it(`classifies every instruction of CMSIS-NN kernels and the start-up code built for ${cpu}`, async () => {
      const b = board(cpu);
      const root = cmsisNnDir();
      const files = CMSIS_NN_SOURCES.filter((s) => sources.some((n) => s.endsWith(`/${n}.c`))).map((s) => join(root, 'Source', s));
      const jobs = [...files, join(BOARDS_DIR, 'startup.c')].map((source, i) => ({ source, object: join(work, cpu, `${i}.o`), includes: [join(root, 'Include')] }));
      const objects = await timed(`compile ${jobs.length} files for ${cpu}`, () => compileAll(b, jobs));
      const rows: { hex: string; mnemonic: string; operands: string }[] = [];
      for (const o of objects) {
        const dis = runSync('arm-none-eabi-objdump', ['-d', '-m', b.objdumpArch, o], 'objdump');
        for (const line of dis.split('\n')) {
          const m = /^\s+[0-9a-f]+:\t([0-9a-f]{4})(?: ([0-9a-f]{4}))?\s*\t(\S+)\s*(.*)$/.exec(line);
          if (m && !m[3].startsWith('.')) rows.push({ hex: m[2] ? `${m[1]} ${m[2]}` : m[1], mnemonic: m[3], operands: m[4] });
        }
      }
      const out = runSync(tool, [], 'classifier tool', { input: rows.map((r) => r.hex).join('\n') + '\n' });
      const got = out.trim().split('\n').map((l) => l.split(' ')[0]);
      expect(got).toHaveLength(rows.length);
      const wrong = rows.map((r, i) => ({ ...r, got: got[i], want: expectedClass(r.mnemonic, r.operands) })).filter((r) => r.got !== r.want);
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(rows.length).toBeGreaterThan(500);
      if (cpu === 'cortex-m55') expect(got.filter((c) => c === 'vec_load').length).toBeGreaterThan(20);
      if (cpu === 'cortex-m4') expect(got.filter((c) => c === 'mul').length).toBeGreaterThan(20);
    }, 60_000);
  }
});
