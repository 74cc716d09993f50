/*
 * onnx2mcu_gemm_s8.c - the matrix-product cores of the convolution kernels (onnx2mcu_gemm_s8.h), DSP
 * and Helium: one copy, linked once, whichever kernels use it.
 */
#include "onnx2mcu_gemm_s8.h"

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
/*
 * One step: 4 weights of one output channel (one word, widened by two SXTB16) times the four
 * columns' 4 values (two LDM of four widened pairs each): 8 SMLAD, 16 multiply-accumulates in 13
 * instructions. Assembly because LDM needs fixed, ascending registers (r4-r7, clobbered) and gcc
 * does not combine the loads on its own.
 */
#define ONNX2MCU_GEMM4_STEP                                   \
    "ldr    %[w], [%[wp]], #4\n\t"                            \
    "ldmia  %[xp]!, {r4, r5, r6, r7}\n\t"                     \
    "sxtb16 %[wl], %[w]\n\t"                                  \
    "sxtb16 %[w], %[w], ror #8\n\t"                           \
    "smlad  %[a0], r4, %[wl], %[a0]\n\t"                      \
    "smlad  %[a0], r5, %[w], %[a0]\n\t"                       \
    "smlad  %[a1], r6, %[wl], %[a1]\n\t"                      \
    "smlad  %[a1], r7, %[w], %[a1]\n\t"                       \
    "ldmia  %[xp]!, {r4, r5, r6, r7}\n\t"                     \
    "smlad  %[a2], r4, %[wl], %[a2]\n\t"                      \
    "smlad  %[a2], r5, %[w], %[a2]\n\t"                       \
    "smlad  %[a3], r6, %[wl], %[a3]\n\t"                      \
    "smlad  %[a3], r7, %[w], %[a3]\n\t"

/*
 * The same step for a last block of one or two valid columns: only their widened words are read
 * (the rest of the step's eight skipped), so a 3x3 layer's ninth pixel costs 6 instructions per 4
 * multiply-accumulates instead of the four-column step's 13.
 */
#define ONNX2MCU_GEMM1_STEP                                   \
    "ldr    %[w], [%[wp]], #4\n\t"                            \
    "ldrd   r4, r5, [%[xp]], #32\n\t"                         \
    "sxtb16 %[wl], %[w]\n\t"                                  \
    "sxtb16 %[w], %[w], ror #8\n\t"                           \
    "smlad  %[a0], r4, %[wl], %[a0]\n\t"                      \
    "smlad  %[a0], r5, %[w], %[a0]\n\t"
#define ONNX2MCU_GEMM2_STEP                                   \
    "ldr    %[w], [%[wp]], #4\n\t"                            \
    "ldmia  %[xp], {r4, r5, r6, r7}\n\t"                      \
    "add    %[xp], %[xp], #32\n\t"                            \
    "sxtb16 %[wl], %[w]\n\t"                                  \
    "sxtb16 %[w], %[w], ror #8\n\t"                           \
    "smlad  %[a0], r4, %[wl], %[a0]\n\t"                      \
    "smlad  %[a0], r5, %[w], %[a0]\n\t"                       \
    "smlad  %[a1], r6, %[wl], %[a1]\n\t"                      \
    "smlad  %[a1], r7, %[w], %[a1]\n\t"

/*
 * The four widened columns times every output channel's weights (k4 words each, OHWI rows), plus
 * bias, requantized in C: out[k * out_stride + oc] for the first `valid` columns. The general case
 * (a last block of fewer than four pixels, or a narrower clamp); the common one is gemm4_full below.
 */
