/*
 * onnx2mcu_arith.h - the integer requantization primitives (TFLite / CMSIS-NN "double rounding").
 *
 * Written once here and once in TypeScript (src/int8/arith.ts); the two agree bit for bit
 * (tested in src/runtime/runtime.test.ts on edge and random values).
 *
 *   srdhm(a, b)   = INT32_MAX if a == b == INT32_MIN, else (a*b + (a*b >= 0 ? 2^30 : 1 - 2^30)) / 2^31
 *                   in 64 bits, truncated toward zero.
 *   rdbpot(x, n)  = (x >> n) + ((x & mask) > threshold), mask = 2^n - 1,
 *                   threshold = (mask >> 1) + (x < 0).
 *   mbqm(acc, m, e) = rdbpot(srdhm(acc * 2^max(e, 0), m), max(-e, 0)).
 *
 * The kernels' fast path (onnx2mcu_requant) computes the same in fewer instructions where the
 * emitter proved the ranges it needs; see there.
 *
 * C99, no floating point. Right shifts of negative values are arithmetic on every compiler this
 * project targets (gcc, clang, arm-none-eabi-gcc); C99 leaves them implementation-defined, not undefined.
 */
#ifndef ONNX2MCU_ARITH_H
#define ONNX2MCU_ARITH_H

#include <stdint.h>

/*
 * The Arm DSP extension (Cortex-M4, M7, M33, M55: SMLAD, SXTB16, SMMULR) and Helium (MVE, the
 * M55's vector unit). Each kernel keeps a portable C path that the host and the Cortex-M0+/M3 run.
 *
 * The target paths' assembly is written for gcc with optimization (ONNX2MCU_ASM): blocks take up to
 * 14 registers, r7 among them, which gcc keeps as the frame pointer at -O0 and clang always
 * reserves. An unoptimized or clang build takes the portable paths (the same bytes, slower; Helium's
 * too: the kernels pair the Helium path with the DSP one). Builds that reserve a register
 * themselves (-fno-omit-frame-pointer, -ffixed-r9, -msingle-pic-base) or keep code execute-only
 * (-mpure-code: the DSP pointwise loop reads a TBB table) define ONNX2MCU_PORTABLE.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__OPTIMIZE__) && !defined(ONNX2MCU_PORTABLE)
#define ONNX2MCU_ASM 1
#else
#define ONNX2MCU_ASM 0
#endif
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP == 1 && ONNX2MCU_ASM
#define ONNX2MCU_DSP 1
#include <arm_acle.h>
#else
#define ONNX2MCU_DSP 0
#endif
/* SSAT (Armv7-M and later, also without the DSP extension: the Cortex-M3) for the int8 clamp. */
#if defined(__ARM_FEATURE_SAT) && __ARM_FEATURE_SAT == 1 && defined(__GNUC__) && !defined(ONNX2MCU_PORTABLE)
#define ONNX2MCU_SAT 1
#include <arm_acle.h>
#else
#define ONNX2MCU_SAT 0
#endif
/* Armv7-M without the DSP extension (the Cortex-M3): MLA, SMULL and SSAT, no SIMD. */
#if defined(__ARM_ARCH_7M__) && ONNX2MCU_SAT && !ONNX2MCU_DSP && ONNX2MCU_ASM
#define ONNX2MCU_V7M 1
#else
#define ONNX2MCU_V7M 0
#endif
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && ONNX2MCU_ASM
#define ONNX2MCU_MVE 1
#include <arm_mve.h>
#else
#define ONNX2MCU_MVE 0
#endif

/* Saturating rounding doubling high multiply. */
static inline int32_t onnx2mcu_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    /*
     * For every integer product p, the definition's sign-dependent nudge followed by truncation
     * toward zero equals floor((p + 2^30) / 2^31): one shift, no division.
     */
    return (int32_t)(((int64_t)a * (int64_t)b + ((int64_t)1 << 30)) >> 31);
}

/* Rounding divide by power of two, ties away from zero; 0 <= n <= 31. */
static inline int32_t onnx2mcu_rdbpot(int32_t x, int32_t n)
{
    const int32_t mask = (int32_t)((((uint32_t)1) << n) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> n) + (remainder > threshold ? 1 : 0);
}

/*
 * acc * M, M = multiplier * 2^(shift - 31). A positive shift scales acc up before the high multiply;
 * the product acc * 2^shift wraps modulo 2^32 exactly like the TypeScript reference (in practice the
 * effective multiplier is < 1 and shift <= 0).
 */
