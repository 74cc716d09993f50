/*
 * insn_count.c - QEMU TCG plugin (API v1, QEMU 7.2) that counts executed guest instructions
 * exactly and snapshots the counters each time a marker function is entered.
 *
 *   qemu-system-arm ... -plugin insn_count.so,marker=0x<addr>,out=<file>
 *
 * How it counts: at translation every instruction of a translation block (TB) is classified
 * (thumb_class.h) and the block's totals are precomputed; one execution callback per TB then
 * adds them. QEMU ends a TB at every branch, so a TB runs from its first instruction to its last
 * unless an exception interrupts it (none happens in the benchmark programs: no faults, no
 * interrupts enabled; the semihosting BKPT ends its TB). The count is therefore exact, and it is
 * checked against hand-counted programs in insn_count.test.ts.
 *
 * Markers: `marker` is the address of a function (from arm-none-eabi-nm, Thumb bit ignored).
 * Because it is entered by BL, its first instruction always starts a TB; each time that TB
 * executes, a line with the counters accumulated so far (instructions executed before the
 * marker's first instruction) is written to `out`. A marker reached by falling into it (in the
 * middle of a TB) is reported as an error line instead.
 *
 * Taken branches: a TB that ends with an instruction that may write the PC was "taken" when the
 * next executed TB does not start right after it (vaddr + size), else "not taken".
 *
 * Output (text): a header naming the columns, one "mark" line per marker hit, one "end" line at
 * exit; columns: instructions, one count per instruction class, LDM/STM/PUSH/POP registers,
 * Cortex-M4 base cycles, taken / not-taken branches, taken / not-taken conditional branches.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qemu_plugin_v1.h"
#include "thumb_class.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

/* What one execution of a TB adds to the counters (computed once, at translation). */
typedef struct tb_summary {
    uint64_t vaddr;           /* first instruction */
    uint64_t end;             /* address right after the last instruction */
    uint32_t insns;
    uint32_t cls[IC_COUNT];
    uint32_t regs;            /* registers moved by LDM/STM/PUSH/POP */
    uint32_t m4;              /* Cortex-M4 base cycles, in-block load pipelining applied */
    uint8_t last_writes_pc;   /* the last instruction may transfer control */
    uint8_t last_cond;        /* ... and it is a conditional branch */
    uint8_t marker;           /* the first instruction is the marker's */
} tb_summary;

typedef struct counters {
    uint64_t insns;
    uint64_t cls[IC_COUNT];
    uint64_t regs;
    uint64_t m4;
    uint64_t taken, not_taken;
    uint64_t cond_taken, cond_not_taken;
} counters;

static counters total;
static const tb_summary *previous; /* the TB executed last */
static uint64_t marker_addr = UINT64_MAX;
static FILE *out;
static uint64_t marks;
static int errors;

static void write_line(const char *tag)
{
    int k;
    fprintf(out, "%s %" PRIu64, tag, total.insns);
    for (k = 0; k < IC_COUNT; ++k) {
        fprintf(out, " %" PRIu64, total.cls[k]);
    }
    fprintf(out, " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", total.regs, total.m4,
            total.taken, total.not_taken, total.cond_taken, total.cond_not_taken);
}

