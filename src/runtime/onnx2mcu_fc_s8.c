/* onnx2mcu_fc_s8.c - int8 fully connected layer: out[o] = requant(bias[o] + sum_k w[o, k] * x[k]). */
#include "onnx2mcu_fc_s8.h"
#include "onnx2mcu_arith.h"

void onnx2mcu_fc_s8(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d,
                    const int8_t *input, int8_t *output)
{
    const int32_t k_len = p->in_features;
    int32_t o, k;
    for (o = 0; o < p->out_features; ++o) {
        const int8_t *w = d->weights + o * k_len;
        int32_t acc = d->bias[o];
        for (k = 0; k + 3 < k_len; k += 4) {
            acc += w[k] * input[k] + w[k + 1] * input[k + 1] + w[k + 2] * input[k + 2] +
                   w[k + 3] * input[k + 3];
        }
        for (; k < k_len; ++k) {
            acc += w[k] * input[k];
        }
        acc = onnx2mcu_mbqm(acc, d->multiplier[o], d->shift[o]) + p->output_zero_point;
        output[o] = (int8_t)onnx2mcu_clamp(acc, p->act_min, p->act_max);
    }
}
