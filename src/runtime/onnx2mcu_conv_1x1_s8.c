/*
 * onnx2mcu_conv_1x1_s8.c - pointwise convolution: 1x1 kernel, stride 1, no padding. The layer is a
 * matrix product (pixels x in_c) * (in_c x out_c), computed over several pixels and output channels
 * at a time so that loaded inputs and weights are used more than once. Requantization is onnx2mcu_requant
 * (the emitter chose this kernel only for layers whose bounds allow it).
 *
 * Paths:
 * - DSP (Cortex-M4/M7/M33 and the M55 without MVE), in_c a multiple of 4: four pixels' inputs are
 *   first widened to int16 pairs in `scratch` (SXTB16: bytes 0,2 and 1,3 of each word, the same
 *   split the weights get), then each step of 4 input channels is 1 weight load, 2 SXTB16, 4 LDRD
 *   and 8 SMLAD (two multiply-accumulates each) for 16 multiply-accumulates.
 * - MVE (Cortex-M55): 16 input channels per VMLADAVA, four output channels per pass.
 * - portable C otherwise (host, Cortex-M0+/M3).
 */
#include "onnx2mcu_conv_s8.h"
#include "onnx2mcu_arith.h"

/* The requantization parameters of one output channel. */
typedef struct {
    int32_t multiplier;
    int32_t n;
    int32_t round;
} channel_q;

static channel_q channel(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, int32_t oc)
{
    channel_q q;
    q.multiplier = d->multiplier[oc];
    q.n = -d->shift[oc];
    q.round = onnx2mcu_round(q.n);
    (void)p;
    return q;
}

static int8_t store(int32_t acc, channel_q q, const onnx2mcu_conv_params *p)
{
    return (int8_t)onnx2mcu_clamp(onnx2mcu_requant(acc, q.multiplier, q.n, q.round) + p->output_zero_point, p->act_min, p->act_max);
}

/* One pixel, output channels [oc0, out_c), in plain C (also the remainders of the fast paths). */
static void pixel_tail(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, const int8_t *x,
                       int8_t *out, int32_t oc0)
{
    const int32_t in_c = p->input.c;
    int32_t oc, ic;
    for (oc = oc0; oc < p->output.c; ++oc) {
        const int8_t *w = d->weights + oc * in_c;
        int32_t acc = d->bias[oc];
        for (ic = 0; ic < in_c; ++ic) {
            acc += w[ic] * x[ic];
        }
        out[oc] = store(acc, channel(p, d, oc), p);
    }
}

#if ONNX2MCU_MVE
static void conv_1x1_mve(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    int32_t px, oc;
    for (px = 0; px < pixels; ++px) {
        const int8_t *x = input + px * in_c;
        int8_t *out = output + px * out_c;
        for (oc = 0; oc + 3 < out_c; oc += 4) {
            const int8_t *w0 = d->weights + oc * in_c;
            const int8_t *w1 = w0 + in_c, *w2 = w1 + in_c, *w3 = w2 + in_c;
            int32_t a0 = d->bias[oc], a1 = d->bias[oc + 1], a2 = d->bias[oc + 2], a3 = d->bias[oc + 3];
            int32_t left = in_c, k = 0;
            while (left > 0) {
                const mve_pred16_t pred = vctp8q((uint32_t)left);
                const int8x16_t xv = vldrbq_z_s8(x + k, pred);
                a0 = vmladavaq_p_s8(a0, xv, vldrbq_z_s8(w0 + k, pred), pred);
                a1 = vmladavaq_p_s8(a1, xv, vldrbq_z_s8(w1 + k, pred), pred);
                a2 = vmladavaq_p_s8(a2, xv, vldrbq_z_s8(w2 + k, pred), pred);
                a3 = vmladavaq_p_s8(a3, xv, vldrbq_z_s8(w3 + k, pred), pred);
                k += 16;
                left -= 16;
            }
            out[oc] = store(a0, channel(p, d, oc), p);
            out[oc + 1] = store(a1, channel(p, d, oc + 1), p);
            out[oc + 2] = store(a2, channel(p, d, oc + 2), p);
            out[oc + 3] = store(a3, channel(p, d, oc + 3), p);
        }
        pixel_tail(p, d, x, out, oc);
    }
}
#endif

#if ONNX2MCU_DSP
/*
 * Four pixels' in_c int8 values (a multiple of 4) widened to int16 pairs and interleaved, eight
 * words per step of 4 channels: for each pixel, bytes 0,2 then bytes 1,3 of its word — the order
 * the inner loop reads them in.
 */
static void widen4(const int8_t *x, int32_t in_c, int32_t *dst)
{
    const int32_t *p0 = (const int32_t *)(const void *)x;
    const int32_t *p1 = (const int32_t *)(const void *)(x + in_c);
    const int32_t *p2 = (const int32_t *)(const void *)(x + 2 * in_c);
    const int32_t *p3 = (const int32_t *)(const void *)(x + 3 * in_c);
    const int32_t *const end = p1;
    while (p0 != end) {
        const int32_t v0 = *p0++, v1 = *p1++, v2 = *p2++, v3 = *p3++;
        dst[0] = (int32_t)__sxtb16((uint32_t)v0);
        dst[1] = onnx2mcu_sxtb16_ror8(v0);
        dst[2] = (int32_t)__sxtb16((uint32_t)v1);
        dst[3] = onnx2mcu_sxtb16_ror8(v1);
        dst[4] = (int32_t)__sxtb16((uint32_t)v2);
        dst[5] = onnx2mcu_sxtb16_ror8(v2);
        dst[6] = (int32_t)__sxtb16((uint32_t)v3);
        dst[7] = onnx2mcu_sxtb16_ror8(v3);
        dst += 8;
    }
}