static void tb_exec(unsigned int vcpu_index, void *userdata)
{
    const tb_summary *t = (const tb_summary *)userdata;
    int k;
    (void)vcpu_index;
    if (previous != NULL && previous->last_writes_pc) {
        const int taken = t->vaddr != previous->end;
        if (taken) {
            total.taken++;
        } else {
            total.not_taken++;
        }
        if (previous->last_cond) {
            if (taken) {
                total.cond_taken++;
            } else {
                total.cond_not_taken++;
            }
        }
    }
    if (t->marker) {
        write_line("mark");
        marks++;
    }
    total.insns += t->insns;
    for (k = 0; k < IC_COUNT; ++k) {
        total.cls[k] += t->cls[k];
    }
    total.regs += t->regs;
    total.m4 += t->m4;
    previous = t;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    const size_t n = qemu_plugin_tb_n_insns(tb);
    tb_summary *t = (tb_summary *)calloc(1, sizeof *t);
    insn_info prev_info;
    size_t i;
    (void)id;
    if (t == NULL) {
        fprintf(stderr, "insn_count: out of memory\n");
        exit(1);
    }
    t->insns = (uint32_t)n;
    prev_info = thumb_info(IC_ALU, 1);
    for (i = 0; i < n; ++i) {
        const struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        const uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
        const uint8_t *data = (const uint8_t *)qemu_plugin_insn_data(insn);
        /* The length comes from the first halfword, not qemu_plugin_insn_size(): QEMU 7.2's Thumb
         * translator peeks at the next halfword when an instruction ends within 3 bytes of a (1 KiB,
         * M-profile) page end, and that read is appended to the instruction's plugin data, so a
         * 16-bit instruction there reports size 4. */
        const unsigned size = thumb_length(data);
        insn_info info;
        if (qemu_plugin_insn_size(insn) < size) {
            fprintf(stderr, "insn_count: short instruction data at 0x%" PRIx64 "\n", vaddr);
            exit(1);
        }
        info = thumb_classify(data, size);
        /* Cortex-M4 TRM 3.3.2: a load, or a register-offset store, right after a single load costs one
         * cycle less, unless its address uses the register that load wrote. */
        if ((info.cls == IC_LOAD || (info.cls == IC_STORE && info.reg_offset)) && prev_info.cls == IC_LOAD &&
            prev_info.rt >= 0 && prev_info.rt != info.rn && prev_info.rt != info.rm && info.m4 > 1) {
            info.m4 = (uint8_t)(info.m4 - 1);
        }
        if (i == 0) {
            t->vaddr = vaddr;
            t->marker = vaddr == marker_addr;
        } else if (vaddr == marker_addr) {
            fprintf(out, "error marker 0x%" PRIx64 " inside a translation block starting at 0x%" PRIx64 "\n", vaddr,
                    t->vaddr);
            errors++;
        }
        t->cls[info.cls]++;
        t->regs += info.nregs;
        t->m4 += info.m4;
        if (i + 1 == n) {
            t->end = vaddr + size;
            t->last_writes_pc = info.writes_pc;
            t->last_cond = info.cls == IC_BRANCH_COND;
        }
        prev_info = info;
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS, t);
}

static void at_exit(qemu_plugin_id_t id, void *userdata)
{
    (void)id;
    (void)userdata;
    write_line("end");
    fprintf(out, "marks %" PRIu64 " errors %d\n", marks, errors);
    fclose(out);
    out = NULL;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    const char *path = NULL;
    int i, k;
    if (info->system_emulation && info->system.max_vcpus > 1) {
        fprintf(stderr, "insn_count: one vCPU only\n");
        return 1;
    }
    for (i = 0; i < argc; ++i) {
        if (strncmp(argv[i], "marker=", 7) == 0) {
            marker_addr = strtoull(argv[i] + 7, NULL, 0) & ~(uint64_t)1; /* drop the Thumb bit */
        } else if (strncmp(argv[i], "out=", 4) == 0) {
            path = argv[i] + 4;
        } else {
            fprintf(stderr, "insn_count: unknown argument '%s' (marker=ADDR, out=FILE)\n", argv[i]);
            return 1;
        }
    }
    if (path == NULL) {
        fprintf(stderr, "insn_count: out=FILE is required\n");
        return 1;
    }
    out = fopen(path, "w");
    if (out == NULL) {
        fprintf(stderr, "insn_count: cannot write %s\n", path);
        return 1;
    }
    fprintf(out, "columns insns");
    for (k = 0; k < IC_COUNT; ++k) {
        fprintf(out, " %s", insn_class_names[k]);
    }
    fprintf(out, " regs m4_base taken not_taken cond_taken cond_not_taken\n");
    qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}
