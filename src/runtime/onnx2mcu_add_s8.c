/*
 * onnx2mcu_add_s8.c - int8 elementwise addition, TFLite's arithmetic (see onnx2mcu_add_s8.h).
 * |x + offset| <= 255 and left_shift = 20 keep every shifted value below 2^28: no overflow.
 */
#include "onnx2mcu_add_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_add_s8(const onnx2mcu_add_params *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const int32_t a = (int32_t)((uint32_t)(input1[i] + p->input1_offset) << p->left_shift);
        const int32_t b = (int32_t)((uint32_t)(input2[i] + p->input2_offset) << p->left_shift);
        const int32_t sum = onnx2mcu_mbqm(a, p->input1_multiplier, p->input1_shift) +
                            onnx2mcu_mbqm(b, p->input2_multiplier, p->input2_shift);
        const int32_t y = onnx2mcu_mbqm(sum, p->output_multiplier, p->output_shift) + p->output_offset;
        output[i] = (int8_t)onnx2mcu_clamp(y, p->act_min, p->act_max);
    }
}
