/*
 * thumb_class.h - classifies one Thumb / Thumb-2 instruction (ARMv6-M, ARMv7-M with the DSP
 * extension, ARMv8.1-M with MVE and low-overhead loops) from its encoding, for the instruction
 * mix and the estimated Cortex-M4 cycle count that insn_count.c reports. Header-only so that a host
 * tool can run the very same code against arm-none-eabi-objdump's disassembly (thumb_class.test.ts).
 *
 * Encodings: ARMv7-M Architecture Reference Manual (DDI 0403E) chapter A5 "The Thumb Instruction
 * Set Encoding", ARMv8.1-M additions (DDI 0553) for LE/WLS/DLS/LCTP/VCTP/CLRM and the MVE space.
 * Only what the mix needs is decoded: the class, the register count of LDM/STM/PUSH/POP, whether
 * the instruction may write the PC, and the address/destination registers of single loads and
 * stores (for the Cortex-M4 load pipelining rule).
 *
 * Cortex-M4 base cycles (m4): Arm Cortex-M4 Processor Technical Reference Manual r0p1
 * (DDI 0439B) Table 3-1 "Cortex-M4 instruction set summary" and section 3.3.2 "Load/store timings"
 * (also reproduced as Table 3-25 of TI SWCU192):
 *   ALU, shifts, logic, compare, extend, bit field, saturate, SIMD/DSP ...... 1
 *   MUL, MLA, MLS, SMULL, UMULL, SMLAL, UMLAL, SMLAD, SMLABB, SMUAD ... ...... 1
 *   SDIV, UDIV .............................................................. 2 to 12 (m4 = 0 here;
 *                                                  the divisions are counted and costed by the caller)
 *   LDR/LDRB/LDRH/LDRSB/LDRSH ............................................... 2 (1 when pipelined
 *                                                  after a preceding single load, see insn_count.c)
 *   STR/STRB/STRH with immediate offset ..................................... 1 ("always one cycle")
 *   STR/STRB/STRH with register offset ...................................... 2 (1 after a load)
 *   LDRD, STRD .............................................................. 1 + N = 3
 *   LDM, STM, PUSH, POP ..................................................... 1 + N (N registers)
 *   B, BL, BX, BLX, POP {pc}, LDR pc, MOV pc ................................ base + P when taken
 *   B<cond>, CBZ, CBNZ ...................................................... 1, or 1 + P if taken
 *   TBB, TBH ................................................................ 2 + P
 *   IT ...................................................................... 1 (may fold to 0)
 * P (pipeline refill, 1 to 3 cycles) is added by the caller for every taken branch.
 * MVE and floating-point instructions get m4 = 1: the estimate is only meaningful for code built
 * for the Cortex-M4, which contains neither.
 */
#ifndef THUMB_CLASS_H
#define THUMB_CLASS_H

#include <stdint.h>

enum insn_class {
    IC_ALU,         /* data processing, moves, compares, extends, DSP SIMD add/sub, saturate */
    IC_MUL,         /* 32-bit result multiplies and MACs: MUL, MLA, MLS, SMLAD, SMLABB, SMUAD, SMMUL ... */
    IC_MUL_LONG,    /* 64-bit result: SMULL, UMULL, SMLAL, UMLAL, SMLALD, UMAAL ... */
    IC_DIV,         /* SDIV, UDIV */
    IC_LOAD,        /* single loads: LDR, LDRB, LDRH, LDRSB, LDRSH, LDREX, literal loads */
    IC_STORE,       /* single stores: STR, STRB, STRH, STREX */
    IC_LOAD_DUAL,   /* LDRD */
    IC_STORE_DUAL,  /* STRD */
    IC_LOAD_MULTI,  /* LDM, POP */
    IC_STORE_MULTI, /* STM, PUSH */
    IC_BRANCH,      /* B, BL, BX, BLX, TBB, TBH, MOV/ADD pc */
    IC_BRANCH_COND, /* B<cond>, CBZ, CBNZ, WLS, WLSTP, LE, LETP */
    IC_IT,          /* IT */
    IC_VEC_LOAD,    /* MVE loads (VLDRB/H/W, VLD2/4, gathers) */
    IC_VEC_STORE,   /* MVE stores */
    IC_VEC,         /* MVE data processing, VPT/VPST, VCTP */
    IC_FP,          /* scalar floating point and core <-> FP/MVE lane moves */
    IC_SYSTEM,      /* NOP and hints, barriers, MSR/MRS, CPS, BKPT, SVC, UDF, PLD */
    IC_COUNT
};

