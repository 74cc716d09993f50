/* onnx2mcu_avg_pool_s8.h - average pooling kernels (windowed and global). */
#ifndef ONNX2MCU_AVG_POOL_S8_H
#define ONNX2MCU_AVG_POOL_S8_H

#include "onnx2mcu_types.h"

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

/* Average pooling, rounded mean as TFLite: (sum +- count/2) / count. */
void onnx2mcu_avg_pool_s8(const onnx2mcu_avg_pool_params *p, const int8_t *input, int8_t *output);

/* Global average pooling over H x W per channel, same rounding. */
void onnx2mcu_global_avg_pool_s8(const onnx2mcu_global_avg_pool_params *p, const int8_t *input,
                                 int8_t *output);


#endif /* ONNX2MCU_AVG_POOL_S8_H */
