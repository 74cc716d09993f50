/* onnx2mcu_add_s8.h - int8 elementwise addition of two tensors of the same shape (TFLite's ADD). */
#ifndef ONNX2MCU_ADD_S8_H
#define ONNX2MCU_ADD_S8_H

#include "onnx2mcu_types.h"

/*
 * Each input is rescaled to a common scale with 20 bits of headroom, summed, and requantized:
 *   a_i = mbqm((x_i + input_offset_i) << left_shift, input_multiplier_i, input_shift_i)
 *   out = clamp(mbqm(a_1 + a_2, output_multiplier, output_shift) + output_offset, act_min, act_max)
 * (input_offset = -zero point; shifts <= 0: rounding right shifts).
 */
typedef struct {
    int32_t size; /* elements of each input and of the output */
    int32_t left_shift;
    int32_t input1_offset;
    int32_t input1_multiplier;
    int32_t input1_shift;
    int32_t input2_offset;
    int32_t input2_multiplier;
    int32_t input2_shift;
    int32_t output_multiplier;
    int32_t output_shift;
    int32_t output_offset;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_add_params;

void onnx2mcu_add_s8(const onnx2mcu_add_params *p, const int8_t *input1, const int8_t *input2,
                     int8_t *output);

#endif /* ONNX2MCU_ADD_S8_H */
