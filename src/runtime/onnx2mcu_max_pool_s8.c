/*
 * onnx2mcu_max_pool_s8.c - int8 max pooling on channels-last buffers (TFLite: padded positions are
 * skipped, the output keeps the input's quantization, then the fused activation clamp). A window
 * wholly in the padding has no candidate: it gives -128, clamped (the integer reference agrees).
 */
#include "onnx2mcu_max_pool_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_max_pool_s8(const onnx2mcu_max_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, ch = p->input.c;
    int32_t oy, ox, cc, iy, ix;
    for (oy = 0; oy < p->output.h; ++oy) {
        const int32_t y0 = oy * p->stride_h - p->pad_top;
        const int32_t y_lo = y0 < 0 ? 0 : y0;
        const int32_t y_hi = y0 + p->kernel_h > in_h ? in_h : y0 + p->kernel_h;
        for (ox = 0; ox < p->output.w; ++ox) {
            const int32_t x0 = ox * p->stride_w - p->pad_left;
            const int32_t x_lo = x0 < 0 ? 0 : x0;
            const int32_t x_hi = x0 + p->kernel_w > in_w ? in_w : x0 + p->kernel_w;
            int8_t *out = output + (oy * p->output.w + ox) * ch;
            for (cc = 0; cc < ch; ++cc) {
                int32_t best = -128;
                for (iy = y_lo; iy < y_hi; ++iy) {
                    for (ix = x_lo; ix < x_hi; ++ix) {
                        const int32_t v = input[(iy * in_w + ix) * ch + cc];
                        if (v > best) {
                            best = v;
                        }
                    }
                }
                out[cc] = (int8_t)onnx2mcu_clamp(best, p->act_min, p->act_max);
            }
        }
    }
}
