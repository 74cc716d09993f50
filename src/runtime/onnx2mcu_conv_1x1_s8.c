/*
 * onnx2mcu_conv_1x1_s8.c - pointwise convolution: 1x1 kernel, stride 1, no padding. The layer is a
 * matrix product (pixels x in_c) * (in_c x out_c), computed over several pixels and output channels
 * at a time so that loaded inputs and weights are used more than once. Requantization is
 * onnx2mcu_requant (the emitter chose this kernel only for layers whose bounds allow it).
 *
 * Paths:
 * - DSP (Cortex-M4/M7/M33), in_c a multiple of 4: four pixels' inputs are widened to int16 pairs in
 *   `scratch`, then every output channel runs onnx2mcu_gemm4_s8 over them (16 multiply-accumulates
 *   per weight word; onnx2mcu_gemm_s8.h). A last block of fewer than four pixels repeats its first
 *   pixel and stores only its own results.
 * - MVE (Cortex-M55): one pixel at a time through onnx2mcu_gemm1_s8 (16 input channels per VMLADAVA,
 *   four output channels per pass, vector requantization).
 * - Armv7-M without DSP (Cortex-M3), in_c a multiple of 4 and the int8-wide clamp: two pixels x three
 *   output channels per pass in assembly (conv_1x1_v7m).
 * - portable C otherwise (host, Cortex-M0+, the M3's other layers): two pixels x two output channels
 *   per pass.
 */
#include "onnx2mcu_conv_s8.h"
#include "onnx2mcu_gemm_s8.h"

static onnx2mcu_out_q out_q(const onnx2mcu_conv_params *p)
{
    onnx2mcu_out_q q;
    q.zero_point = p->output_zero_point;
    q.act_min = p->act_min;
    q.act_max = p->act_max;
    return q;
}

#if ONNX2MCU_MVE
/* Four int32 values as one vector. */
static inline int32x4_t vector4(int32_t a, int32_t b, int32_t c, int32_t d)
{
    int32x4_t v = vdupq_n_s32(a);
    v = vsetq_lane_s32(b, v, 1);
    v = vsetq_lane_s32(c, v, 2);
    return vsetq_lane_s32(d, v, 3);
}

/* TFLite requantization of four channels' accumulators (as onnx2mcu_gemm_s8.c), clamped. */
static inline int32x4_t requant4(int32x4_t acc, const onnx2mcu_layer_data *d, int32_t oc, int32_t zp, int32_t lo,
                                 int32_t hi)
{
    int32x4_t r = vqrdmulhq_s32(acc, vldrwq_s32(d->multiplier + oc));
    {
        const int32x4_t shift = vldrwq_s32(d->shift + oc);
        r = vaddq_s32(r, vandq_s32(vshrq_n_s32(r, 31), vshrq_n_s32(shift, 31))); /* the sign term where n > 0 */
        r = vrshlq_s32(r, shift);
    }
    /* zero point and clamp from general registers: as vectors they were spilled (eight Q registers) */
    return vminq_s32(vmaxq_s32(vaddq_n_s32(r, zp), vdupq_n_s32(lo)), vdupq_n_s32(hi));
}

/*
 * Eight input channels (the first pointwise layer of a width-0.25 MobileNet): one vector holds two
 * pixels and each output channel's 8 weights are gathered twice into one vector. One VMLADAVA over
 * the weights with lanes 8-15 cleared gives the first pixel's sum; one over all 16 lanes, started
 * from 2 bias - that sum, gives the second pixel's (exact in int32). No predicated instruction: gcc
 * set the predicate register before each one, which cost about half the loop.
 * The pairs of pixels (an even count; the caller does an odd last one), output channels a multiple of 4.
 */