static void gemm4(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q,
                  int8_t *out, int32_t out_stride, int32_t valid, const int full)
{
    const int32_t *wp = (const int32_t *)(const void *)d->weights;
    const int32_t *bias = d->bias, *multiplier = d->multiplier, *shift = d->shift;
    int32_t oc;
    for (oc = 0; oc < out_c; ++oc) {
        const int32_t *xp = wide;
        const int32_t *const end = wp + k4;
        const int32_t m = *multiplier++;
        const int32_t sh = *shift++;
        int32_t a0 = *bias++, a1 = a0, a2 = a0, a3 = a0;
        int32_t w, wl;
        if (valid <= 2) {
            if (valid == 1) {
                while (wp != end) {
                    __asm__(ONNX2MCU_GEMM1_STEP
                            : [a0] "+r"(a0), [wp] "+r"(wp), [xp] "+r"(xp), [w] "=&r"(w), [wl] "=&r"(wl)
                            :
                            : "r4", "r5", "memory");
                }
            } else {
                while (wp != end) {
                    __asm__(ONNX2MCU_GEMM2_STEP
                            : [a0] "+r"(a0), [a1] "+r"(a1), [wp] "+r"(wp), [xp] "+r"(xp), [w] "=&r"(w), [wl] "=&r"(wl)
                            :
                            : "r4", "r5", "r6", "r7", "memory");
                }
            }
        } else if (k4 & 1) {
            __asm__(ONNX2MCU_GEMM4_STEP
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),
                      [w] "=&r"(w), [wl] "=&r"(wl)
                    :
                    : "r4", "r5", "r6", "r7", "memory");
        }
        if (valid > 2 && wp != end) {
            __asm__("1:\n\t" ONNX2MCU_GEMM4_STEP ONNX2MCU_GEMM4_STEP
                    "cmp    %[wp], %[end]\n\t"
                    "bne    1b\n\t"
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),
                      [w] "=&r"(w), [wl] "=&r"(wl)
                    : [end] "r"(end)
                    : "r4", "r5", "r6", "r7", "cc", "memory");
        }
        {
            const int32_t n = -sh, round = onnx2mcu_round(n);
            const int32_t acc[4] = {a0, a1, a2, a3};
            int32_t k;
            for (k = 0; k < valid; ++k) {
                out[k * out_stride + oc] = onnx2mcu_out_s8(acc[k], m, n, round, q, full);
            }
        }
    }
}
/*
 * The common case (four columns, the int8-wide clamp) as one block of assembly over all output
 * channels. The product loop takes every register, so the channel loop's state lives in `job`, which
 * the asm reaches as stack memory operands ([sp, #n]: no register holds its address), in pairs that
 * one LDRD reads:
 * - the first step starts the four sums from the bias (no copies of it);
 * - the rest of the product loop is unrolled eight steps deep and entered through a TBB table at
 *   step 8 - (k4 - 1) % 8, so any k4 runs whole passes: a compare and branch per 8 steps;
 * - the widened columns end where the loop stops (`end`, one register for the whole block);
 * - the output pointer stays in a register and advances by a post-indexed store.
 * About 46 instructions per channel and block of four pixels besides the product (it was about 62).
 * A channel with shift 0 takes its own requantization (no rounding shift).
 */
typedef struct {
    const void *bias_wend[2]; /* the next channel's bias, the end of the last channel's weights */
    const int32_t *ms[2];     /* the next channel's multiplier and shift */
    int32_t zp2_stride[2];    /* 2 zp + 1, out_stride */
    const int32_t *wide;
    int32_t entry;            /* the TBB index: (k4 - 1) % 8, or 8 when k4 is 1 (no step after the first) */
} gemm4_job;

