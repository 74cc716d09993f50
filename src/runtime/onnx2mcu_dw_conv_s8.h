/* onnx2mcu_dw_conv_s8.h - depthwise convolution kernels (general, and the 3x3 fast path). */
#ifndef ONNX2MCU_DW_CONV_S8_H
#define ONNX2MCU_DW_CONV_S8_H

#include "onnx2mcu_types.h"

#include "onnx2mcu_conv_s8.h"

typedef struct {
    onnx2mcu_conv_params conv;
    int32_t depth_multiplier; /* output channels = input channels * depth_multiplier */
} onnx2mcu_dw_conv_params;

/* General depthwise convolution: any kernel, stride, dilation, padding and depth multiplier. */
void onnx2mcu_dw_conv_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output);

/*
 * Fast path: 3x3 kernel, depth multiplier 1, dilation 1, any stride, pads <= 1, for layers whose
 * requantization bounds allow onnx2mcu_requant (the emitter checks). Same result as
 * onnx2mcu_dw_conv_s8. `scratch`: onnx2mcu_dw_conv_3x3_scratch_bytes(p) bytes, 4-byte aligned
 * (padded input rows). Output may alias input (output == input) when the stride is 1 and output
 * and input have the same shape.
 */
void onnx2mcu_dw_conv_3x3_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *scratch);
int32_t onnx2mcu_dw_conv_3x3_scratch_bytes(const onnx2mcu_dw_conv_params *p);

/*
 * The same layer pixel by pixel on every core: less scratch (one pixel, and two input rows when in
 * place), for the memory planner to pick where the row ring's scratch would set the arena's peak.
 * Channels a multiple of 4, stride 1 or 2. `scratch`: onnx2mcu_dw_conv_3x3_pixels_scratch_bytes(p).
 */
void onnx2mcu_dw_conv_3x3_pixels_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                                    const int8_t *input, int8_t *output, int8_t *scratch);
int32_t onnx2mcu_dw_conv_3x3_pixels_scratch_bytes(const onnx2mcu_dw_conv_params *p);


#endif /* ONNX2MCU_DW_CONV_S8_H */
