/*
 * onnx2mcu_conv_im2col_s8.c - convolution as a matrix product over gathered windows (im2col), for
 * any kernel, stride, dilation and padding whose requantization bounds allow onnx2mcu_requant (the
 * emitter checks). MobileNet's first layer (3x3, stride 2, three input channels) is the case it is
 * written for: too few channels for the pointwise kernel, too many multiply-accumulates per output
 * for a tap-by-tap loop.
 *
 * Each output pixel's window is copied into a column of K = kernel_h * kernel_w * in_c int8 values
 * (the OHWI weight order; taps in the padding read zp_in), K rounded up to K4, a multiple of 4, with
 * zeros. Columns are built four (DSP path) or two (portable path) pixels at a time and multiplied with
 * every output channel's weights:
 * - DSP (Cortex-M4/M7/M33): onnx2mcu_gemm4_s8 on the four columns widened to int16 (onnx2mcu_gemm_s8.h).
 *   When K is not a multiple of 4 the weights are first copied into scratch rows of K4 (zeros after
 *   K), so that the product reads whole words.
 * - MVE (Cortex-M55): four columns at a time through onnx2mcu_gemm1_s8 (predicated loads cover K).
 * - portable C otherwise: two pixels x two output channels per pass.
 *
 * Scratch (onnx2mcu_conv_im2col_scratch_bytes): four columns (4 * K4), their widened copy (8 * K4)
 * and, when K % 4 != 0, the padded weights (out_c * K4); the same on every path.
 */
#include <string.h>
#include "onnx2mcu_conv_s8.h"
#include "onnx2mcu_gemm_s8.h"

static int32_t window_k(const onnx2mcu_conv_params *p)
{
    return p->kernel_h * p->kernel_w * p->input.c;
}

static int32_t round4(int32_t k)
{
    return (k + 3) & ~3;
}

int32_t onnx2mcu_conv_im2col_scratch_bytes(const onnx2mcu_conv_params *p)
{
    const int32_t k = window_k(p), k4 = round4(k);
    return 12 * k4 + (k == k4 ? 0 : p->output.c * k4);
}

/* n bytes from src to dst (neither aligned): 16 per predicated vector on Helium, else a word at a time. */
static void copy_bytes(int8_t *dst, const int8_t *src, int32_t n)
{
#if ONNX2MCU_MVE
    if (n <= 16) {
        /* one window row of a first layer (kernel_w * in_c bytes): one predicated load and store */
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
        return;
    }
    for (; n > 0; n -= 16) {
        const mve_pred16_t p = vctp8q((uint32_t)n);
        vstrbq_p_s8(dst, vldrbq_z_s8(src, p), p);
        dst += 16;
        src += 16;
    }
#endif
    for (; n >= 4; n -= 4) {
        memcpy(dst, src, 4);
        dst += 4;
        src += 4;
    }
    for (; n > 0; --n) {
        *dst++ = *src++;
    }
}