static void gemm4_full(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q,
                       int8_t *out, int32_t out_stride)
{
    gemm4_job job;
    const int32_t *wp = (const int32_t *)(const void *)d->weights;
    const int32_t *const end = wide + 8 * k4;
    const int32_t *bp = d->bias;
    int32_t a0, a1, a2, a3, wl;
    const int32_t *xp;
    if (out_c <= 0 || k4 <= 0) {
        return;
    }
    job.bias_wend[0] = d->bias;
    job.bias_wend[1] = d->weights + 4 * k4 * out_c;
    job.ms[0] = d->multiplier;
    job.ms[1] = d->shift;
    job.zp2_stride[0] = 2 * q.zero_point + 1;
    job.zp2_stride[1] = out_stride;
    job.wide = wide;
    job.entry = k4 == 1 ? 8 : (k4 - 1) & 7;
    __asm__ volatile(
#define ONNX2MCU_REQUANT(a)                                    \
        "lsl    " a ", " a ", #1\n\t"                            \
        "smmulr " a ", " a ", r6\n\t"                            \
        "sub    " a ", " a ", " a ", lsr #31\n\t"                \
        "asr    " a ", " a ", r7\n\t"                            \
        "add    " a ", " a ", r4\n\t"                            \
        "ssat   " a ", #8, " a ", asr #1\n\t"
#define ONNX2MCU_REQUANT0(a)                                   \
        "lsl    " a ", " a ", #1\n\t"                            \
        "smmulr " a ", " a ", r6\n\t"                            \
        "add    " a ", " a ", r4\n\t"                            \
        "ssat   " a ", #8, " a "\n\t"
        "0:\n\t"
        "ldr    %[a3], [%[w]], #4\n\t" /* bias */
        "str    %[w], %[jbw]\n\t"
        "ldr    %[xp], %[jwide]\n\t"
        /* the first step: every sum starts from the bias in a3 */
        "ldr    %[w], [%[wp]], #4\n\t"
        "ldmia  %[xp]!, {r4, r5, r6, r7}\n\t"
        "sxtb16 %[wl], %[w]\n\t"
        "sxtb16 %[w], %[w], ror #8\n\t"
        "smlad  %[a0], r4, %[wl], %[a3]\n\t"
        "smlad  %[a0], r5, %[w], %[a0]\n\t"
        "smlad  %[a1], r6, %[wl], %[a3]\n\t"
        "smlad  %[a1], r7, %[w], %[a1]\n\t"
        "ldmia  %[xp]!, {r4, r5, r6, r7}\n\t"
        "smlad  %[a2], r4, %[wl], %[a3]\n\t"
        "smlad  %[a2], r5, %[w], %[a2]\n\t"
        "smlad  %[a3], r6, %[wl], %[a3]\n\t"
        "smlad  %[a3], r7, %[w], %[a3]\n\t"
        "ldr    %[w], %[jentry]\n\t"
        "tbb    [pc, %[w]]\n\t"
        "5:\n\t"
        ".byte  (10f - 5b) / 2, (17f - 5b) / 2, (16f - 5b) / 2, (15f - 5b) / 2, (14f - 5b) / 2\n\t"
        ".byte  (13f - 5b) / 2, (12f - 5b) / 2, (11f - 5b) / 2, (18f - 5b) / 2, 0\n\t"
        "10:\n\t" ONNX2MCU_GEMM4_STEP
        "11:\n\t" ONNX2MCU_GEMM4_STEP
        "12:\n\t" ONNX2MCU_GEMM4_STEP
        "13:\n\t" ONNX2MCU_GEMM4_STEP
        "14:\n\t" ONNX2MCU_GEMM4_STEP
        "15:\n\t" ONNX2MCU_GEMM4_STEP
        "16:\n\t" ONNX2MCU_GEMM4_STEP
        "17:\n\t" ONNX2MCU_GEMM4_STEP
        "cmp    %[xp], %[end]\n\t"
        "bne    10b\n\t"
        "18:\n\t"
        "ldrd   r4, r5, %[jms]\n\t"
        "ldr    r6, [r4], #4\n\t" /* multiplier */
        "ldr    r7, [r5], #4\n\t" /* shift */
        "strd   r4, r5, %[jms]\n\t"
        "ldrd   r4, %[wl], %[jzs]\n\t" /* 2 zp + 1, out_stride */
        "cbnz   r7, 2f\n\t"
        "asr    r4, r4, #1\n\t" /* zp */
        ONNX2MCU_REQUANT0("%[a0]") ONNX2MCU_REQUANT0("%[a1]") ONNX2MCU_REQUANT0("%[a2]") ONNX2MCU_REQUANT0("%[a3]")
        "b      4f\n\t"
        "2:\n\t"
        "mvn    r7, r7\n\t" /* n - 1 */
        ONNX2MCU_REQUANT("%[a0]") ONNX2MCU_REQUANT("%[a1]") ONNX2MCU_REQUANT("%[a2]") ONNX2MCU_REQUANT("%[a3]")
        "4:\n\t"
        "add    %[w], %[out], %[wl]\n\t"
        "strb   %[a0], [%[out]], #1\n\t"
        "strb   %[a1], [%[w]]\n\t"
        "strb   %[a2], [%[w], %[wl]]\n\t"
        "strb   %[a3], [%[w], %[wl], lsl #1]\n\t"
        "ldrd   %[w], %[wl], %[jbw]\n\t" /* the next bias, the weights' end */
        "cmp    %[wp], %[wl]\n\t"
        "bne    0b\n\t"
#undef ONNX2MCU_REQUANT
#undef ONNX2MCU_REQUANT0
        : [a0] "=&r"(a0), [a1] "=&r"(a1), [a2] "=&r"(a2), [a3] "=&r"(a3), [wp] "+&r"(wp), [xp] "=&r"(xp),
          [w] "+&r"(bp), [wl] "=&r"(wl), [out] "+&r"(out), [jbw] "+m"(job.bias_wend), [jms] "+m"(job.ms)
        : [end] "r"(end), [jzs] "m"(job.zp2_stride), [jwide] "m"(job.wide), [jentry] "m"(job.entry)
        : "r4", "r5", "r6", "r7", "cc", "memory");
}

