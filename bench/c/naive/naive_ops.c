/* naive_ops.c - naive loop-nest int8 layers for the benchmark baseline (see naive_ops.h). */
#include "naive_ops.h"

/* SRDHM(a, b): INT32_MAX if a == b == INT32_MIN, else (a*b + (a*b >= 0 ? 2^30 : 1 - 2^30)) / 2^31
 * in 64 bits, truncated toward zero (C99 '/' truncates). */
int32_t naive_srdhm(int32_t a, int32_t b)
{
    int64_t ab;
    if (a == INT32_MIN && b == INT32_MIN) {
        return INT32_MAX;
    }
    ab = (int64_t)a * (int64_t)b;
    if (ab >= 0) {
        return (int32_t)((ab + ((int64_t)1 << 30)) / ((int64_t)1 << 31));
    }
    return (int32_t)((ab + 1 - ((int64_t)1 << 30)) / ((int64_t)1 << 31));
}

/* RDBPOT(x, n) = (x >> n) + ((x & mask) > threshold); mask = 2^n - 1,
 * threshold = (mask >> 1) + (x < 0). Arithmetic right shift of negatives, as on gcc/clang. */
int32_t naive_rdbpot(int32_t x, int32_t n)
{
    int32_t mask = (int32_t)(((int64_t)1 << n) - 1);
    int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    int32_t result = x >> n;
    if ((x & mask) > threshold) {
        result += 1;
    }
    return result;
}

/* y = RDBPOT(SRDHM(acc * 2^max(e,0), M0), max(-e,0)); the left shift wraps modulo 2^32. */
int32_t naive_requantize(int32_t acc, int32_t multiplier, int32_t shift)
{
    int32_t left = shift > 0 ? shift : 0;
    int32_t right = shift > 0 ? 0 : -shift;
    int32_t scaled = (int32_t)((uint32_t)acc << left);
    return naive_rdbpot(naive_srdhm(scaled, multiplier), right);
}

static int8_t naive_output(const naive_layer *l, int32_t acc, int32_t oc)
{
    int32_t y = naive_requantize(acc, l->multiplier[oc], l->shift[oc]) + l->out_zp;
    if (y < l->act_min) {
        y = l->act_min;
    }
    if (y > l->act_max) {
        y = l->act_max;
    }
    return (int8_t)y;
}

void naive_conv2d(const naive_layer *l, const int8_t *input, int8_t *output)
{
    int32_t oy, ox, oc, ic, ky, kx;
    for (oy = 0; oy < l->out_h; oy++) {
        for (ox = 0; ox < l->out_w; ox++) {
            for (oc = 0; oc < l->out_c; oc++) {
                int32_t acc = l->bias[oc];
                for (ic = 0; ic < l->in_c; ic++) {
                    for (ky = 0; ky < l->kernel_h; ky++) {
                        for (kx = 0; kx < l->kernel_w; kx++) {
                            int32_t iy = oy * l->stride_h - l->pad_top + ky * l->dilation_h;
                            int32_t ix = ox * l->stride_w - l->pad_left + kx * l->dilation_w;
                            if (iy >= 0 && iy < l->in_h && ix >= 0 && ix < l->in_w) {
                                int32_t x = input[(iy * l->in_w + ix) * l->in_c + ic];
                                int32_t w = l->weights[((oc * l->in_c + ic) * l->kernel_h + ky) * l->kernel_w + kx];
                                acc += w * (x - l->in_zp);
                            }
                        }
                    }
                }
                output[(oy * l->out_w + ox) * l->out_c + oc] = naive_output(l, acc, oc);
            }
        }
    }
}

