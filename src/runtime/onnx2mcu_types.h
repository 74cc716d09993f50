/*
 * onnx2mcu_types.h - what every int8 kernel shares (CMSIS-NN style: one kernel per file with its own
 * header, parameters in structs, caller-owned buffers, no malloc, no floating point).
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
#ifndef ONNX2MCU_TYPES_H
#define ONNX2MCU_TYPES_H

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

#endif /* ONNX2MCU_TYPES_H */