static void conv_1x1_mve_c8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                            const int8_t *input, int8_t *output, int backward)
{
    const int32_t pixels = (p->output.h * p->output.w) & ~1, out_c = p->output.c;
    const uint8x16_t twice = vandq_u8(vidupq_n_u8(0, 1), vdupq_n_u8(7)); /* 0..7, 0..7 */
    const int8x16_t low = vreinterpretq_s8_u8(vpselq_u8(vdupq_n_u8(0xff), vdupq_n_u8(0), 0x00ff)); /* lanes 0-7 */
    const int32_t zp = p->output_zero_point, lo = p->act_min, hi = p->act_max;
    int32_t j, oc;
    for (j = 0; j < pixels; j += 2) {
        const int32_t px = backward ? pixels - 2 - j : j;
        const int8x16_t x = vldrbq_s8(input + px * 8);
        int8_t *out = output + px * out_c;
        for (oc = 0; oc < out_c; oc += 4) {
            const int8_t *w = d->weights + oc * 8;
            const int32_t *b = d->bias + oc;
            const int8x16_t w0 = vldrbq_gather_offset_s8(w, twice), w1 = vldrbq_gather_offset_s8(w + 8, twice);
            const int8x16_t w2 = vldrbq_gather_offset_s8(w + 16, twice), w3 = vldrbq_gather_offset_s8(w + 24, twice);
            const int32_t f0 = vmladavaq_s8(b[0], x, vandq_s8(w0, low)), f1 = vmladavaq_s8(b[1], x, vandq_s8(w1, low));
            const int32_t f2 = vmladavaq_s8(b[2], x, vandq_s8(w2, low)), f3 = vmladavaq_s8(b[3], x, vandq_s8(w3, low));
            const int32x4_t a = vector4(f0, f1, f2, f3);
            const int32x4_t c = vector4(vmladavaq_s8(2 * b[0] - f0, x, w0), vmladavaq_s8(2 * b[1] - f1, x, w1),
                                        vmladavaq_s8(2 * b[2] - f2, x, w2), vmladavaq_s8(2 * b[3] - f3, x, w3));
            vstrbq_s32(out + oc, requant4(a, d, oc, zp, lo, hi));
            vstrbq_s32(out + out_c + oc, requant4(c, d, oc, zp, lo, hi));
        }
    }
}

static void conv_1x1_mve(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output, int backward)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    const onnx2mcu_out_q q = out_q(p);
    const int pairs = in_c == 8 && (out_c & 3) == 0;
    const int32_t paired = pairs ? pixels & ~1 : 0;
    if (backward) {
        /* last pixels first: the odd one, then the pairs from the end */
        onnx2mcu_gemm1_s8(input + paired * in_c, in_c, in_c, pixels - paired, d->weights, in_c, d, out_c, q,
                          output + paired * out_c, 1);
        if (pairs) {
            conv_1x1_mve_c8(p, d, input, output, 1);
        }
        return;
    }
    if (pairs) {
        conv_1x1_mve_c8(p, d, input, output, 0);
    }
    onnx2mcu_gemm1_s8(input + paired * in_c, in_c, in_c, pixels - paired, d->weights, in_c, d, out_c, q,
                      output + paired * out_c, 0);
}
#endif

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
/* One block of `valid` pixels from px (1 to 4): columns past the last repeat the first, their results dropped. */
static void block_dsp(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, const int8_t *input,
                      int8_t *output, int32_t *wide, onnx2mcu_out_q q, int32_t px, int32_t valid)
{
    const int32_t in_c = p->input.c, out_c = p->output.c, k4 = in_c / 4;
    const int8_t *x = input + px * in_c;
    onnx2mcu_widen4(x, valid > 1 ? x + in_c : x, valid > 2 ? x + 2 * in_c : x, valid > 3 ? x + 3 * in_c : x, k4, wide);
    onnx2mcu_gemm4_s8(wide, k4, d, out_c, q, output + px * out_c, out_c, valid);
}

static void conv_1x1_dsp(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                         const int8_t *input, int8_t *output, int32_t *wide, int backward)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t whole = pixels & ~3, tail = pixels & 3;
    const onnx2mcu_out_q q = out_q(p);
    int32_t px;
    if (!backward) {
        for (px = 0; px < whole; px += 4) {
            block_dsp(p, d, input, output, wide, q, px, 4);
        }
        if (tail) {
            block_dsp(p, d, input, output, wide, q, whole, tail);
        }
        return;
    }
    if (tail) {
        block_dsp(p, d, input, output, wide, q, whole, tail);
    }
    for (px = whole - 4; px >= 0; px -= 4) {
        block_dsp(p, d, input, output, wide, q, px, 4);
    }
}
#endif