void onnx2mcu_gemm4_s8(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d, int32_t out_c,
                       onnx2mcu_out_q q, int8_t *out, int32_t out_stride, int32_t valid)
{
    const int full = q.act_min == -128 && q.act_max == 127;
    if (valid == 4 && full) {
        gemm4_full(wide, k4, d, out_c, q, out, out_stride);
    } else {
        gemm4(wide, k4, d, out_c, q, out, out_stride, valid, full);
    }
}
#elif ONNX2MCU_MVE
/*
 * Requantization of four accumulators of channels oc .. oc + 3 at once: VQRDMULH is srdhm (|acc| < 2^30,
 * so never the saturating case); adding the sign (-1 for a negative value) before VRSHL's
 * round-half-up right shift gives TFLite's ties away from zero (not for shift 0: no rounding there).
 */
ONNX2MCU_INLINE int32x4_t requant4_mve(int32x4_t acc, int32x4_t multiplier, int32x4_t shift, onnx2mcu_out_q q)
{
    int32x4_t r = vqrdmulhq_s32(acc, multiplier);
    r = vaddq_s32(r, vandq_s32(vshrq_n_s32(r, 31), vshrq_n_s32(shift, 31))); /* the sign term where n > 0 */
    r = vrshlq_s32(r, shift);
    r = vaddq_n_s32(r, q.zero_point);
    return vminq_s32(vmaxq_s32(r, vdupq_n_s32(q.act_min)), vdupq_n_s32(q.act_max));
}

/*
 * x . w0 .. x . w3 over k values added to a0 .. a3, as one vector. The last k % 16 values go through
 * loads predicated by `tail` (computed once per call: they read nothing past k and give zeros).
 */
ONNX2MCU_INLINE int32x4_t dot4_mve(const int8_t *x, int32_t k, mve_pred16_t tail, const int8_t *w0, const int8_t *w1,
                                   const int8_t *w2, const int8_t *w3, int32_t a0, int32_t a1, int32_t a2, int32_t a3)
{
    const int32_t whole = k & ~15;
    int32_t i;
    int32x4_t acc;
    for (i = 0; i < whole; i += 16) {
        const int8x16_t xv = vldrbq_s8(x + i);
        a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w0 + i));
        a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w1 + i));
        a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w2 + i));
        a3 = vmladavaq_s8(a3, xv, vldrbq_s8(w3 + i));
    }
    if (whole < k) {
        const int8x16_t xv = vldrbq_z_s8(x + whole, tail);
        a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w0 + whole, tail));
        a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w1 + whole, tail));
        a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w2 + whole, tail));
        a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w3 + whole, tail));
    }
    acc = vdupq_n_s32(a0);
    acc = vsetq_lane_s32(a1, acc, 1);
    acc = vsetq_lane_s32(a2, acc, 2);
    return vsetq_lane_s32(a3, acc, 3);
}

