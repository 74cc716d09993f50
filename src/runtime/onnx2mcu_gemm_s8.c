/*
 * onnx2mcu_gemm_s8.c - the DSP matrix-product core of the convolution kernels (onnx2mcu_gemm_s8.h):
 * one copy, linked once, whichever kernels use it.
 */
#include "onnx2mcu_gemm_s8.h"

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
/*
 * One step: 4 weights of one output channel (one word, widened by two SXTB16) times the four
 * columns' 4 values (four LDRD of widened pairs): 8 SMLAD, 16 multiply-accumulates. Written as
 * assembly so that the loads are LDRD with write-back, which gcc does not choose on its own.
 */
#define ONNX2MCU_GEMM4_STEP                                   \
    "ldr    %[w], [%[wp]], #4\n\t"                            \
    "ldrd   %[x0], %[x1], [%[xp]], #8\n\t"                    \
    "sxtb16 %[wl], %[w]\n\t"                                  \
    "sxtb16 %[w], %[w], ror #8\n\t"                           \
    "smlad  %[a0], %[x0], %[wl], %[a0]\n\t"                   \
    "smlad  %[a0], %[x1], %[w], %[a0]\n\t"                    \
    "ldrd   %[x0], %[x1], [%[xp]], #8\n\t"                    \
    "smlad  %[a1], %[x0], %[wl], %[a1]\n\t"                   \
    "smlad  %[a1], %[x1], %[w], %[a1]\n\t"                    \
    "ldrd   %[x0], %[x1], [%[xp]], #8\n\t"                    \
    "smlad  %[a2], %[x0], %[wl], %[a2]\n\t"                   \
    "smlad  %[a2], %[x1], %[w], %[a2]\n\t"                    \
    "ldrd   %[x0], %[x1], [%[xp]], #8\n\t"                    \
    "smlad  %[a3], %[x0], %[wl], %[a3]\n\t"                   \
    "smlad  %[a3], %[x1], %[w], %[a3]\n\t"

/*
 * The four widened columns times every output channel's weights (k4 words each, OHWI rows), plus
 * bias, requantized: out[k * out_stride + oc] for the first `valid` columns (4 unless the last block).
 */
ONNX2MCU_INLINE void gemm4(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d,
                                        int32_t out_c, onnx2mcu_out_q q, int8_t *out, int32_t out_stride,
                                        int32_t valid, const int full)
{
    const int32_t *wp = (const int32_t *)(const void *)d->weights;
    int32_t oc;
    for (oc = 0; oc < out_c; ++oc) {
        const int32_t *xp = wide;
        const int32_t *const end = wp + k4;
        const int32_t m = d->multiplier[oc];
        const int32_t n = -d->shift[oc];
        const int32_t round = onnx2mcu_round(n);
        int32_t a0 = d->bias[oc], a1 = a0, a2 = a0, a3 = a0;
        int32_t w, wl, x0, x1;
        if (k4 & 1) {
            __asm__(ONNX2MCU_GEMM4_STEP
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),
                      [w] "=&r"(w), [wl] "=&r"(wl), [x0] "=&r"(x0), [x1] "=&r"(x1)
                    :
                    : "memory");
        }
        if (wp != end) {
            __asm__("1:\n\t" ONNX2MCU_GEMM4_STEP ONNX2MCU_GEMM4_STEP
                    "cmp    %[wp], %[end]\n\t"
                    "bne    1b\n\t"
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [wp] "+r"(wp), [xp] "+r"(xp),
                      [w] "=&r"(w), [wl] "=&r"(wl), [x0] "=&r"(x0), [x1] "=&r"(x1)
                    : [end] "r"(end)
                    : "cc", "memory");
        }
        if (valid == 4) {
            out[oc] = onnx2mcu_out_s8(a0, m, n, round, q, full);
            out[out_stride + oc] = onnx2mcu_out_s8(a1, m, n, round, q, full);
            out[2 * out_stride + oc] = onnx2mcu_out_s8(a2, m, n, round, q, full);
            out[3 * out_stride + oc] = onnx2mcu_out_s8(a3, m, n, round, q, full);
        } else {
            const int32_t acc[4] = {a0, a1, a2, a3};
            int32_t k;
            for (k = 0; k < valid; ++k) {
                out[k * out_stride + oc] = onnx2mcu_out_s8(acc[k], m, n, round, q, full);
            }
        }
    }
}
void onnx2mcu_gemm4_s8(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d, int32_t out_c,
                       onnx2mcu_out_q q, int8_t *out, int32_t out_stride, int32_t valid)
{
    if (q.act_min == -128 && q.act_max == 127) {
        gemm4(wide, k4, d, out_c, q, out, out_stride, valid, 1);
    } else {
        gemm4(wide, k4, d, out_c, q, out, out_stride, valid, 0);
    }
}
#else
/* Without the DSP extension the kernels use their portable paths; ISO C wants a declaration here. */
typedef int onnx2mcu_gemm_s8_unused;
#endif