#if !ONNX2MCU_MVE
#if defined(__ARM_ARCH_6M__)
/*
 * Armv6-M (Cortex-M0/M0+): eight low registers and no multiply-accumulate, so one pixel and two
 * channels at a time (x, two weight rows, the index, two sums, two temporaries), the index running
 * from -n up to 0 so that no register holds the end: 5 instructions per multiply-accumulate,
 * two thirds of what the 2x2 block costs there.
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dot_1x2(const int8_t *x, const int8_t *w0, const int8_t *w1, int32_t n, int32_t *s0, int32_t *s1)
{
    int32_t a0 = *s0, a1 = *s1, i;
    x += n;
    w0 += n;
    w1 += n;
    for (i = -n; i != 0; ++i) {
        const int32_t xv = x[i];
        a0 += xv * w0[i];
        a1 += xv * w1[i];
    }
    *s0 = a0;
    *s1 = a1;
}
#endif

/*
 * s_ij += x_i . w_j over n values. A function of its own so that the compiler gives the loop all
 * registers (inlined into the pixel and channel loops, gcc spills the accumulators).
 */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static void dot_2x2(const int8_t *x0, const int8_t *x1, const int8_t *w0, const int8_t *w1, int32_t n,
                    int32_t *s00, int32_t *s01, int32_t *s10, int32_t *s11)
{
#if defined(__ARM_ARCH_6M__)
    dot_1x2(x0, w0, w1, n, s00, s01);
    dot_1x2(x1, w0, w1, n, s10, s11);
}
#else
    int32_t a00 = *s00, a01 = *s01, a10 = *s10, a11 = *s11;
    const int8_t *const end = x0 + n;
    while ((end - x0) & 3) {
        const int32_t xa = *x0++, xb = *x1++, wa = *w0++, wb = *w1++;
        a00 += xa * wa;
        a01 += xa * wb;
        a10 += xb * wa;
        a11 += xb * wb;
    }
    /* four values per iteration: the pointer updates, compare and branch count once per 16 MACs */
    while (x0 != end) {
#define ONNX2MCU_MAC_2X2(k)                                                           \
        {                                                                             \
            const int32_t xa = x0[k], wa = w0[k], wb = w1[k], xb = x1[k];             \
            a00 += xa * wa;                                                           \
            a01 += xa * wb;                                                           \
            a10 += xb * wa;                                                           \
            a11 += xb * wb;                                                           \
        }
        ONNX2MCU_MAC_2X2(0)
        ONNX2MCU_MAC_2X2(1)
        ONNX2MCU_MAC_2X2(2)
        ONNX2MCU_MAC_2X2(3)
#undef ONNX2MCU_MAC_2X2
        x0 += 4;
        x1 += 4;
        w0 += 4;
        w1 += 4;
    }
    *s00 = a00;
    *s01 = a01;
    *s10 = a10;
    *s11 = a11;
}
#endif

#if ONNX2MCU_V7M
/*
 * Armv7-M without the DSP extension (Cortex-M3): two pixels x three output channels per pass, the
 * six sums in registers. Per input channel: two byte loads of the pixels (x and x + x_stride), three
 * of the weights (rows in_c apart: w, w + in_c, w + 2 in_c from one pointer), six MLA: 11
 * instructions per 6 multiply-accumulates (the 2x2 block needs 8 per 4), four input channels per
 * loop pass. In assembly: gcc's own loop kept a pointer per row and spilled sums. Pairs of pixels
 * keep the kernel inside the blocks of four the memory plan's access order assumes
 * (src/ops/conv2d.ts pointwiseAccess); a lone last pixel is its own second pixel (x_stride 0).
 */
#define ONNX2MCU_MAC_2X3                                  \
    "ldrsb  %[x1], [%[xp], %[xs]]\n\t"                    \
    "ldrsb  %[x0], [%[xp]], #1\n\t"                       \
    "ldrsb  %[w], [%[wp], %[ic]]\n\t"                     \
    "mla    %[a01], %[x0], %[w], %[a01]\n\t"              \
    "mla    %[a11], %[x1], %[w], %[a11]\n\t"              \
    "ldrsb  %[w], [%[wp], %[ic], lsl #1]\n\t"             \
    "mla    %[a02], %[x0], %[w], %[a02]\n\t"              \
    "mla    %[a12], %[x1], %[w], %[a12]\n\t"              \
    "ldrsb  %[w], [%[wp]], #1\n\t"                        \
    "mla    %[a00], %[x0], %[w], %[a00]\n\t"              \
    "mla    %[a10], %[x1], %[w], %[a10]\n\t"

/*
 * One requantized output for a right shift n >= 1 and the int8-wide clamp, 7 instructions: SMMULR's
 * rounding high product of 2 acc and the multiplier as SMULL plus the low word's top bit, then the
 * DSP path's two-step rounding shift (onnx2mcu_gemm_s8.c), ((x - (x < 0)) >> (n - 1) + 2 zp + 1) >> 1.
 */
