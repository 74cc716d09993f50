/* onnx2mcu_conv_s8.h - 2-D convolution kernels (general, and the 1x1 pointwise fast path). */
#ifndef ONNX2MCU_CONV_S8_H
#define ONNX2MCU_CONV_S8_H

#include "onnx2mcu_types.h"

/* Geometry and quantization of a 2-D convolution (also used by depthwise conv). */
typedef struct {
    onnx2mcu_dims input;
    onnx2mcu_dims output;
    int32_t kernel_h;
    int32_t kernel_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t dilation_h;
    int32_t dilation_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_conv_params;

/* General convolution: any kernel, stride, dilation and padding. */
void onnx2mcu_conv_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                      const int8_t *input, int8_t *output);

/*
 * Fast path: 1x1 kernel, stride 1, no padding (pointwise). Same result as onnx2mcu_conv_s8 for
 * layers whose requantization bounds allow onnx2mcu_requant (|acc| < 2^30, negative shifts or a
 * zero multiplier: the emitter checks). `scratch`: onnx2mcu_conv_1x1_scratch_bytes(p) bytes,
 * 4-byte aligned (four pixels widened to int16 on the DSP path).
 */
void onnx2mcu_conv_1x1_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                          const int8_t *input, int8_t *output, int32_t *scratch);
int32_t onnx2mcu_conv_1x1_scratch_bytes(const onnx2mcu_conv_params *p);

/*
 * Any kernel as a matrix product over gathered windows (im2col): the first layer of a MobileNet.
 * Same result as onnx2mcu_conv_s8 for layers whose requantization bounds allow onnx2mcu_requant (the
 * emitter checks). `scratch`: onnx2mcu_conv_im2col_scratch_bytes(p) bytes, 4-byte aligned.
 */
void onnx2mcu_conv_im2col_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *scratch);
int32_t onnx2mcu_conv_im2col_scratch_bytes(const onnx2mcu_conv_params *p);


#endif /* ONNX2MCU_CONV_S8_H */