/* The window of output pixel (oy, ox) as K values (the zeros up to K4 are written once, by the caller). */
static void gather_column(const onnx2mcu_conv_params *p, const int8_t *input, int32_t oy, int32_t ox,
                          int8_t *col)
{
    const int32_t in_h = p->input.h, in_w = p->input.w, in_c = p->input.c;
    const int32_t kw = p->kernel_w, zp = p->input_zero_point;
    const int32_t base_y = oy * p->stride_h - p->pad_top;
    const int32_t base_x = ox * p->stride_w - p->pad_left;
    const int32_t last_x = base_x + (kw - 1) * p->dilation_w;
    int32_t ky, kx, c;
    int8_t *dst = col;
    if (p->dilation_h == 1 && p->dilation_w == 1 && base_y >= 0 && base_y + p->kernel_h <= in_h && base_x >= 0 &&
        last_x < in_w) {
        /* the window inside the image (nearly every pixel): kernel_h contiguous runs, no checks per row */
        const int32_t n = kw * in_c, row = in_w * in_c;
        const int8_t *src = input + (base_y * in_w + base_x) * in_c;
#if !ONNX2MCU_MVE
        if (n == 9 && p->kernel_h == 3) {
            /* MobileNet's first layer (3x3 taps of 3 channels): three runs of 9 bytes, no loop */
            memcpy(dst, src, 9);
            memcpy(dst + 9, src + row, 9);
            memcpy(dst + 18, src + 2 * row, 9);
            return;
        }
#endif
        for (ky = 0; ky < p->kernel_h; ++ky, src += row, dst += n) {
            copy_bytes(dst, src, n);
        }
        return;
    }
    for (ky = 0; ky < p->kernel_h; ++ky) {
        const int32_t iy = base_y + ky * p->dilation_h;
        if (iy < 0 || iy >= in_h) {
            memset(dst, (int)(int8_t)zp, (size_t)(kw * in_c)); /* padding reads zp_in */
            dst += kw * in_c;
        } else if (p->dilation_w == 1 && base_x >= 0 && last_x < in_w) {
            copy_bytes(dst, input + (iy * in_w + base_x) * in_c, kw * in_c); /* the row's taps are contiguous */
            dst += kw * in_c;
        } else {
            for (kx = 0; kx < kw; ++kx) {
                const int32_t ix = base_x + kx * p->dilation_w;
                const int8_t *src = input + (iy * in_w + ix) * in_c;
                const int inside = ix >= 0 && ix < in_w;
                for (c = 0; c < in_c; ++c) {
                    *dst++ = inside ? src[c] : (int8_t)zp;
                }
            }
        }
    }
}

/* The output pixel after (oy, ox) in row-major order. */
static void next_pixel(int32_t *oy, int32_t *ox, int32_t out_w)
{
    if (++*ox == out_w) {
        *ox = 0;
        ++*oy;
    }
}

static onnx2mcu_out_q out_q(const onnx2mcu_conv_params *p)
{
    onnx2mcu_out_q q;
    q.zero_point = p->output_zero_point;
    q.act_min = p->act_min;
    q.act_max = p->act_max;
    return q;
}

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
static void conv_im2col_dsp(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                            const int8_t *input, int8_t *output, int8_t *scratch)
{
    const int32_t out_w = p->output.w, out_c = p->output.c, pixels = p->output.h * out_w;
    const int32_t k = window_k(p), k4 = round4(k);
    int8_t *const cols = scratch;
    int32_t *const wide = (int32_t *)(void *)(scratch + 4 * k4);
    onnx2mcu_layer_data padded = *d;
    const onnx2mcu_out_q q = out_q(p);
    int32_t px, j, oy = 0, ox = 0;
    memset(cols, 0, (size_t)(4 * k4)); /* the columns' zeros after K stay */
    if (k != k4) {
        int8_t *w = scratch + 12 * k4;
        int32_t oc;
        for (oc = 0; oc < out_c; ++oc) {
            memcpy(w + oc * k4, d->weights + oc * k, (size_t)k);
            memset(w + oc * k4 + k, 0, (size_t)(k4 - k));
        }
        padded.weights = w;
    }
    for (px = 0; px < pixels; px += 4) {
        const int32_t valid = pixels - px < 4 ? pixels - px : 4;
        for (j = 0; j < valid; ++j) {
            gather_column(p, input, oy, ox, cols + j * k4);
            next_pixel(&oy, &ox, out_w);
        }
        for (; j < 4; ++j) {
            /* past the last pixel, repeat it: its results are not stored */
            memcpy(cols + j * k4, cols + (valid - 1) * k4, (size_t)k4);
        }
        onnx2mcu_widen4(cols, cols + k4, cols + 2 * k4, cols + 3 * k4, k4 / 4, wide);
        onnx2mcu_gemm4_s8(wide, k4 / 4, &padded, out_c, q, output + px * out_c, out_c, valid);
    }
}
#endif