ONNX2MCU_INLINE void column_mve(const int8_t *x, int32_t k, mve_pred16_t tail, const int8_t *w, int32_t w_stride,
                                const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q, int8_t *out)
{
    int32_t oc = 0;
    for (; oc + 4 <= out_c; oc += 4) {
        const int32_t *b = d->bias + oc;
        const int8_t *w0 = w + oc * w_stride;
        const int32x4_t acc = dot4_mve(x, k, tail, w0, w0 + w_stride, w0 + 2 * w_stride, w0 + 3 * w_stride, b[0], b[1], b[2], b[3]);
        vstrbq_s32(out + oc, requant4_mve(acc, vldrwq_s32(d->multiplier + oc), vldrwq_s32(d->shift + oc), q));
    }
    if (oc < out_c) {
        /* 1 to 3 channels left: the missing rows repeat the last one, only the real results are stored */
        const int32_t valid = out_c - oc;
        const mve_pred16_t p = vctp32q((uint32_t)valid);
        const int32_t *b = d->bias + oc;
        const int8_t *w0 = w + oc * w_stride;
        const int8_t *w1 = valid > 1 ? w0 + w_stride : w0;
        const int8_t *w2 = valid > 2 ? w1 + w_stride : w1;
        const int32x4_t acc = dot4_mve(x, k, tail, w0, w1, w2, w2, b[0], valid > 1 ? b[1] : 0, valid > 2 ? b[2] : 0, 0);
        vstrbq_p_s32(out + oc, requant4_mve(acc, vldrwq_z_s32(d->multiplier + oc, p), vldrwq_z_s32(d->shift + oc, p), q), p);
    }
}
/*
 * A column of exactly K = 16 or 32 values (a compile-time constant after inlining) against
 * contiguous rows (w_stride == K), output channels a multiple of 4. The column stays in K / 16
 * vector registers for every channel, and a group's four rows are read at constant offsets from one
 * pointer, so a group of four outputs is its loads, its VMLADAVAs and one vector requantization:
 * no per-row pointers, no inner loop (the general column keeps about 60 instructions of bookkeeping
 * per group, most of it spilled registers).
 */
ONNX2MCU_INLINE void column_fixed_mve(const int8_t *x, const int32_t K, const int8_t *w, const onnx2mcu_layer_data *d,
                                      int32_t out_c, onnx2mcu_out_q q, int8_t *out)
{
    const int8x16_t x0 = vldrbq_s8(x);
    const int8x16_t x1 = K > 16 ? vldrbq_s8(x + 16) : x0;
    const int32_t *b = d->bias, *multiplier = d->multiplier, *shift = d->shift;
    int32_t oc;
    for (oc = 0; oc < out_c; oc += 4, w += 4 * K) {
        int32_t a0 = vmladavaq_s8(b[oc], x0, vldrbq_s8(w));
        int32_t a1 = vmladavaq_s8(b[oc + 1], x0, vldrbq_s8(w + K));
        int32_t a2 = vmladavaq_s8(b[oc + 2], x0, vldrbq_s8(w + 2 * K));
        int32_t a3 = vmladavaq_s8(b[oc + 3], x0, vldrbq_s8(w + 3 * K));
        int32x4_t acc;
        if (K > 16) {
            a0 = vmladavaq_s8(a0, x1, vldrbq_s8(w + 16));
            a1 = vmladavaq_s8(a1, x1, vldrbq_s8(w + K + 16));
            a2 = vmladavaq_s8(a2, x1, vldrbq_s8(w + 2 * K + 16));
            a3 = vmladavaq_s8(a3, x1, vldrbq_s8(w + 3 * K + 16));
        }
        acc = vdupq_n_s32(a0);
        acc = vsetq_lane_s32(a1, acc, 1);
        acc = vsetq_lane_s32(a2, acc, 2);
        acc = vsetq_lane_s32(a3, acc, 3);
        vstrbq_s32(out + oc, requant4_mve(acc, vldrwq_s32(multiplier + oc), vldrwq_s32(shift + oc), q));
    }
}

/*
 * A column shorter than 32 values, not a multiple of 16 (a first layer's window, K = 27): its two
 * vectors loaded once (predicated: nothing read past k) for every group of four channels.
 */
