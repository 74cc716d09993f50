/*
 * onnx2mcu_conv_1x1_s8.c - pointwise convolution fast path: 1x1 kernel, stride 1, no padding.
 * The layer is a matrix product (pixels x in_c) * (in_c x out_c). Blocks of two pixels by two
 * output channels keep four accumulators in registers, so every loaded input and weight byte is
 * used twice; odd remainders fall back to single rows/columns.
 */
#include "onnx2mcu_conv_s8.h"
#include "onnx2mcu_arith.h"

static int8_t requantize(int32_t acc, const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                         int32_t oc)
{
    acc = onnx2mcu_mbqm(acc, d->multiplier[oc], d->shift[oc]) + p->output_zero_point;
    return (int8_t)onnx2mcu_clamp(acc, p->act_min, p->act_max);
}

static int32_t dot(const int8_t *a, const int8_t *b, int32_t n, int32_t acc)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        acc += a[i] * b[i];
    }
    return acc;
}

void onnx2mcu_conv_1x1_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                          const int8_t *input, int8_t *output)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    int32_t px, oc, ic;

    for (px = 0; px + 1 < pixels; px += 2) {
        const int8_t *x0 = input + px * in_c;
        const int8_t *x1 = x0 + in_c;
        int8_t *out0 = output + px * out_c;
        int8_t *out1 = out0 + out_c;
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            const int8_t *w0 = d->weights + oc * in_c;
            const int8_t *w1 = w0 + in_c;
            int32_t a00 = d->bias[oc], a01 = d->bias[oc + 1];
            int32_t a10 = a00, a11 = a01;
            for (ic = 0; ic < in_c; ++ic) {
                const int32_t xv0 = x0[ic], xv1 = x1[ic];
                const int32_t wv0 = w0[ic], wv1 = w1[ic];
                a00 += xv0 * wv0;
                a01 += xv0 * wv1;
                a10 += xv1 * wv0;
                a11 += xv1 * wv1;
            }
            out0[oc] = requantize(a00, p, d, oc);
            out0[oc + 1] = requantize(a01, p, d, oc + 1);
            out1[oc] = requantize(a10, p, d, oc);
            out1[oc + 1] = requantize(a11, p, d, oc + 1);
        }
        if (oc < out_c) {
            const int8_t *w0 = d->weights + oc * in_c;
            out0[oc] = requantize(dot(w0, x0, in_c, d->bias[oc]), p, d, oc);
            out1[oc] = requantize(dot(w0, x1, in_c, d->bias[oc]), p, d, oc);
        }
    }
    if (px < pixels) {
        const int8_t *x0 = input + px * in_c;
        int8_t *out0 = output + px * out_c;
        for (oc = 0; oc < out_c; ++oc) {
            out0[oc] = requantize(dot(d->weights + oc * in_c, x0, in_c, d->bias[oc]), p, d, oc);
        }
    }
}
