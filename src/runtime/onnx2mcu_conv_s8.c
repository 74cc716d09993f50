/*
 * onnx2mcu_conv_s8.c - general int8 2-D convolution, NHWC input, OHWI weights (onnx2mcu_conv_s8.h).
 * A kernel row whose taps all lie inside the input and are contiguous (dilation_w 1) is one
 * dot product of kernel_w * in_c bytes; other rows go tap by tap with bounds checks.
 */
#include "onnx2mcu_conv_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_conv_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                      const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t out_h = p->output.h, out_w = p->output.w, out_c = p->output.c;
    const int32_t zp_in = p->input_zero_point;
    const int32_t row_len = p->kernel_w * in_c;
    int32_t oy, ox, oc, ky, kx, ic, k;

    for (oy = 0; oy < out_h; ++oy) {
        const int32_t base_y = oy * p->stride_h - p->pad_top;
        for (ox = 0; ox < out_w; ++ox) {
            const int32_t base_x = ox * p->stride_w - p->pad_left;
            const int row_inside = base_x >= 0 && base_x + (p->kernel_w - 1) * p->dilation_w < in_w;
            const int contiguous = row_inside && p->dilation_w == 1;
            int8_t *out = output + (oy * out_w + ox) * out_c;
            for (oc = 0; oc < out_c; ++oc) {
                const int8_t *w = d->weights + oc * p->kernel_h * row_len;
                int32_t acc = d->bias[oc];
                for (ky = 0; ky < p->kernel_h; ++ky) {
                    const int32_t iy = base_y + ky * p->dilation_h;
                    const int8_t *wr = w + ky * row_len;
                    if (iy < 0 || iy >= in_h) {
                        /* padding reads zp_in: cancels the zp term folded into the bias */
                        for (k = 0; k < row_len; ++k) {
                            acc += wr[k] * zp_in;
                        }
                    } else if (contiguous) {
                        const int8_t *x = input + (iy * in_w + base_x) * in_c;
                        for (k = 0; k < row_len; ++k) {
                            acc += wr[k] * x[k];
                        }
                    } else {
                        for (kx = 0; kx < p->kernel_w; ++kx) {
                            const int32_t ix = base_x + kx * p->dilation_w;
                            const int8_t *wk = wr + kx * in_c;
                            if (ix < 0 || ix >= in_w) {
                                for (ic = 0; ic < in_c; ++ic) {
                                    acc += wk[ic] * zp_in;
                                }
                            } else {
                                const int8_t *x = input + (iy * in_w + ix) * in_c;
                                for (ic = 0; ic < in_c; ++ic) {
                                    acc += wk[ic] * x[ic];
                                }
                            }
                        }
                    }
                }
                acc = onnx2mcu_mbqm(acc, d->multiplier[oc], d->shift[oc]) + p->output_zero_point;
                out[oc] = (int8_t)onnx2mcu_clamp(acc, p->act_min, p->act_max);
            }
        }
    }
}