static const char *const insn_class_names[IC_COUNT] = {
    "alu", "mul", "mul_long", "div", "load", "store", "load_dual", "store_dual", "load_multi",
    "store_multi", "branch", "branch_cond", "it", "vec_load", "vec_store", "vec", "fp", "system",
};

typedef struct {
    uint8_t cls;       /* enum insn_class */
    uint8_t nregs;     /* registers moved by LDM/STM/PUSH/POP (PC and LR included) */
    uint8_t writes_pc; /* may transfer control: taken or not is seen from the next executed address */
    uint8_t m4;        /* Cortex-M4 base cycles (see the table above) */
    uint8_t reg_offset; /* single store/load with a register offset */
    int8_t rt;         /* single load/store: transfer register, else -1 */
    int8_t rn, rm;     /* single load/store: base and offset registers, else -1 */
} insn_info;

static inline int thumb_popcount16(uint32_t x)
{
    int n = 0;
    x &= 0xFFFFu;
    while (x) {
        n += (int)(x & 1u);
        x >>= 1;
    }
    return n;
}

static inline insn_info thumb_info(uint8_t cls, int m4)
{
    insn_info r;
    r.cls = cls;
    r.nregs = 0;
    r.writes_pc = 0;
    r.m4 = (uint8_t)m4;
    r.reg_offset = 0;
    r.rt = -1;
    r.rn = -1;
    r.rm = -1;
    return r;
}

static inline insn_info thumb_ldst(uint8_t cls, int rt, int rn, int rm)
{
    insn_info r = thumb_info(cls, 2);
    r.rt = (int8_t)rt;
    r.rn = (int8_t)rn;
    r.rm = (int8_t)rm;
    r.reg_offset = rm >= 0;
    if (cls == IC_STORE && rm < 0) {
        r.m4 = 1; /* "STR Rx,[Ry,#imm] is always one cycle" (write buffer) */
    }
    if (cls == IC_LOAD && rt == 15) {
        r.writes_pc = 1; /* LDR pc: 2 + P */
    }
    return r;
}

static inline insn_info thumb_multi(uint8_t cls, uint32_t reglist)
{
    insn_info r = thumb_info(cls, 0);
    r.nregs = (uint8_t)thumb_popcount16(reglist);
    r.m4 = (uint8_t)(1 + r.nregs);
    r.writes_pc = cls == IC_LOAD_MULTI && (reglist & 0x8000u) != 0;
    return r;
}

/* Coprocessor space (hw1 = 0xEC00..0xEFFF or 0xFC00..0xFFFF): scalar FP (coprocessor 9/10/11) or MVE. */
static inline insn_info thumb_class_cp(uint32_t hw1, uint32_t hw2)
{
    const uint32_t coproc = (hw2 >> 8) & 0xFu;
    const int fp = coproc == 0x9u || coproc == 0xAu || coproc == 0xBu;
    if ((hw1 & 0x0E00u) == 0x0C00u) { /* 111x 110x: load/store space */
        if (fp) {
            return thumb_info(IC_FP, 1);
        }
        return thumb_info((hw1 & 0x0010u) ? IC_VEC_LOAD : IC_VEC_STORE, 1);
    }
    if (fp && (hw1 & 0xFF00u) == 0xEE00u) {
        /* Coprocessor 11 with bit 4 set: VMOV to/from a vector lane and VDUP (MVE; also the VFP
         * D-register lane moves, absent from integer code). */
        if (coproc == 0xBu && (hw2 & 0x0010u) != 0u) {
            return thumb_info(IC_VEC, 1);
        }
        return thumb_info(IC_FP, 1);
    }
    return thumb_info(IC_VEC, 1);
}