ONNX2MCU_INLINE int8_t out_s8_v7m(int32_t acc, int32_t multiplier, int32_t n_minus_1, int32_t zp2)
{
    int32_t lo, hi;
    __asm__("lsl    %[lo], %[acc], #1\n\t"
            "smull  %[lo], %[hi], %[lo], %[m]\n\t"
            "add    %[hi], %[hi], %[lo], lsr #31\n\t"
            "sub    %[hi], %[hi], %[hi], lsr #31\n\t"
            "asr    %[hi], %[hi], %[n1]\n\t"
            "add    %[hi], %[hi], %[zp2]\n\t"
            "ssat   %[hi], #8, %[hi], asr #1"
            : [lo] "=&r"(lo), [hi] "=&r"(hi)
            : [acc] "r"(acc), [m] "r"(multiplier), [n1] "r"(n_minus_1), [zp2] "r"(zp2));
    return (int8_t)hi;
}

/* Output channel oc of the first pixel (s0) and, if `two`, the second (s1, out_c further on). */
ONNX2MCU_INLINE void store_v7m(const onnx2mcu_layer_data *d, onnx2mcu_out_q q, int32_t oc, int32_t s0, int32_t s1,
                               int two, int8_t *out, int32_t out_c)
{
    const int32_t m = d->multiplier[oc], n = -d->shift[oc];
    if (n > 0) {
        const int32_t zp2 = 2 * q.zero_point + 1;
        out[oc] = out_s8_v7m(s0, m, n - 1, zp2);
        if (two) {
            out[out_c + oc] = out_s8_v7m(s1, m, n - 1, zp2);
        }
    } else {
        out[oc] = onnx2mcu_out_s8(s0, m, n, 0, q, 1);
        if (two) {
            out[out_c + oc] = onnx2mcu_out_s8(s1, m, n, 0, q, 1);
        }
    }
}

/* Pixel px and, if `two`, px + 1 (in_c a multiple of 4), every output channel. */
static void pair_v7m(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, onnx2mcu_out_q q,
                     const int8_t *input, int8_t *output, int32_t px, int two)
{
    const int32_t in_c = p->input.c, out_c = p->output.c;
    const int8_t *const x = input + px * in_c;
    const int32_t x_stride = two ? in_c : 0;
    int8_t *const out = output + px * out_c;
    int32_t oc;
    for (oc = 0; oc + 3 <= out_c; oc += 3) {
        const int8_t *xp = x, *wp = d->weights + oc * in_c;
        const int8_t *const end = x + in_c;
        int32_t a00 = d->bias[oc], a01 = d->bias[oc + 1], a02 = d->bias[oc + 2];
        int32_t a10 = a00, a11 = a01, a12 = a02;
        int32_t x0, x1, w;
        __asm__("1:\n\t" ONNX2MCU_MAC_2X3 ONNX2MCU_MAC_2X3 ONNX2MCU_MAC_2X3 ONNX2MCU_MAC_2X3
                "cmp    %[xp], %[end]\n\t"
                "bne    1b\n\t"
                : [a00] "+r"(a00), [a01] "+r"(a01), [a02] "+r"(a02), [a10] "+r"(a10), [a11] "+r"(a11),
                  [a12] "+r"(a12), [xp] "+r"(xp), [wp] "+r"(wp), [x0] "=&r"(x0), [x1] "=&r"(x1), [w] "=&r"(w)
                : [xs] "r"(x_stride), [ic] "r"(in_c), [end] "r"(end)
                : "cc", "memory");
        store_v7m(d, q, oc, a00, a10, two, out, out_c);
        store_v7m(d, q, oc + 1, a01, a11, two, out, out_c);
        store_v7m(d, q, oc + 2, a02, a12, two, out, out_c);
    }
    for (; oc < out_c; oc += 2) {
        /* one or two channels left: the 2x2 product, a missing second channel repeating the first */
        const int8_t *w0 = d->weights + oc * in_c;
        const int8_t *w1 = oc + 1 < out_c ? w0 + in_c : w0;
        int32_t s00 = d->bias[oc], s10 = s00;
        int32_t s01 = d->bias[oc + 1 < out_c ? oc + 1 : oc], s11 = s01;
        dot_2x2(x, x + x_stride, w0, w1, in_c, &s00, &s01, &s10, &s11);
        store_v7m(d, q, oc, s00, s10, two, out, out_c);
        if (oc + 1 < out_c) {
            store_v7m(d, q, oc + 1, s01, s11, two, out, out_c);
        }
    }
}
#undef ONNX2MCU_MAC_2X3

