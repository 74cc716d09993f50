/* onnx2mcu_dw_conv_s8.c - general int8 depthwise convolution, NHWC input, 1HWC weights (onnx2mcu_dw_conv_s8.h). */
#include "onnx2mcu_dw_conv_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_dw_conv_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output)
{
    const onnx2mcu_conv_params *c = &p->conv;
    const int32_t in_h = c->input.h, in_w = c->input.w, in_c = c->input.c;
    const int32_t out_w = c->output.w, out_c = c->output.c;
    const int32_t mult = p->depth_multiplier;
    const int32_t zp_in = c->input_zero_point;
    int32_t oy, ox, oc, ky, kx;

    for (oy = 0; oy < c->output.h; ++oy) {
        const int32_t base_y = oy * c->stride_h - c->pad_top;
        for (ox = 0; ox < out_w; ++ox) {
            const int32_t base_x = ox * c->stride_w - c->pad_left;
            int8_t *out = output + (oy * out_w + ox) * out_c;
            for (oc = 0; oc < out_c; ++oc) {
                const int32_t ic = oc / mult;
                int32_t acc = d->bias[oc];
                for (ky = 0; ky < c->kernel_h; ++ky) {
                    const int32_t iy = base_y + ky * c->dilation_h;
                    for (kx = 0; kx < c->kernel_w; ++kx) {
                        const int32_t ix = base_x + kx * c->dilation_w;
                        const int32_t w = d->weights[(ky * c->kernel_w + kx) * out_c + oc];
                        if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                            acc += w * zp_in; /* padding reads zp_in */
                        } else {
                            acc += w * input[(iy * in_w + ix) * in_c + ic];
                        }
                    }
                }
                acc = onnx2mcu_mbqm(acc, d->multiplier[oc], d->shift[oc]) + c->output_zero_point;
                out[oc] = (int8_t)onnx2mcu_clamp(acc, c->act_min, c->act_max);
            }
        }
    }
}