/*
 * Four pixels, every output channel: one weight word (4 input channels) is widened once and used
 * for the four pixels — per step 1 load, 2 SXTB16, 4 LDRD and 8 SMLAD for 16 multiply-accumulates.
 * `full` (constant after inlining): the activation range is all of int8, so the clamp is one SSAT.
 */
static inline void block4(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, const int32_t *wide,
                          int8_t *out, int32_t steps, const int full)
{
    const int32_t out_c = p->output.c;
    const int32_t zp = p->output_zero_point, lo = p->act_min, hi = p->act_max;
    const int32_t *w = (const int32_t *)(const void *)d->weights;
    int32_t oc;
    for (oc = 0; oc < out_c; ++oc) {
        const int32_t *x = wide;
        const int32_t *const end = w + steps;
        const int32_t m = d->multiplier[oc];
        const int32_t n = -d->shift[oc];
        const int32_t round = onnx2mcu_round(n);
        int32_t a0 = d->bias[oc], a1 = a0, a2 = a0, a3 = a0, r;
        do {
            const int32_t v = *w++;
            const int32_t wl = (int32_t)__sxtb16((uint32_t)v), wh = onnx2mcu_sxtb16_ror8(v);
            a0 = __smlad((uint32_t)x[0], (uint32_t)wl, a0);
            a0 = __smlad((uint32_t)x[1], (uint32_t)wh, a0);
            a1 = __smlad((uint32_t)x[2], (uint32_t)wl, a1);
            a1 = __smlad((uint32_t)x[3], (uint32_t)wh, a1);
            a2 = __smlad((uint32_t)x[4], (uint32_t)wl, a2);
            a2 = __smlad((uint32_t)x[5], (uint32_t)wh, a2);
            a3 = __smlad((uint32_t)x[6], (uint32_t)wl, a3);
            a3 = __smlad((uint32_t)x[7], (uint32_t)wh, a3);
            x += 8;
        } while (w != end);
#define ONNX2MCU_STORE(acc, k)                                                  \
        r = onnx2mcu_requant(acc, m, n, round) + zp;                            \
        out[(k) * out_c + oc] = (int8_t)(full ? __ssat(r, 8) : onnx2mcu_clamp(r, lo, hi));
        ONNX2MCU_STORE(a0, 0)
        ONNX2MCU_STORE(a1, 1)
        ONNX2MCU_STORE(a2, 2)
        ONNX2MCU_STORE(a3, 3)
#undef ONNX2MCU_STORE
    }
}

static void conv_1x1_dsp(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output, int32_t *wide)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    const int full = p->act_min == -128 && p->act_max == 127;
    int32_t px;
    for (px = 0; px + 3 < pixels; px += 4) {
        widen4(input + px * in_c, in_c, wide);
        if (full) {
            block4(p, d, wide, output + px * out_c, in_c / 4, 1);
        } else {
            block4(p, d, wide, output + px * out_c, in_c / 4, 0);
        }
    }
    for (; px < pixels; ++px) {
        pixel_tail(p, d, input + px * in_c, output + px * out_c, 0);
    }
}
#endif

static void conv_1x1_portable(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                              const int8_t *input, int8_t *output)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    int32_t px, oc, ic;
    for (px = 0; px + 1 < pixels; px += 2) {
        const int8_t *x0 = input + px * in_c;
        const int8_t *x1 = x0 + in_c;
        int8_t *out0 = output + px * out_c;
        int8_t *out1 = out0 + out_c;
        for (oc = 0; oc + 1 < out_c; oc += 2) {
            const int8_t *w0 = d->weights + oc * in_c;
            const int8_t *w1 = w0 + in_c;
            int32_t a00 = d->bias[oc], a01 = d->bias[oc + 1];
            int32_t a10 = a00, a11 = a01;
            channel_q q0, q1;
            for (ic = 0; ic < in_c; ++ic) {
                const int32_t xv0 = x0[ic], xv1 = x1[ic];
                const int32_t wv0 = w0[ic], wv1 = w1[ic];
                a00 += xv0 * wv0;
                a01 += xv0 * wv1;
                a10 += xv1 * wv0;
                a11 += xv1 * wv1;
            }
            q0 = channel(p, d, oc);
            q1 = channel(p, d, oc + 1);
            out0[oc] = store(a00, q0, p);
            out0[oc + 1] = store(a01, q1, p);
            out1[oc] = store(a10, q0, p);
            out1[oc + 1] = store(a11, q1, p);
        }
        pixel_tail(p, d, x0, out0, oc);
        pixel_tail(p, d, x1, out1, oc);
    }
    if (px < pixels) {
        pixel_tail(p, d, input + px * in_c, output + px * out_c, 0);
    }
}

int32_t onnx2mcu_conv_1x1_scratch_bytes(const onnx2mcu_conv_params *p)
{
    return 8 * p->input.c; /* four pixels of in_c int16 */
}

void onnx2mcu_conv_1x1_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                          const int8_t *input, int8_t *output, int32_t *scratch)
{
#if ONNX2MCU_MVE
    (void)scratch;
    conv_1x1_mve(p, d, input, output);
#elif ONNX2MCU_DSP
    if ((p->input.c & 3) == 0) {
        conv_1x1_dsp(p, d, input, output, scratch);
        return;
    }
    conv_1x1_portable(p, d, input, output);
#else
    (void)scratch;
    conv_1x1_portable(p, d, input, output);
#endif
}
