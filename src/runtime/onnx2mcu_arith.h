/*
 * onnx2mcu_arith.h - the integer requantization primitives (TFLite / CMSIS-NN "double rounding").
 *
 * Written once here and once in TypeScript (src/quant/arith.ts); the two agree bit for bit
 * (tested in src/runtime/runtime.test.ts on edge and random values).
 *
 *   srdhm(a, b)   = INT32_MAX if a == b == INT32_MIN, else (a*b + (a*b >= 0 ? 2^30 : 1 - 2^30)) / 2^31
 *                   in 64 bits, truncated toward zero.
 *   rdbpot(x, n)  = (x >> n) + ((x & mask) > threshold), mask = 2^n - 1,
 *                   threshold = (mask >> 1) + (x < 0).
 *   mbqm(acc, m, e) = rdbpot(srdhm(acc * 2^max(e, 0), m), max(-e, 0)).
 *
 * C99, no floating point. Right shifts of negative values are arithmetic on every compiler this
 * project targets (gcc, clang, arm-none-eabi-gcc); C99 leaves them implementation-defined, not undefined.
 */
#ifndef ONNX2MCU_ARITH_H
#define ONNX2MCU_ARITH_H

#include <stdint.h>

/* Saturating rounding doubling high multiply. */
static inline int32_t onnx2mcu_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    int64_t nudge;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    /* C99 division truncates toward zero, as the definition requires. */
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
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

#endif /* ONNX2MCU_ARITH_H */
