/* onnx2mcu_max_pool_s8.h - int8 max pooling (output keeps the input's scale and zero point). */
#ifndef ONNX2MCU_MAX_POOL_S8_H
#define ONNX2MCU_MAX_POOL_S8_H

#include "onnx2mcu_types.h"

typedef struct {
    onnx2mcu_dims input;
    onnx2mcu_dims output;
    int32_t kernel_h;
    int32_t kernel_w;
    int32_t stride_h;
    int32_t stride_w;
    int32_t pad_top;
    int32_t pad_left;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_max_pool_params;

/* The largest value of each window's positions inside the input (padding is not a candidate), clamped. */
void onnx2mcu_max_pool_s8(const onnx2mcu_max_pool_params *p, const int8_t *input, int8_t *output);

#endif /* ONNX2MCU_MAX_POOL_S8_H */