void naive_depthwise_conv2d(const naive_layer *l, const int8_t *input, int8_t *output)
{
    int32_t oy, ox, oc, ky, kx;
    for (oy = 0; oy < l->out_h; oy++) {
        for (ox = 0; ox < l->out_w; ox++) {
            for (oc = 0; oc < l->out_c; oc++) {
                int32_t ic = oc / l->depth_multiplier;
                int32_t acc = l->bias[oc];
                for (ky = 0; ky < l->kernel_h; ky++) {
                    for (kx = 0; kx < l->kernel_w; kx++) {
                        int32_t iy = oy * l->stride_h - l->pad_top + ky * l->dilation_h;
                        int32_t ix = ox * l->stride_w - l->pad_left + kx * l->dilation_w;
                        if (iy >= 0 && iy < l->in_h && ix >= 0 && ix < l->in_w) {
                            int32_t x = input[(iy * l->in_w + ix) * l->in_c + ic];
                            int32_t w = l->weights[(oc * l->kernel_h + ky) * l->kernel_w + kx];
                            acc += w * (x - l->in_zp);
                        }
                    }
                }
                output[(oy * l->out_w + ox) * l->out_c + oc] = naive_output(l, acc, oc);
            }
        }
    }
}

void naive_fully_connected(const naive_layer *l, const int8_t *input, int8_t *output)
{
    int32_t o, c, y, x;
    const int32_t k_len = l->in_c * l->in_h * l->in_w;
    for (o = 0; o < l->out_c; o++) {
        int32_t acc = l->bias[o];
        for (c = 0; c < l->in_c; c++) {
            for (y = 0; y < l->in_h; y++) {
                for (x = 0; x < l->in_w; x++) {
                    int32_t k = (c * l->in_h + y) * l->in_w + x;
                    int32_t v = input[(y * l->in_w + x) * l->in_c + c];
                    acc += l->weights[o * k_len + k] * (v - l->in_zp);
                }
            }
        }
        output[o] = naive_output(l, acc, o);
    }
}

/* TFLite rounded mean: (sum +- count/2) / count, C division truncating toward zero. */
static int32_t naive_rounded_mean(int32_t sum, int32_t count)
{
    if (sum > 0) {
        return (sum + count / 2) / count;
    }
    return (sum - count / 2) / count;
}

static int8_t naive_clamp8(const naive_layer *l, int32_t v)
{
    if (v < l->act_min) {
        v = l->act_min;
    }
    if (v > l->act_max) {
        v = l->act_max;
    }
    return (int8_t)v;
}

void naive_average_pool(const naive_layer *l, const int8_t *input, int8_t *output)
{
    int32_t oy, ox, c, ky, kx;
    for (oy = 0; oy < l->out_h; oy++) {
        for (ox = 0; ox < l->out_w; ox++) {
            for (c = 0; c < l->out_c; c++) {
                int32_t sum = 0, count = 0, v;
                for (ky = 0; ky < l->kernel_h; ky++) {
                    for (kx = 0; kx < l->kernel_w; kx++) {
                        int32_t iy = oy * l->stride_h - l->pad_top + ky;
                        int32_t ix = ox * l->stride_w - l->pad_left + kx;
                        if (iy >= 0 && iy < l->in_h && ix >= 0 && ix < l->in_w) {
                            sum += input[(iy * l->in_w + ix) * l->in_c + c];
                            count++;
                        } else if (l->count_include_pad && iy >= -l->pad_top && iy < l->in_h + l->pad_bottom &&
                                   ix >= -l->pad_left && ix < l->in_w + l->pad_right) {
                            sum += l->in_zp; /* a padded position reads the zero point (real 0) */
                            count++;
                        }
                    }
                }
                v = count > 0 ? naive_rounded_mean(sum, count) : l->in_zp;
                output[(oy * l->out_w + ox) * l->out_c + c] = naive_clamp8(l, v);
            }
        }
    }
}

void naive_global_average_pool(const naive_layer *l, const int8_t *input, int8_t *output)
{
    int32_t c, y, x;
    for (c = 0; c < l->in_c; c++) {
        int32_t sum = 0;
        for (y = 0; y < l->in_h; y++) {
            for (x = 0; x < l->in_w; x++) {
                sum += input[(y * l->in_w + x) * l->in_c + c];
            }
        }
        output[c] = naive_clamp8(l, naive_rounded_mean(sum, l->in_h * l->in_w));
    }
}