/* The int8-wide clamp, in_c a multiple of 4: pairs of pixels from the start or, backward, from the end. */
static void conv_1x1_v7m(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d, const int8_t *input,
                         int8_t *output, int backward)
{
    const int32_t pixels = p->output.h * p->output.w;
    const onnx2mcu_out_q q = out_q(p);
    int32_t j;
    for (j = 0; j < pixels; j += 2) {
        const int32_t px = backward ? (pixels - 1 - j) & ~1 : j;
        pair_v7m(p, d, q, input, output, px, px + 1 < pixels);
    }
}
#endif

/* acc = bias + x . w over in_c values, for pixels x0, x1 and output channels w0, w1 (two accumulators each). */
ONNX2MCU_INLINE void conv_1x1_portable(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                                       const int8_t *input, int8_t *output, int backward, const int full)
{
    const int32_t pixels = p->output.h * p->output.w;
    const int32_t in_c = p->input.c, out_c = p->output.c;
    const onnx2mcu_out_q q = out_q(p);
    int32_t j, oc;
    for (j = 0; j < pixels; j += 2) {
        /* pairs from the start, or from the end when backward; an odd last pixel is computed twice in
           place of a second one, and stored once */
        const int32_t px = backward ? (pixels - 1 - j) & ~1 : j;
        const int two = px + 1 < pixels;
        const int8_t *x0 = input + px * in_c;
        const int8_t *x1 = two ? x0 + in_c : x0;
        int8_t *out0 = output + px * out_c;
        for (oc = 0; oc < out_c; oc += 2) {
            const int8_t *w0 = d->weights + oc * in_c;
            const int8_t *w1 = oc + 1 < out_c ? w0 + in_c : w0;
            int32_t s00 = d->bias[oc], s10 = s00;
            int32_t s01 = d->bias[oc + 1 < out_c ? oc + 1 : oc], s11 = s01;
            int32_t n;
            dot_2x2(x0, x1, w0, w1, in_c, &s00, &s01, &s10, &s11);
            n = -d->shift[oc];
            out0[oc] = onnx2mcu_out_s8(s00, d->multiplier[oc], n, onnx2mcu_round(n), q, full);
            if (two) {
                out0[out_c + oc] = onnx2mcu_out_s8(s10, d->multiplier[oc], n, onnx2mcu_round(n), q, full);
            }
            if (oc + 1 < out_c) {
                n = -d->shift[oc + 1];
                out0[oc + 1] = onnx2mcu_out_s8(s01, d->multiplier[oc + 1], n, onnx2mcu_round(n), q, full);
                if (two) {
                    out0[out_c + oc + 1] = onnx2mcu_out_s8(s11, d->multiplier[oc + 1], n, onnx2mcu_round(n), q, full);
                }
            }
        }
    }
}
#endif

int32_t onnx2mcu_conv_1x1_scratch_bytes(const onnx2mcu_conv_params *p)
{
    return 8 * p->input.c; /* four pixels of in_c int16 */
}

void onnx2mcu_conv_1x1_s8(const onnx2mcu_conv_params *p, const onnx2mcu_layer_data *d,
                          const int8_t *input, int8_t *output, int32_t *scratch)
{
    /*
     * The memory plan may put the output over input this layer has already read (the arena's
     * overlapping placement, src/memory): an output starting below its input is written from the
     * first pixel on, one starting above it from the last pixel back, in blocks of at most four
     * pixels either way (the access order src/ops/conv2d.ts models). Buffers that do not overlap
     * do not care.
     */
    const int backward = (uintptr_t)output > (uintptr_t)input;
#if ONNX2MCU_MVE
    (void)scratch;
    conv_1x1_mve(p, d, input, output, backward);
#else
#if ONNX2MCU_DSP
    if ((p->input.c & 3) == 0) {
        conv_1x1_dsp(p, d, input, output, scratch, backward);
        return;
    }
#endif
    (void)scratch;
#if ONNX2MCU_V7M
    if ((p->input.c & 3) == 0 && p->act_min == -128 && p->act_max == 127) {
        conv_1x1_v7m(p, d, input, output, backward);
        return;
    }
#endif
    if (p->act_min == -128 && p->act_max == 127) {
        conv_1x1_portable(p, d, input, output, backward, 1); /* the clamp is one SSAT where the core has it */
    } else {
        conv_1x1_portable(p, d, input, output, backward, 0);
    }
#endif
}