static inline insn_info thumb_class16(uint32_t hw)
{
    const uint32_t op = hw >> 10;
    if ((hw >> 14) == 0) {
        return thumb_info(IC_ALU, 1); /* shift, add, subtract, move, compare (immediate) */
    }
    if (op == 0x10) { /* data processing (register) */
        return thumb_info(((hw >> 6) & 0xFu) == 0xDu ? IC_MUL : IC_ALU, 1);
    }
    if (op == 0x11) { /* special data processing, branch and exchange */
        const uint32_t op2 = (hw >> 6) & 0xFu;
        if ((op2 & 0xCu) == 0xCu) { /* BX, BLX */
            insn_info r = thumb_info(IC_BRANCH, 1);
            r.writes_pc = 1;
            return r;
        }
        if ((op2 & 0xCu) == 0x0u || (op2 & 0xCu) == 0x8u) { /* ADD / MOV high registers */
            const uint32_t rd = ((hw >> 4) & 0x8u) | (hw & 0x7u);
            if (rd == 15u) {
                insn_info r = thumb_info(IC_BRANCH, 1);
                r.writes_pc = 1;
                return r;
            }
        }
        return thumb_info(IC_ALU, 1);
    }
    if ((hw >> 11) == 0x09) { /* LDR literal */
        return thumb_ldst(IC_LOAD, (int)((hw >> 8) & 7u), 15, -1);
    }
    if ((hw >> 12) == 0x5) { /* load/store register offset */
        const uint32_t opb = (hw >> 9) & 7u;
        return thumb_ldst(opb < 3 ? IC_STORE : IC_LOAD, (int)(hw & 7u), (int)((hw >> 3) & 7u), (int)((hw >> 6) & 7u));
    }
    if ((hw >> 13) == 0x3 || (hw >> 12) == 0x8) { /* STR/LDR(B) immediate, STRH/LDRH immediate */
        return thumb_ldst((hw & 0x0800u) ? IC_LOAD : IC_STORE, (int)(hw & 7u), (int)((hw >> 3) & 7u), -1);
    }
    if ((hw >> 12) == 0x9) { /* STR/LDR SP-relative */
        return thumb_ldst((hw & 0x0800u) ? IC_LOAD : IC_STORE, (int)((hw >> 8) & 7u), 13, -1);
    }
    if ((hw >> 12) == 0xA) {
        return thumb_info(IC_ALU, 1); /* ADR, ADD Rd, SP, #imm */
    }
    if ((hw >> 12) == 0xB) { /* miscellaneous 16-bit */
        if ((hw & 0xF500u) == 0xB100u) { /* CBZ, CBNZ */
            insn_info r = thumb_info(IC_BRANCH_COND, 1);
            r.writes_pc = 1;
            return r;
        }
        if ((hw & 0xFE00u) == 0xB400u) {
            return thumb_multi(IC_STORE_MULTI, (hw & 0xFFu) | ((hw & 0x100u) ? 0x4000u : 0u)); /* PUSH {.., lr} */
        }
        if ((hw & 0xFE00u) == 0xBC00u) {
            return thumb_multi(IC_LOAD_MULTI, (hw & 0xFFu) | ((hw & 0x100u) ? 0x8000u : 0u)); /* POP {.., pc} */
        }
        if ((hw & 0xFF00u) == 0xBE00u || (hw & 0xFFE0u) == 0xB660u) {
            return thumb_info(IC_SYSTEM, 1); /* BKPT, CPS */
        }
        if ((hw & 0xFF00u) == 0xBF00u) {
            return thumb_info((hw & 0xFu) ? IC_IT : IC_SYSTEM, 1); /* IT, or NOP/YIELD/WFE/WFI/SEV */
        }
        return thumb_info(IC_ALU, 1); /* ADD/SUB SP, SXTH, SXTB, UXTH, UXTB, REV, REV16, REVSH */
    }
    if ((hw >> 11) == 0x18) {
        return thumb_multi(IC_STORE_MULTI, hw & 0xFFu); /* STM */
    }
    if ((hw >> 11) == 0x19) {
        return thumb_multi(IC_LOAD_MULTI, hw & 0xFFu); /* LDM */
    }
    if ((hw >> 12) == 0xD) {
        const uint32_t cond = (hw >> 8) & 0xFu;
        if (cond >= 0xEu) {
            return thumb_info(IC_SYSTEM, 1); /* UDF, SVC */
        }
        {
            insn_info r = thumb_info(IC_BRANCH_COND, 1);
            r.writes_pc = 1;
            return r;
        }
    }
    { /* 11100: B (unconditional) */
        insn_info r = thumb_info(IC_BRANCH, 1);
        r.writes_pc = 1;
        return r;
    }
}

