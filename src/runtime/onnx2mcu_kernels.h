/*
 * onnx2mcu_kernels.h - int8 inference kernels (CMSIS-NN style: one kernel per file, parameters in
 * structs, caller-owned buffers, no malloc, no floating point).
 *
 * Conventions
 * - Activations are int8, channels-last (NHWC), batch 1: element (y, x, c) of an H x W x C tensor
 *   is at (y * W + x) * C + c.
 * - Weights are int8, symmetric (zero point 0): conv OHWI, depthwise 1HWC (HW x C*mult, output
 *   channel oc = ic * mult + m), fully connected (O, K) row-major.
 * - bias[c] is the accumulator's starting value with the input zero-point term folded in:
 *       bias[c] = bias_q[c] - zp_in * sum(w[c, ...])
 *   so a kernel accumulates sum(w * x) over the taps inside the input. A tap in the padding reads
 *   the value zp_in (real 0); kernels add zp_in * w for it, which cancels the folded term exactly.
 * - Requantization per output channel: y = mbqm(acc, multiplier[c], shift[c]) (onnx2mcu_arith.h),
 *   out = clamp(y + output_zero_point, act_min, act_max).
 * - Pads are given as top/left; bottom/right follow from the output size.
 * - Accumulators are int32: |w| <= 127, |x - zp| <= 255 and K <= 2^16 taps keeps every partial sum
 *   below 2^31 for the layer sizes this project emits (the emitter checks the bound).
 */
#ifndef ONNX2MCU_KERNELS_H
#define ONNX2MCU_KERNELS_H

#include <stdint.h>

/* The shape of one activation tensor: H x W x C, batch 1, channels last. */
typedef struct {
    int32_t h;
    int32_t w;
    int32_t c;
} onnx2mcu_dims;

/* Constant data of one conv / depthwise / fully connected layer (in flash, or in a loaded blob). */
typedef struct {
    const int8_t *weights;
    const int32_t *bias;       /* zp_in term folded in (see above) */
    const int32_t *multiplier; /* per output channel */
    const int32_t *shift;      /* per output channel; > 0 left shift, < 0 rounding right shift */
} onnx2mcu_layer_data;

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

typedef struct {
    onnx2mcu_conv_params conv;
    int32_t depth_multiplier; /* output channels = input channels * depth_multiplier */
} onnx2mcu_dw_conv_params;

typedef struct {
    int32_t in_features;  /* K */
    int32_t out_features; /* O */
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_fc_params;

/* Average pooling keeps the input's scale and zero point (TFLite); only clamps. */
typedef struct {
    onnx2mcu_dims input;
    onnx2mcu_dims output;
    int32_t kernel_h;
    int32_t kernel_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t count_include_pad; /* 1: padded taps count and read zero_point; 0: skipped */
    int32_t zero_point;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_avg_pool_params;

typedef struct {
    onnx2mcu_dims input; /* output is 1 x 1 x input.c */
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_global_avg_pool_params;

/* General convolution: any kernel, stride, dilation and padding. */
void onnx2mcu_conv_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                      const int8_t *input, int8_t *output);

/* Fast path: 1x1 kernel, stride 1, no padding (pointwise). Same result as onnx2mcu_conv_s8. */
void onnx2mcu_conv_1x1_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                          const int8_t *input, int8_t *output);

/* General depthwise convolution: any kernel, stride, dilation, padding and depth multiplier. */
void onnx2mcu_dw_conv_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output);

/*
 * Fast path: 3x3 kernel, depth multiplier 1, dilation 1, any stride, pads <= 1.
 * Same result as onnx2mcu_dw_conv_s8.
 *
 * In place: output may alias input (output == input) when stride is 1 and output and input have
 * the same shape, given `rows` scratch of onnx2mcu_dw_conv_3x3_scratch_bytes(p) bytes; the kernel
 * keeps a copy of the input rows it still needs before overwriting them. Pass rows = 0 (and
 * distinct buffers) otherwise.
 */
void onnx2mcu_dw_conv_3x3_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *rows);
int32_t onnx2mcu_dw_conv_3x3_scratch_bytes(const onnx2mcu_dw_conv_params *p);

/* Fully connected: input K int8 values, weights (O, K), output O values. */
void onnx2mcu_fc_s8(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d,
                    const int8_t *input, int8_t *output);

/* Average pooling, rounded mean as TFLite: (sum +- count/2) / count. */
void onnx2mcu_avg_pool_s8(const onnx2mcu_avg_pool_params *p, const int8_t *input, int8_t *output);

/* Global average pooling over H x W per channel, same rounding. */
void onnx2mcu_global_avg_pool_s8(const onnx2mcu_global_avg_pool_params *p, const int8_t *input,
                                 int8_t *output);

/* Layout changes (dims describe the tensor; both buffers hold h * w * c bytes). */
void onnx2mcu_nchw_to_nhwc_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output);
void onnx2mcu_nhwc_to_nchw_s8(const onnx2mcu_dims *d, const int8_t *input, int8_t *output);

#endif /* ONNX2MCU_KERNELS_H */
