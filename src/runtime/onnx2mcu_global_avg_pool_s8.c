/* onnx2mcu_global_avg_pool_s8.c - mean over H x W per channel, TFLite rounding, same scale and zero point. */
#include "onnx2mcu_avg_pool_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_global_avg_pool_s8(const onnx2mcu_global_avg_pool_params *p, const int8_t *input,
                                 int8_t *output)
{
    const int32_t count = p->input.h * p->input.w, ch = p->input.c;
    int32_t cc = 0, i;
#if ONNX2MCU_MVE
    /* Helium: the sums of four channels at a time, one widening load per pixel */
    for (; cc + 4 <= ch; cc += 4) {
        int32x4_t acc = vdupq_n_s32(0);
        int32_t sums[4], k;
        for (i = 0; i < count; ++i) {
            acc = vaddq_s32(acc, vldrbq_s32(input + i * ch + cc));
        }
        vstrwq_s32(sums, acc);
        for (k = 0; k < 4; ++k) {
            const int32_t sum = sums[k];
            const int32_t avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
            output[cc + k] = (int8_t)onnx2mcu_clamp(avg, p->act_min, p->act_max);
        }
    }
#endif
    for (; cc < ch; ++cc) {
        int32_t sum = 0, avg;
        for (i = 0; i < count; ++i) {
            sum += input[i * ch + cc];
        }
        avg = sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count;
        output[cc] = (int8_t)onnx2mcu_clamp(avg, p->act_min, p->act_max);
    }
}
