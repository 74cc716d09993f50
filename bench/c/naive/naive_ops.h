/*
 * naive_ops.h - the benchmark's naive loop-nest int8 layers (bench/c, not part of the product).
 *
 * The same int8 arithmetic as the generated runner (DESIGN.md, TFLite "double rounding"), written
 * the plainest way: one nested loop per output element, weights in the IR's own layout (conv OIHW,
 * depthwise (C*mult)1HW, fully connected (O, K) over the NCHW flattening), activations NHWC,
 * acc = bias + sum w * (x - zp_in) with the zero-point term NOT folded into the bias, padded taps
 * skipped (x - zp_in = 0 there), every layer writing its own buffer (nothing in place), no fast paths.
 * It shares no code with src/runtime: it is the baseline for the speed-up and an independent
 * cross-check of the generated runner's outputs.
 */
#ifndef NAIVE_OPS_H
#define NAIVE_OPS_H

#include <stdint.h>

/* Geometry, quantization and constants of one layer (fields unused by an op are 0). */
typedef struct {
    int32_t in_h, in_w, in_c;     /* input, NHWC */
    int32_t out_h, out_w, out_c;  /* output, NHWC */
    int32_t kernel_h, kernel_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left, pad_bottom, pad_right;
    int32_t depth_multiplier;     /* depthwise: output channel oc reads input channel oc / mult */
    int32_t count_include_pad;    /* average pool */
    int32_t in_zp, out_zp;
    int32_t act_min, act_max;
    const int8_t *weights;        /* IR layout (see above) */
    const int32_t *bias;          /* int32 at s_in * s_w[c]; zp_in term NOT folded in */
    const int32_t *multiplier;    /* M_c = multiplier * 2^(shift - 31) */
    const int32_t *shift;
} naive_layer;

/* DESIGN.md primitives. */
int32_t naive_srdhm(int32_t a, int32_t b);
int32_t naive_rdbpot(int32_t x, int32_t n);
int32_t naive_requantize(int32_t acc, int32_t multiplier, int32_t shift);

void naive_conv2d(const naive_layer *l, const int8_t *input, int8_t *output);
void naive_depthwise_conv2d(const naive_layer *l, const int8_t *input, int8_t *output);
/* The input is read in NCHW flattening order (k = (c * in_h + y) * in_w + x) from the NHWC buffer. */
void naive_fully_connected(const naive_layer *l, const int8_t *input, int8_t *output);
void naive_average_pool(const naive_layer *l, const int8_t *input, int8_t *output);
void naive_global_average_pool(const naive_layer *l, const int8_t *input, int8_t *output);

#endif /* NAIVE_OPS_H */