static inline int32_t onnx2mcu_mbqm(int32_t acc, int32_t multiplier, int32_t shift)
{
    const int32_t left = shift > 0 ? shift : 0;
    const int32_t right = shift > 0 ? 0 : -shift;
    const int32_t scaled = (int32_t)((uint32_t)acc << left);
    return onnx2mcu_rdbpot(onnx2mcu_srdhm(scaled, multiplier), right);
}

/* Clamp to [lo, hi]. */
static inline int32_t onnx2mcu_clamp(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

/*
 * The fast requantization of the kernels' inner loops: mbqm(acc, multiplier, -n), bit for bit,
 * given what the emitter proved for the layer (src/cgen/c_layer.ts fastRequant):
 *   |acc| < 2^30, so that 2·acc fits int32 and srdhm(acc, M) = round-half-up(2·acc·M / 2^32),
 *     which is one SMMULR(2·acc, M) on the DSP extension;
 *   n >= 0 (no left shift; any n for a zero multiplier, whose result is 0 whatever n), so that the
 *     rounding shift with ties away from zero is (x + 2^(n-1) - (x < 0)) >> n for n >= 1, and x
 *     itself for n = 0 (hence the sign term only where n > 0: channels with an effective
 *     multiplier in [0.5, 1) have n = 0, and ImageNet MobileNets have such channels).
 * `round` = onnx2mcu_round(n), computed once per channel.
 */
static inline int32_t onnx2mcu_round(int32_t n)
{
    return (int32_t)(((uint32_t)1 << n) >> 1); /* 2^(n-1), and 0 for n = 0; unsigned: n may be 31 */
}

static inline int32_t onnx2mcu_requant(int32_t acc, int32_t multiplier, int32_t n, int32_t round)
{
    int32_t x;
#if ONNX2MCU_DSP
    __asm__("smmulr %0, %1, %2" : "=r"(x) : "r"(acc * 2), "r"(multiplier));
#else
    x = (int32_t)(((int64_t)acc * (int64_t)multiplier + ((int64_t)1 << 30)) >> 31);
#endif
    return (x + round - (int32_t)(((uint32_t)x >> 31) & (uint32_t)(n > 0))) >> n;
}

/* Whether a layer has a channel with shift 0 (n = 0), which the assembly fast paths do not handle. */
static inline int onnx2mcu_any_zero_shift(const int32_t *shift, int32_t channels)
{
    int32_t c;
    for (c = 0; c < channels; ++c) {
        if (shift[c] == 0) {
            return 1;
        }
    }
    return 0;
}

#if ONNX2MCU_DSP
/* Bytes 1 and 3 of x sign-extended to the two halfwords (SXTB16 of x rotated by 8). */
static inline int32_t onnx2mcu_sxtb16_ror8(int32_t x)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* Bytes 1 and 3 of x zero-extended to the two halfwords (UXTB16 of x rotated by 8). */
static inline uint32_t onnx2mcu_uxtb16_ror8(uint32_t x)
{
    uint32_t r;
    __asm__("uxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
    return r;
}

/* The bottom halfword of a, the bottom halfword of b on top (PKHBT). */
static inline uint32_t onnx2mcu_pkhbt16(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

/* The top halfword of b at the bottom, the top halfword of a on top (PKHTB). */
static inline uint32_t onnx2mcu_pkhtb16(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(a), "r"(b));
    return r;
}
#endif

#if defined(__GNUC__)
#define ONNX2MCU_INLINE static inline __attribute__((always_inline))
#else
#define ONNX2MCU_INLINE static inline
#endif

/* What every output of a layer shares in its requantization. */
typedef struct {
    int32_t zero_point;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_out_q;

/* One requantized output: the clamp is one SSAT when the activation range is all of int8 (`full`). */
ONNX2MCU_INLINE int8_t onnx2mcu_out_s8(int32_t acc, int32_t multiplier, int32_t n, int32_t round,
                                       onnx2mcu_out_q q, const int full)
{
    const int32_t r = onnx2mcu_requant(acc, multiplier, n, round) + q.zero_point;
#if ONNX2MCU_SAT
    if (full) {
        return (int8_t)__ssat(r, 8);
    }
#else
    (void)full;
#endif
    return (int8_t)onnx2mcu_clamp(r, q.act_min, q.act_max);
}

#endif /* ONNX2MCU_ARITH_H */
