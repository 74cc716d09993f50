/*
 * onnx2mcu_avg_pool_s8.c - int8 average pooling, output keeps the input's scale and zero point (TFLite):
 * out = clamp(sum > 0 ? (sum + count/2) / count : (sum - count/2) / count), C division truncating.
 */
#include "onnx2mcu_avg_pool_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_avg_pool_s8(const onnx2mcu_avg_pool_params *p, const int8_t *input, int8_t *output)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, ch = p->input.c;
    int32_t oy, ox, cc, ky, kx;
    for (oy = 0; oy < p->output.h; ++oy) {
        const int32_t base_y = oy * p->stride_h - p->pad_top;
        for (ox = 0; ox < p->output.w; ++ox) {
            const int32_t base_x = ox * p->stride_w - p->pad_left;
            for (cc = 0; cc < ch; ++cc) {
                int32_t sum = 0, count = 0, avg;
                for (ky = 0; ky < p->kernel_h; ++ky) {
                    const int32_t iy = base_y + ky;
                    for (kx = 0; kx < p->kernel_w; ++kx) {
                        const int32_t ix = base_x + kx;
                        if (iy < 0 || iy >= in_h || ix < 0 || ix >= in_w) {
                            if (p->count_include_pad) {
                                sum += p->zero_point;
                                ++count;
                            }
                        } else {
                            sum += input[(iy * in_w + ix) * ch + cc];
                            ++count;
                        }
                    }
                }
                if (count == 0) {
                    avg = p->zero_point; /* a window entirely in the padding: real 0 */
                } else {
                    avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
                }
                output[(oy * p->output.w + ox) * ch + cc] =
                    (int8_t)onnx2mcu_clamp(avg, p->act_min, p->act_max);
            }
        }
    }
}