ONNX2MCU_INLINE void column_short_mve(const int8_t *x, const int32_t k, const int8_t *w, const onnx2mcu_layer_data *d,
                                      int32_t out_c, onnx2mcu_out_q q, int8_t *out)
{
    const mve_pred16_t p0 = vctp8q((uint32_t)k), p1 = vctp8q((uint32_t)(k > 16 ? k - 16 : 0));
    const int8x16_t xa = vldrbq_z_s8(x, p0), xb = vldrbq_z_s8(x + 16, p1);
    const int32_t *b = d->bias, *multiplier = d->multiplier, *shift = d->shift;
    int32_t oc;
    for (oc = 0; oc < out_c; oc += 4, w += 4 * k) {
        int32_t a0, a1, a2, a3;
        int32x4_t acc;
        if (oc + 4 < out_c) {
            /*
             * Whole vectors: past a row's k values they read the next row's first bytes, which
             * meet the column's zero lanes (k .. 31). No predicated load: gcc sets the predicate
             * before each one (three instructions a load). The last group stays predicated, as
             * its last row would read past the weights.
             */
            a0 = vmladavaq_s8(b[oc], xa, vldrbq_s8(w));
            a1 = vmladavaq_s8(b[oc + 1], xa, vldrbq_s8(w + k));
            a2 = vmladavaq_s8(b[oc + 2], xa, vldrbq_s8(w + 2 * k));
            a3 = vmladavaq_s8(b[oc + 3], xa, vldrbq_s8(w + 3 * k));
            a0 = vmladavaq_s8(a0, xb, vldrbq_s8(w + 16));
            a1 = vmladavaq_s8(a1, xb, vldrbq_s8(w + k + 16));
            a2 = vmladavaq_s8(a2, xb, vldrbq_s8(w + 2 * k + 16));
            a3 = vmladavaq_s8(a3, xb, vldrbq_s8(w + 3 * k + 16));
        } else {
            a0 = vmladavaq_s8(b[oc], xa, vldrbq_z_s8(w, p0));
            a1 = vmladavaq_s8(b[oc + 1], xa, vldrbq_z_s8(w + k, p0));
            a2 = vmladavaq_s8(b[oc + 2], xa, vldrbq_z_s8(w + 2 * k, p0));
            a3 = vmladavaq_s8(b[oc + 3], xa, vldrbq_z_s8(w + 3 * k, p0));
            a0 = vmladavaq_s8(a0, xb, vldrbq_z_s8(w + 16, p1));
            a1 = vmladavaq_s8(a1, xb, vldrbq_z_s8(w + k + 16, p1));
            a2 = vmladavaq_s8(a2, xb, vldrbq_z_s8(w + 2 * k + 16, p1));
            a3 = vmladavaq_s8(a3, xb, vldrbq_z_s8(w + 3 * k + 16, p1));
        }
        acc = vdupq_n_s32(a0);
        acc = vsetq_lane_s32(a1, acc, 1);
        acc = vsetq_lane_s32(a2, acc, 2);
        acc = vsetq_lane_s32(a3, acc, 3);
        vstrbq_s32(out + oc, requant4_mve(acc, vldrwq_s32(multiplier + oc), vldrwq_s32(shift + oc), q));
    }
}

/*
 * A column of K = 64, 128 or 256 values against word-aligned contiguous rows: 16 values at a time,
 * rows 0 and 1 read as words from one pointer and rows 2 and 3 from a second (VLDRW reaches 508
 * bytes from its base register; the byte loads only 127). The product loop is assembly, 10
 * instructions per 16 values of four channels: VMLADAV accumulates into even-numbered registers
 * only, and gcc's own loop spent 12. The lane assembly and requantization are written out in each
 * column function: a shared helper cost 3 % (gcc allocated the parameter pointers worse).
 */
ONNX2MCU_INLINE void column_long_mve(const int8_t *x, const int32_t K, const int8_t *w, const onnx2mcu_layer_data *d,
                                     int32_t out_c, onnx2mcu_out_q q, int8_t *out)
{
    const int32_t *b = d->bias, *multiplier = d->multiplier, *shift = d->shift;
    int32_t oc;
    for (oc = 0; oc < out_c; oc += 4, w += 4 * K) {
        register int32_t a0 __asm__("r0") = b[oc];
        register int32_t a1 __asm__("r2") = b[oc + 1];
        register int32_t a2 __asm__("r8") = b[oc + 2];
        register int32_t a3 __asm__("r10") = b[oc + 3];
        register int32_t n __asm__("lr") = K / 16;
        const int8_t *xp = x, *wp = w, *wq = w + 2 * K; /* rows 0, 1 and rows 2, 3 */
        int8x16_t xv, wv;
        int32x4_t acc;
        __asm__ volatile("dls         lr, lr\n\t"
                         "1:\n\t"
                         "vldrb.8     %q[xv], [%[xp]], #16\n\t"
                         "vldrw.32    %q[wv], [%[wp], #%c[k1]]\n\t"
                         "vmladava.s8 %[a1], %q[xv], %q[wv]\n\t"
                         "vldrw.32    %q[wv], [%[wq], #%c[k1]]\n\t"
                         "vmladava.s8 %[a3], %q[xv], %q[wv]\n\t"
                         "vldrw.32    %q[wv], [%[wq]], #16\n\t"
                         "vmladava.s8 %[a2], %q[xv], %q[wv]\n\t"
                         "vldrw.32    %q[wv], [%[wp]], #16\n\t"
                         "vmladava.s8 %[a0], %q[xv], %q[wv]\n\t"
                         "le          lr, 1b\n\t"
                         : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xp] "+r"(xp), [wp] "+r"(wp),
                           [wq] "+r"(wq), [n] "+r"(n), [xv] "=&w"(xv), [wv] "=&w"(wv)
                         : [k1] "i"(K)
                         : "memory");
        acc = vdupq_n_s32(a0);
        acc = vsetq_lane_s32(a1, acc, 1);
        acc = vsetq_lane_s32(a2, acc, 2);
        acc = vsetq_lane_s32(a3, acc, 3);
        vstrbq_s32(out + oc, requant4_mve(acc, vldrwq_s32(multiplier + oc), vldrwq_s32(shift + oc), q));
    }
}