#if ONNX2MCU_MVE
static void conv_im2col_mve(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                            const int8_t *input, int8_t *output, int8_t *scratch)
{
    const int32_t out_w = p->output.w, out_c = p->output.c, pixels = p->output.h * out_w;
    const int32_t k = window_k(p), k4 = round4(k);
    const onnx2mcu_out_q q = out_q(p);
    int32_t px, j, oy = 0, ox = 0;
    for (px = 0; px < pixels; px += 4) {
        const int32_t n = pixels - px < 4 ? pixels - px : 4;
        for (j = 0; j < n; ++j) {
            gather_column(p, input, oy, ox, scratch + j * k4);
            next_pixel(&oy, &ox, out_w);
        }
        onnx2mcu_gemm1_s8(scratch, k, k4, n, d->weights, k, d, out_c, q, output + px * out_c, 0);
    }
}
#endif

#if !ONNX2MCU_DSP
/* s_ij += x_i . w_j over n values (a function of its own so that the loop gets all registers). */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dot_2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1, int32_t n,
                    int32_t acc[4])
{
    int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
    int32_t i;
    for (i = 0; i < n; ++i) {
        const int32_t xa = x0[i], xb = x1[i], wa = w0[i], wb = w1[i];
        a00 += xa * wa;
        a01 += xa * wb;
        a10 += xb * wa;
        a11 += xb * wb;
    }
    acc[0] = a00;
    acc[1] = a01;
    acc[2] = a10;
    acc[3] = a11;
}

static void conv_im2col_portable(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                                 const int8_t *input, int8_t *output, int8_t *scratch)
{
    const int32_t out_w = p->output.w, out_c = p->output.c, pixels = p->output.h * out_w;
    const int32_t k = window_k(p), k4 = round4(k);
    const onnx2mcu_out_q q = out_q(p);
    int8_t *const col0 = scratch, *const col1 = scratch + k4;
    int32_t px, oc, oy = 0, ox = 0;
    for (px = 0; px < pixels; px += 2) {
        const int two = px + 1 < pixels;
        int8_t *out = output + px * out_c;
        gather_column(p, input, oy, ox, col0);
        next_pixel(&oy, &ox, out_w);
        if (two) {
            gather_column(p, input, oy, ox, col1);
            next_pixel(&oy, &ox, out_w);
        }
        for (oc = 0; oc < out_c; oc += 2) {
            const int pair = oc + 1 < out_c;
            const int8_t *w0 = d->weights + oc * k;
            int32_t acc[4], n;
            acc[0] = acc[2] = d->bias[oc];
            acc[1] = acc[3] = pair ? d->bias[oc + 1] : 0;
            dot_2x2(col0, two ? col1 : col0, w0, pair ? w0 + k : w0, k, acc);
            n = -d->shift[oc];
            out[oc] = onnx2mcu_out_s8(acc[0], d->multiplier[oc], n, onnx2mcu_round(n), q, 0);
            if (two) {
                out[out_c + oc] = onnx2mcu_out_s8(acc[2], d->multiplier[oc], n, onnx2mcu_round(n), q, 0);
            }
            if (pair) {
                n = -d->shift[oc + 1];
                out[oc + 1] = onnx2mcu_out_s8(acc[1], d->multiplier[oc + 1], n, onnx2mcu_round(n), q, 0);
                if (two) {
                    out[out_c + oc + 1] = onnx2mcu_out_s8(acc[3], d->multiplier[oc + 1], n, onnx2mcu_round(n), q, 0);
                }
            }
        }
    }
}
#endif

void onnx2mcu_conv_im2col_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *scratch)
{
#if ONNX2MCU_MVE
    conv_im2col_mve(p, d, input, output, scratch);
#elif ONNX2MCU_DSP
    conv_im2col_dsp(p, d, input, output, scratch);
#else
    conv_im2col_portable(p, d, input, output, scratch);
#endif
}
