/* onnx2mcu_transpose_s8.c - layout changes at the runner's boundary (NCHW <-> NHWC), batch 1. */
#include "onnx2mcu_transpose_s8.h"

void onnx2mcu_nchw_to_nhwc_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output)
{
    int32_t c, i;
    const int32_t pixels = d->h * d->w;
    for (c = 0; c < d->c; ++c) {
        for (i = 0; i < pixels; ++i) {
            output[i * d->c + c] = input[c * pixels + i];
        }
    }
}

void onnx2mcu_nhwc_to_nchw_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output)
{
    int32_t c, i;
    const int32_t pixels = d->h * d->w;
    for (c = 0; c < d->c; ++c) {
        for (i = 0; i < pixels; ++i) {
            output[c * pixels + i] = input[i * d->c + c];
        }
    }
}