static inline insn_info thumb_class32(uint32_t hw1, uint32_t hw2)
{
    const uint32_t op1 = (hw1 >> 11) & 3u;
    const uint32_t op2 = (hw1 >> 4) & 0x7Fu;
    if (op1 == 1u) {
        if ((op2 & 0x64u) == 0x00u) { /* load/store multiple */
            if (hw1 == 0xE89Fu) {
                return thumb_info(IC_ALU, 1); /* CLRM (ARMv8.1-M) */
            }
            return thumb_multi((hw1 & 0x0010u) ? IC_LOAD_MULTI : IC_STORE_MULTI, hw2);
        }
        if ((op2 & 0x64u) == 0x04u) { /* load/store dual or exclusive, table branch */
            const uint32_t a = (hw1 >> 7) & 3u, b = (hw1 >> 4) & 3u, c = (hw2 >> 4) & 0xFu;
            const int rn = (int)(hw1 & 0xFu), rt = (int)((hw2 >> 12) & 0xFu);
            if (a == 0u && b == 0u) {
                return thumb_ldst(IC_STORE, rt, rn, -1); /* STREX (TT on ARMv8-M) */
            }
            if (a == 0u && b == 1u) {
                return thumb_ldst(IC_LOAD, rt, rn, -1); /* LDREX */
            }
            if (a == 1u && b == 1u && (c == 0u || c == 1u)) { /* TBB, TBH: 2 + P */
                insn_info r = thumb_info(IC_BRANCH, 2);
                r.writes_pc = 1;
                return r;
            }
            if (a == 1u && b <= 1u) {
                return thumb_ldst(b ? IC_LOAD : IC_STORE, rt, rn, -1); /* exclusive byte/halfword */
            }
            return thumb_info((hw1 & 0x0010u) ? IC_LOAD_DUAL : IC_STORE_DUAL, 3); /* LDRD, STRD */
        }
        if ((op2 & 0x60u) == 0x20u) {
            return thumb_info(IC_ALU, 1); /* data processing (shifted register) */
        }
        return thumb_class_cp(hw1, hw2);
    }
    if (op1 == 2u) {
        if ((hw2 & 0x8000u) == 0u) {
            return thumb_info(IC_ALU, 1); /* data processing (modified or plain immediate) */
        }
        {
            const uint32_t k = (hw2 >> 12) & 5u; /* bits 14 and 12 */
            if (k == 0u) {
                if (((hw1 >> 7) & 7u) != 7u) {
                    insn_info r = thumb_info(IC_BRANCH_COND, 1); /* B<cond>.W */
                    r.writes_pc = 1;
                    return r;
                }
                return thumb_info(IC_SYSTEM, 1); /* MSR, MRS, hints, barriers, UDF.W */
            }
            if (k == 1u || k == 5u) {
                insn_info r = thumb_info(IC_BRANCH, 1); /* B.W, BL */
                r.writes_pc = 1;
                return r;
            }
            /* k == 4: ARMv8.1-M low-overhead loops and VCTP (BLX immediate does not exist on M) */
            if (hw2 == 0xE801u) {
                return thumb_info(IC_VEC, 1); /* VCTP */
            }
            if ((hw2 & 0xF001u) == 0xE001u) {
                return thumb_info(IC_ALU, 1); /* DLS, DLSTP, LCTP: loop set-up */
            }
            if ((hw2 & 0xF001u) == 0xC001u) {
                insn_info r = thumb_info(IC_BRANCH_COND, 1); /* LE, LETP (Rn = 1111), WLS, WLSTP */
                r.writes_pc = 1;
                return r;
            }
            return thumb_info(IC_BRANCH, 1); /* BF, BFX, BFL, BFLX, BFCSEL: branch future hints */
        }
    }
    /* op1 == 3 */
    if ((op2 & 0x71u) == 0x00u) { /* store single data item */
        const int rn = (int)(hw1 & 0xFu), rt = (int)((hw2 >> 12) & 0xFu);
        const int reg = (hw1 & 0x0080u) == 0u && (hw2 & 0x0800u) == 0u;
        return thumb_ldst(IC_STORE, rt, rn, reg ? (int)(hw2 & 0xFu) : -1);
    }
    if ((op2 & 0x61u) == 0x01u && (op2 & 0x06u) != 0x06u) { /* load byte, halfword, word; PLD, PLI */
        const int rn = (int)(hw1 & 0xFu), rt = (int)((hw2 >> 12) & 0xFu);
        const int reg = (hw1 & 0x0080u) == 0u && rn != 15 && (hw2 & 0x0FC0u) == 0u;
        if (rt == 15 && (op2 & 0x06u) != 0x04u) {
            return thumb_info(IC_SYSTEM, 1); /* PLD, PLI */
        }
        return thumb_ldst(IC_LOAD, rt, rn, reg ? (int)(hw2 & 0xFu) : -1);
    }
    if ((op2 & 0x70u) == 0x20u) {
        return thumb_info(IC_ALU, 1); /* data processing (register), parallel add/sub, misc */
    }
    if ((op2 & 0x78u) == 0x30u) {
        return thumb_info(IC_MUL, 1); /* multiply, multiply accumulate, absolute difference */
    }
    if ((op2 & 0x78u) == 0x38u) { /* long multiply, long multiply accumulate, divide */
        const uint32_t a = (hw1 >> 4) & 7u, b = (hw2 >> 4) & 0xFu;
        if ((a == 1u || a == 3u) && b == 0xFu) {
            return thumb_info(IC_DIV, 0);
        }
        return thumb_info(IC_MUL_LONG, 1);
    }
    if ((op2 & 0x40u) == 0x40u) {
        return thumb_class_cp(hw1, hw2);
    }
    return thumb_info(IC_SYSTEM, 1); /* undefined in M profile */
}

/* Length in bytes of the Thumb instruction starting with these bytes: 32-bit when the first
 * halfword's top five bits are 11101, 11110 or 11111 (ARMv7-M ARM A5.1). */
static inline unsigned thumb_length(const uint8_t *bytes)
{
    const unsigned top5 = (unsigned)bytes[1] >> 3;
    return top5 >= 0x1Du ? 4u : 2u;
}

/* bytes: the instruction as fetched (little endian halfwords), size 2 or 4. */
static inline insn_info thumb_classify(const uint8_t *bytes, unsigned size)
{
    const uint32_t hw1 = (uint32_t)bytes[0] | ((uint32_t)bytes[1] << 8);
    if (size >= 4) {
        const uint32_t hw2 = (uint32_t)bytes[2] | ((uint32_t)bytes[3] << 8);
        return thumb_class32(hw1, hw2);
    }
    return thumb_class16(hw1);
}

#endif /* THUMB_CLASS_H */