/*
 * One function per column length: each is compiled on its own (inlined together, gcc's register
 * allocation of one spilled into the others: up to 20 % more instructions).
 */
#if defined(__GNUC__)
#define ONNX2MCU_COLUMNS_NOINLINE __attribute__((noinline))
#else
#define ONNX2MCU_COLUMNS_NOINLINE
#endif
#define ONNX2MCU_COLUMNS(name, column, K)                                                                        \
    static ONNX2MCU_COLUMNS_NOINLINE void name(const int8_t *x, int32_t x_stride, int32_t columns, const int8_t *w, \
                                              const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q,     \
                                              int8_t *out, int backward)                                         \
    {                                                                                                            \
        int32_t i;                                                                                               \
        for (i = 0; i < columns; ++i) {                                                                          \
            const int32_t j = backward ? columns - 1 - i : i;                                                    \
            column(x + j * x_stride, K, w, d, out_c, q, out + j * out_c);                                        \
        }                                                                                                        \
    }
ONNX2MCU_COLUMNS(columns16, column_fixed_mve, 16)
ONNX2MCU_COLUMNS(columns32, column_fixed_mve, 32)
ONNX2MCU_COLUMNS(columns64, column_long_mve, 64)
ONNX2MCU_COLUMNS(columns128, column_long_mve, 128)
ONNX2MCU_COLUMNS(columns256, column_long_mve, 256)
#undef ONNX2MCU_COLUMNS

static ONNX2MCU_COLUMNS_NOINLINE void columns_short(const int8_t *x, int32_t k, int32_t x_stride, int32_t columns,
                                                    const int8_t *w, const onnx2mcu_layer_data *d, int32_t out_c,
                                                    onnx2mcu_out_q q, int8_t *out, int backward)
{
    int32_t i;
    for (i = 0; i < columns; ++i) {
        const int32_t j = backward ? columns - 1 - i : i;
        column_short_mve(x + j * x_stride, k, w, d, out_c, q, out + j * out_c);
    }
}

void onnx2mcu_gemm1_s8(const int8_t *x, int32_t k, int32_t x_stride, int32_t columns, const int8_t *w,
                       int32_t w_stride, const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q, int8_t *out,
                       int backward)
{
    const mve_pred16_t tail = vctp8q((uint32_t)(k & 15));
    int32_t i;
    if (w_stride == k && (out_c & 3) == 0 && ((uintptr_t)w & 3) == 0) {
        switch (k) {
        case 16: columns16(x, x_stride, columns, w, d, out_c, q, out, backward); return;
        case 32: columns32(x, x_stride, columns, w, d, out_c, q, out, backward); return;
        case 64: columns64(x, x_stride, columns, w, d, out_c, q, out, backward); return;
        case 128: columns128(x, x_stride, columns, w, d, out_c, q, out, backward); return;
        case 256: columns256(x, x_stride, columns, w, d, out_c, q, out, backward); return;
        default: break;
        }
    }
    if (w_stride == k && (out_c & 3) == 0 && k < 32 && (k & 15) != 0) {
        columns_short(x, k, x_stride, columns, w, d, out_c, q, out, backward);
        return;
    }
    for (i = 0; i < columns; ++i) {
        const int32_t j = backward ? columns - 1 - i : i;
        column_mve(x + j * x_stride, k, tail, w, w_stride, d, out_c, q, out + j * out_c);
    }
}
#else
/* Without the DSP extension or Helium the kernels use their portable paths; ISO C wants a declaration here. */
typedef int onnx2mcu_gemm_s8_unused;
#endif
