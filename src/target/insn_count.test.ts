/**
 * The QEMU plugin on a program small enough to count by hand (Cortex-M4 machine, bare assembly,
 * no C library): the executed-instruction counts between marker hits must be exact, and so must
 * the instruction classes, branch outcomes and Cortex-M4 base cycles derived for each stretch.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { symbolAddress } from './cross_build.js';
import { buildPlugin, runQemu, type PluginReport } from './plugin.js';
import { announceSkip, missingTools, timed } from './testing.js';
import { runSync } from './tools.js';

const skip = missingTools(['arm-none-eabi-gcc', 'arm-none-eabi-nm', 'qemu-system-arm', 'gcc']);
announceSkip('QEMU instruction-count plugin', skip);

/*
 * Hand count (instructions executed before each hit of `mark`, whose only instruction is BX LR):
 *   hit 0:  BL mark                                                                 = 1
 *   hit 1:  + BX LR, MOVS, 10 x (SUBS, BNE), BL                                     = 1 + 23 = 24
 *   hit 2:  + BX LR, LDR (literal), LDR, LDR, LDMIA {4}, PUSH {2}, POP {2}, MULS, SMULL, SDIV,
 *             CMP, IT, MOVEQ, B (skips the NOP), BL                                 = 24 + 15 = 39
 *   hit 3:  + BX LR, BL far, ADDS, ADDS, MOVS, ADDS (0x3f8..0x3fe; QEMU 7.2 reports the MOVS at
 *             0x3fc, within 3 bytes of the 1 KiB page end, with 4 bytes of data: read as one
 *             32-bit instruction it would decode as a system instruction), ADD.W (0x400, next
 *             page), BX LR, BL                                                       = 39 + 9 = 48
 *   exit:   + BX LR, MOVS, LDR (literal), BKPT                                      = 48 + 4 = 52
 */
const PROGRAM = `
    .syntax unified
    .thumb
    .section .isr_vector, "a"
    .word 0x20010000
    .word _start
    .text
    .thumb_func
    .global _start
_start:
    bl mark
    movs r0, #10
1:  subs r0, #1
    bne 1b
    bl mark
    ldr r2, =data
    ldr r3, [r2]
    ldr r4, [r2, #4]
    ldmia r2!, {r3-r6}
    push {r4, r5}
    pop {r4, r5}
    muls r3, r4, r3
    smull r3, r4, r5, r6
    sdiv r3, r4, r5
    cmp r0, #0
    it eq
    moveq r1, #1
    b 2f
    nop
2:  bl mark
    bl far
    bl mark
    movs r0, #0x18
    ldr r1, =0x20026
    bkpt 0xab
    .thumb_func
mark:
    bx lr
    .align 2
data: .word 1, 2, 3, 4
    .ltorg

    .section .far, "ax"
    .thumb_func
far:
    adds r0, r0, #1
    adds r0, r0, #1
    movs r1, #255
    adds r0, r0, #1
    add.w r0, r0, #1
    bx lr
`;
const LINKER = 'SECTIONS { . = 0; .isr_vector : { KEEP(*(.isr_vector)) } .text 0x40 : { *(.text*) } .far 0x3f8 : { *(.far) } }\n';

describe.skipIf(skip !== null)('insn_count plugin on a hand-counted program', () => {
  let work: string;
  let report: PluginReport;
  const col = (name: string) => report.columns.indexOf(name);
  /** Counter deltas between marker hits a and b (b = -1: the end of the program). */
  const delta = (a: number, b: number) => {
    const to = b < 0 ? report.end : report.marks[b];
    return Object.fromEntries(report.columns.map((c, i) => [c, to[i] - report.marks[a][i]]));
  };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-plugin-'));
    writeFileSync(join(work, 'p.S'), PROGRAM);
    writeFileSync(join(work, 'p.ld'), LINKER);
    const elf = join(work, 'p.elf');
    runSync('arm-none-eabi-gcc', ['-mcpu=cortex-m4', '-mthumb', '-nostdlib', '-T', join(work, 'p.ld'), join(work, 'p.S'), '-o', elf], 'assemble');
    const plugin = buildPlugin(work);
    const marker = await symbolAddress(elf, 'mark');
    expect(await symbolAddress(elf, 'far')).toBe(0x3f8);
    const run = await timed('plugin test program under QEMU', () => runQemu({ machine: 'mps2-an386', elf, plugin, marker, reportFile: join(work, 'counts.txt'), timeoutMs: 30_000 }));
    report = run.report!;
  }, 60_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('counts executed instructions exactly', () => {
    expect(report.marks.map((m) => m[col('insns')])).toEqual([1, 24, 39, 48]);
    expect(report.end[col('insns')]).toBe(52);
  });

  it('classifies the loop and counts taken / not-taken branches', () => {
    const d = delta(0, 1);
    expect(d).toMatchObject({ insns: 23, alu: 11, branch: 2, branch_cond: 10, taken: 11, not_taken: 1, cond_taken: 9, cond_not_taken: 1 });
    expect(d.m4_base).toBe(23); // all single-cycle; the 11 taken branches add P each in the estimate
  });

  it('classifies loads, multiples, multiplies, division, IT; applies the M4 load pipelining rule', () => {
    const d = delta(1, 2);
    expect(d).toMatchObject({
      insns: 15, load: 3, load_multi: 2, store_multi: 1, regs: 4 + 2 + 2, mul: 1, mul_long: 1, div: 1, alu: 2, it: 1, branch: 3, taken: 3, not_taken: 0,
    });
    // BX 1, LDR literal 2, LDR via the just-loaded r2 2 (no pipelining), LDR 1 (pipelined),
    // LDMIA 1+4, PUSH 1+2, POP 1+2, MULS 1, SMULL 1, SDIV 0 (costed apart), CMP 1, IT 1, MOVEQ 1, B 1, BL 1
    expect(d.m4_base).toBe(1 + 2 + 2 + 1 + 5 + 3 + 3 + 1 + 1 + 0 + 1 + 1 + 1 + 1 + 1);
  });

  it('decodes 16-bit instructions at a page end by their encoding, not QEMU\'s reported size', () => {
    expect(delta(2, 3)).toMatchObject({ insns: 9, alu: 5, branch: 4, taken: 4, not_taken: 0, system: 0, vec: 0, fp: 0 });
  });

  it('counts the exit path', () => {
    expect(delta(3, -1)).toMatchObject({ insns: 4, alu: 1, load: 1, branch: 1, system: 1 });
  });
});
