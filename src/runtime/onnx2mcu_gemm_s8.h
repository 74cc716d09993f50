/*
 * onnx2mcu_gemm_s8.h - the int8 matrix-product core the convolutions share (internal: static inline
 * functions, included by onnx2mcu_conv_1x1_s8.c and onnx2mcu_conv_s8.c only).
 *
 * A "column" is the K int8 values one output pixel multiplies with each output channel's K weights:
 * the pixel's own channels for a pointwise conv, its gathered window (im2col) otherwise. Columns are
 * taken four at a time; each output channel's requantized results go to out[k * out_stride + oc].
 *
 * Requantization is onnx2mcu_requant, which the emitter allows only where |acc| < 2^30 and every
 * shift is <= 0 or its multiplier 0 (src/cgen/c_layer.ts fastRequant).
 */
#ifndef ONNX2MCU_GEMM_S8_H
#define ONNX2MCU_GEMM_S8_H

#include "onnx2mcu_types.h"
#include "onnx2mcu_arith.h"

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
/*
 * Four columns of k4 * 4 int8 values each (word aligned) widened to int16 pairs in `wide`,
 * interleaved the way onnx2mcu_gemm4_s8 reads them: for each step of 4 values, column 0's bytes
 * 0,2 then 1,3 (SXTB16 and SXTB16 ROR 8: the split the weights get), then columns 1, 2, 3.
 */
ONNX2MCU_INLINE void onnx2mcu_widen4(const int8_t *c0, const int8_t *c1, const int8_t *c2, const int8_t *c3,
                                     int32_t k4, int32_t *wide)
{
    const int32_t *p0 = (const int32_t *)(const void *)c0;
    const int32_t *p1 = (const int32_t *)(const void *)c1;
    const int32_t *p2 = (const int32_t *)(const void *)c2;
    const int32_t *p3 = (const int32_t *)(const void *)c3;
    const int32_t *const end = p0 + k4;
    while (p0 != end) {
        const int32_t v0 = *p0++, v1 = *p1++, v2 = *p2++, v3 = *p3++;
        wide[0] = (int32_t)__sxtb16((uint32_t)v0);
        wide[1] = onnx2mcu_sxtb16_ror8(v0);
        wide[2] = (int32_t)__sxtb16((uint32_t)v1);
        wide[3] = onnx2mcu_sxtb16_ror8(v1);
        wide[4] = (int32_t)__sxtb16((uint32_t)v2);
        wide[5] = onnx2mcu_sxtb16_ror8(v2);
        wide[6] = (int32_t)__sxtb16((uint32_t)v3);
        wide[7] = onnx2mcu_sxtb16_ror8(v3);
        wide += 8;
    }
}

/*
 * The four widened columns times every output channel's weights (k4 words each, OHWI rows, word
 * aligned or not), plus bias, requantized: out[k * out_stride + oc] for the first `valid` columns (4
 * unless the last block). In onnx2mcu_gemm_s8.c, shared by the convolution kernels.
 */
void onnx2mcu_gemm4_s8(const int32_t *wide, int32_t k4, const onnx2mcu_layer_data *d, int32_t out_c,
                       onnx2mcu_out_q q, int8_t *out, int32_t out_stride, int32_t valid);
#endif /* ONNX2MCU_DSP && !ONNX2MCU_MVE */

#if ONNX2MCU_MVE
/*
 * Helium (Cortex-M55): `columns` columns of k values (x_stride bytes apart) times every output
 * channel's weights (rows of k values, w_stride bytes apart, any alignment), plus bias, requantized
 * into out[j * out_c + oc], columns in order or, `backward`, from the last. Four channels per pass,
 * 16 multiply-accumulates per VMLADAVA, the four results requantized as one vector.
 */
void onnx2mcu_gemm1_s8(const int8_t *x, int32_t k, int32_t x_stride, int32_t columns, const int8_t *w,
                       int32_t w_stride, const onnx2mcu_layer_data *d, int32_t out_c, onnx2mcu_out_q q, int8_t *out,
                       int backward);
#endif

#endif /* ONNX2MCU_GEMM_S8_H */
