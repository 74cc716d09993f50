/* onnx2mcu_global_avg_pool_s8.c - mean over H x W per channel, TFLite rounding, same scale and zero point. */
#include "onnx2mcu_avg_pool_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_global_avg_pool_s8(const onnx2mcu_global_avg_pool_params *p, const int8_t *input,
                                 int8_t *output)
{
    const int32_t count = p->input.h * p->input.w, ch = p->input.c;
    int32_t cc, i;
    for (cc = 0; cc < ch; ++cc) {
        int32_t sum = 0, avg;
        for (i = 0; i < count; ++i) {
            sum += input[i * ch + cc];
        }
        avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
        output[cc] = (int8_t)onnx2mcu_clamp(avg, p->act_min, p->act_max);
    }
}
