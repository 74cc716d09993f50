/* onnx2mcu_fc_s8.h - fully connected kernel. */
#ifndef ONNX2MCU_FC_S8_H
#define ONNX2MCU_FC_S8_H

#include "onnx2mcu_types.h"

typedef struct {
    int32_t in_features;  /* K */
    int32_t out_features; /* O */
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t act_min;
    int32_t act_max;
} onnx2mcu_fc_params;

/* Fully connected: input K int8 values, weights (O, K), output O values. */
void onnx2mcu_fc_s8(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d,
                    const int8_t *input, int8_t *output);


#endif /* ONNX2MCU_FC_S8_H */
