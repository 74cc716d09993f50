/*
 * onnx2mcu_dw_conv_3x3_s8.c - depthwise 3x3 fast path: depth multiplier 1, dilation 1, pads <= 1,
 * stride 1 or 2. Requantization is onnx2mcu_requant (the emitter chose this kernel only for layers
 * whose bounds allow it).
 *
 * Channels are taken four at a time. For each group the kernel keeps a ring of three input rows,
 * gathered out of the channels-last input into one padded row per channel (`scratch`): positions
 * outside the input hold zp_in (the padding), so every output is the same nine taps with no bounds
 * checks, and on the DSP path a word load reads four neighbouring pixels of one channel. A fourth
 * row of zp_in stands for the input rows above and below the image.
 *
 * In place (output == input; stride 1, same shape): output row y of a group overwrites input row y
 * of those channels only after rows up to y + 1 are gathered, and no later output row needs a row
 * below y that the ring does not hold, so no extra copy is needed.
 *
 * Paths:
 * - DSP (Cortex-M4/M7/M33/M55): rows gathered with a 4x4 byte transpose (four pixels x four channels
 *   per step); four outputs of one channel per step, each kernel row two SMLAD-class instructions
 *   per output on weights packed (w0, w2) and w1. Needs channels a multiple of 4; reads words at
 *   unaligned addresses of the scratch rows (Armv7-M and Armv8.1-M allow it; CMSIS-NN relies on it too).
 * - MVE (Cortex-M55): the same rows and gather; four outputs per step as int32 lanes (row_mve).
 * - portable C otherwise (host, Cortex-M0+/M3): the same rows, nine byte loads and MLAs per output.
 */
#include <string.h>
#include "onnx2mcu_dw_conv_s8.h"
#include "onnx2mcu_arith.h"

/* Each padded row: ROW_GROUP channels, onnx2mcu_dw_row_bytes(p) bytes each; three ring rows + one zp row. */
#define ROW_GROUP 4
#define RING 3

static int32_t row_bytes(const onnx2mcu_conv_params *c)
{
    const int32_t groups = (c->output.w + 3) / 4;            /* outputs are computed four at a time */
    const int32_t reach = c->stride_w * 4 * groups + 8;      /* the last step's taps and word over-reads */
    const int32_t data = c->pad_left + c->input.w + 4;
    return ((reach > data ? reach : data) + 3) & ~3;
}

/*
 * Narrow layers (MobileNet's later ones: few pixels per row, many channels) go pixel by pixel instead,
 * four channels at a time straight from the channels-last input (DSP and Helium paths): per row and
 * channel the ring costs more than the row's few outputs. Their scratch: one pixel of zp_in (taps in
 * the padding read it) and, in place, copies of the two input rows the next output row still needs.
 */
#define PIXEL_PATH_MAX_W 12

static int pixel_path(const onnx2mcu_conv_params *c)
{
    return (c->input.c & 3) == 0 && c->output.w <= PIXEL_PATH_MAX_W && c->stride_w <= 2;
}

/*
 * Where each path takes the pixel path (measured on VWW's and 0.25/128's layers): Helium up to 8
 * outputs a row; the DSP path up to 8, and up to 12 at stride 2 (0.25/128's 8x8 layers: 48.5 -> 44
 * instructions per output; VWW's 12x12: stride 2 51 -> 48, stride 1 43 -> 45.5, so the ring there).
 * The memory planner's overlap check models the pixel path for these shapes (src/ops/depthwise_conv2d.ts
 * dw3x3Access): change both together.
 */
#if ONNX2MCU_DSP || ONNX2MCU_MVE
static int use_pixel_path(const onnx2mcu_conv_params *c)
{
#if ONNX2MCU_MVE
    return pixel_path(c) && c->output.w <= 8;
#else
    return pixel_path(c) && (c->output.w <= 8 || c->stride_w == 2);
#endif
}
#endif

static int same_shape(const onnx2mcu_conv_params *c)
{
    return c->stride_h == 1 && c->stride_w == 1 && c->input.h == c->output.h && c->input.w == c->output.w;
}

int32_t onnx2mcu_dw_conv_3x3_scratch_bytes(const onnx2mcu_dw_conv_params *p)
{
    const onnx2mcu_conv_params *c = &p->conv;
    const int32_t ring = (RING + 1) * ROW_GROUP * row_bytes(c);
    const int32_t pixels = c->input.c + (same_shape(c) ? 2 * c->input.w * c->input.c : 0);
    return pixel_path(c) && pixels > ring ? pixels : ring;
}

/* Input row iy of channels c0 .. c0 + n - 1 into padded rows dst, dst + len, ... at position pad_left. */
static void gather_row(const onnx2mcu_conv_params *c, const int8_t *input, int32_t iy, int32_t c0, int32_t n,
                       int8_t *dst, int32_t len)
{
    const int32_t w = c->input.w, ch = c->input.c;
    const int8_t *src = input + iy * w * ch + c0;
    int8_t *row = dst + c->pad_left;
    int32_t x = 0, k;
#if ONNX2MCU_DSP
    if (n == 4 && (ch & 3) == 0) {
        /* four pixels x four channels per step: a 4x4 byte transpose in 12 instructions */
        for (; x + 3 < w; x += 4) {
            const uint32_t a = *(const uint32_t *)(const void *)src;
            const uint32_t b = *(const uint32_t *)(const void *)(src + ch);
            const uint32_t cc = *(const uint32_t *)(const void *)(src + 2 * ch);
            const uint32_t dd = *(const uint32_t *)(const void *)(src + 3 * ch);
            const uint32_t ab02 = __uxtb16(a) | (__uxtb16(b) << 8);                                   /* a0 b0 a2 b2 */
            const uint32_t ab13 = onnx2mcu_uxtb16_ror8(a) | (onnx2mcu_uxtb16_ror8(b) << 8);           /* a1 b1 a3 b3 */
            const uint32_t cd02 = __uxtb16(cc) | (__uxtb16(dd) << 8);
            const uint32_t cd13 = onnx2mcu_uxtb16_ror8(cc) | (onnx2mcu_uxtb16_ror8(dd) << 8);
            const uint32_t ch0 = onnx2mcu_pkhbt16(ab02, cd02), ch2 = onnx2mcu_pkhtb16(cd02, ab02);
            const uint32_t ch1 = onnx2mcu_pkhbt16(ab13, cd13), ch3 = onnx2mcu_pkhtb16(cd13, ab13);
            memcpy(row + x, &ch0, 4);
            memcpy(row + len + x, &ch1, 4);
            memcpy(row + 2 * len + x, &ch2, 4);
            memcpy(row + 3 * len + x, &ch3, 4);
            src += 4 * ch;
        }
    }
#endif
    for (; x < w; ++x) {
        for (k = 0; k < n; ++k) {
            row[k * len + x] = src[k];
        }
        src += ch;
    }
}

/* One output channel, prepared once per channel group: requantization and weights. */
typedef struct {
    int32_t bias;
    int32_t multiplier;
    int32_t n;
    int32_t round;
    int32_t w[9];     /* portable path: the nine taps, row by row */
    int32_t wpair[3]; /* DSP path: (w[r][0], w[r][2]) as halfwords, per kernel row r */
    int32_t wmid[3];  /* DSP path: w[r][1] */
} channel_prep;

static void prepare_channel(const onnx2mcu_layer_data *d, int32_t c, int32_t ch, channel_prep *q)
{
    int32_t k;
    q->bias = d->bias[c];
    q->multiplier = d->multiplier[c];
    q->n = -d->shift[c];
    q->round = onnx2mcu_round(q->n);
    for (k = 0; k < 9; ++k) {
        q->w[k] = d->weights[k * ch + c];
    }
    for (k = 0; k < 3; ++k) {
        q->wpair[k] = (int32_t)(((uint32_t)q->w[3 * k] & 0xffffu) | ((uint32_t)q->w[3 * k + 2] << 16));
        q->wmid[k] = q->w[3 * k + 1];
    }
}

#if ONNX2MCU_DSP && !ONNX2MCU_MVE
/* SMLAD-class products on halfwords: b = bottom, t = top (Arm ACLE names). */
#define MLA_BB(acc, x, w) (acc) = __smlabb((x), (w), (acc))
#define MLA_TB(acc, x, w) (acc) = __smlatb((x), (w), (acc))
#define MLA_BT(acc, x, w) (acc) = __smlabt((x), (w), (acc))
#define MLA_D(acc, x, w) (acc) = __smlad((uint32_t)(x), (uint32_t)(w), (acc))

/*
 * Four outputs' taps on one kernel row (wpair = (w0, w2) as halfwords, wmid = w1), stride 1: positions
 * p0 .. p5 of the row as the words at p0 and p2, split by SXTB16 into (p0, p2), (p1, p3), (p2, p4), (p3, p5).
 */
ONNX2MCU_INLINE void taps_s1(const int8_t *p, int32_t wpair, int32_t wmid, int32_t acc[4])
{
    /* in assembly: with the halfword intrinsics gcc 12 moved the weight through a stack slot on every
       step (VWW's stride-1 depthwise layers: 3 % fewer instructions this way) */
    int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
    int32_t lo, hi, o, o2;
    __asm__("ldr    %[lo], [%[p]]\n\t"
            "ldr    %[hi], [%[p], #2]\n\t"
            "sxtb16 %[o], %[lo], ror #8\n\t"   /* (p1, p3) */
            "sxtb16 %[lo], %[lo]\n\t"          /* (p0, p2) */
            "sxtb16 %[o2], %[hi], ror #8\n\t"  /* (p3, p5) */
            "sxtb16 %[hi], %[hi]\n\t"          /* (p2, p4) */
            "smlad  %[a0], %[lo], %[wp], %[a0]\n\t" /* p0 w0 + p2 w2 */
            "smlad  %[a1], %[o], %[wp], %[a1]\n\t"  /* p1 w0 + p3 w2 */
            "smlad  %[a2], %[hi], %[wp], %[a2]\n\t" /* p2 w0 + p4 w2 */
            "smlad  %[a3], %[o2], %[wp], %[a3]\n\t" /* p3 w0 + p5 w2 */
            "smlabb %[a0], %[o], %[wm], %[a0]\n\t"  /* p1 w1 */
            "smlatb %[a1], %[lo], %[wm], %[a1]\n\t" /* p2 w1 */
            "smlabb %[a2], %[o2], %[wm], %[a2]\n\t" /* p3 w1 */
            "smlatb %[a3], %[hi], %[wm], %[a3]\n\t" /* p4 w1 */
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [lo] "=&r"(lo), [hi] "=&r"(hi), [o] "=&r"(o),
              [o2] "=&r"(o2)
            : [p] "r"(p), [wp] "r"(wpair), [wm] "r"(wmid)
            : "memory");
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}

/*
 * Stride 2: positions p0 .. p8 as the words at p0 and p4, split into (p0, p2), (p1, p3), (p4, p6),
 * (p5, p7), and p8 as a byte.
 */
ONNX2MCU_INLINE void taps_s2(const int8_t *p, int32_t wpair, int32_t wmid, int32_t acc[4])
{
    const int32_t p8 = p[8];
    int32_t lo, hi, e, o, e2, o2;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 4, 4);
    e = (int32_t)__sxtb16((uint32_t)lo);
    o = onnx2mcu_sxtb16_ror8(lo);
    e2 = (int32_t)__sxtb16((uint32_t)hi);
    o2 = onnx2mcu_sxtb16_ror8(hi);
    MLA_D(acc[0], e, wpair);   /* p0 w0 + p2 w2 */
    MLA_BB(acc[0], o, wmid);   /* p1 w1 */
    MLA_TB(acc[1], e, wpair);  /* p2 w0 */
    MLA_TB(acc[1], o, wmid);   /* p3 w1 */
    MLA_BT(acc[1], e2, wpair); /* p4 w2 */
    MLA_D(acc[2], e2, wpair);  /* p4 w0 + p6 w2 */
    MLA_BB(acc[2], o2, wmid);  /* p5 w1 */
    MLA_TB(acc[3], e2, wpair); /* p6 w0 */
    MLA_TB(acc[3], o2, wmid);  /* p7 w1 */
    MLA_BT(acc[3], p8, wpair); /* p8 w2 */
}

/* The taps of four neighbouring outputs (stride 1 or 2, a constant after inlining) on the three rows. */
ONNX2MCU_INLINE void step_dsp(const int8_t *r0, const int8_t *r1, const int8_t *r2, const channel_prep *q,
                              int32_t acc[4], const int stride)
{
    acc[0] = acc[1] = acc[2] = acc[3] = q->bias;
    if (stride == 1) {
        taps_s1(r0, q->wpair[0], q->wmid[0], acc);
        taps_s1(r1, q->wpair[1], q->wmid[1], acc);
        taps_s1(r2, q->wpair[2], q->wmid[2], acc);
    } else {
        taps_s2(r0, q->wpair[0], q->wmid[0], acc);
        taps_s2(r1, q->wpair[1], q->wmid[1], acc);
        taps_s2(r2, q->wpair[2], q->wmid[2], acc);
    }
}

/*
 * onnx2mcu_out_s8 for a right shift n >= 1 and the int8-wide clamp, in 6 instructions: the rounding
 * shift in two steps, ((x - (x < 0)) >> (n - 1) + 2 zp + 1) >> 1, the last inside SSAT (exactly
 * TFLite's; src/int8/arith.test.ts checks the identity).
 */
ONNX2MCU_INLINE int8_t out_s8_shifted(int32_t acc, int32_t multiplier, int32_t n_minus_1, int32_t zp2)
{
    int32_t x;
    __asm__("lsl    %0, %1, #1\n\t"
            "smmulr %0, %0, %2\n\t"
            "sub    %0, %0, %0, lsr #31\n\t"
            "asr    %0, %0, %3\n\t"
            "add    %0, %0, %4\n\t"
            "ssat   %0, #8, %0, asr #1"
            : "=&r"(x)
            : "r"(acc), "r"(multiplier), "r"(n_minus_1), "r"(zp2));
    return (int8_t)x;
}

/*
 * One output row of one channel, four outputs per step. A last step of 1 to 3 outputs stores its four
 * results into `spill` and copies its own out (one copy of the step's code, not two).
 */
ONNX2MCU_INLINE void row_dsp(const int8_t *const rows[3], const channel_prep *q, onnx2mcu_out_q oq, int8_t *out,
                             int32_t step, int32_t out_w, const int stride, const int full)
{
    const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
    const int32_t m = q->multiplier, n = q->n, round = q->round;
    const int shifted = full && n > 0;
    const int32_t n_minus_1 = n - 1, zp2 = 2 * oq.zero_point + 1;
    int8_t spill[4];
    int32_t left, k;
    for (left = out_w; left > 0; left -= 4) {
        int8_t *const dst = left >= 4 ? out : spill;
        const int32_t at = left >= 4 ? step : 1;
        int32_t acc[4];
        step_dsp(r0, r1, r2, q, acc, stride);
        if (shifted) {
            dst[0] = out_s8_shifted(acc[0], m, n_minus_1, zp2);
            dst[at] = out_s8_shifted(acc[1], m, n_minus_1, zp2);
            dst[2 * at] = out_s8_shifted(acc[2], m, n_minus_1, zp2);
            dst[3 * at] = out_s8_shifted(acc[3], m, n_minus_1, zp2);
        } else {
            dst[0] = onnx2mcu_out_s8(acc[0], m, n, round, oq, full);
            dst[at] = onnx2mcu_out_s8(acc[1], m, n, round, oq, full);
            dst[2 * at] = onnx2mcu_out_s8(acc[2], m, n, round, oq, full);
            dst[3 * at] = onnx2mcu_out_s8(acc[3], m, n, round, oq, full);
        }
        if (left < 4) {
            for (k = 0; k < left; ++k) {
                out[k * step] = spill[k];
            }
        }
        out += 4 * step;
        r0 += 4 * stride;
        r1 += 4 * stride;
        r2 += 4 * stride;
    }
}
#endif

#if ONNX2MCU_MVE
/*
 * Helium: four outputs of one channel per step as int32 lanes, each tap one widening load of four
 * row positions (a gather of every other one at stride 2) and one VMLA by the tap's weight; the
 * requantization as in onnx2mcu_gemm_s8.c and a scatter store to the channels-last output.
 */
ONNX2MCU_INLINE void row_mve(const int8_t *const rows[3], const channel_prep *q, onnx2mcu_out_q oq, int8_t *out,
                             int32_t step, int32_t out_w, const int stride)
{
    const uint32x4_t out_at = vmulq_n_u32(vidupq_n_u32(0, 1), (uint32_t)step);
    const uint32x4_t in_at = vidupq_n_u32(0, 2);
    const int32x4_t lo = vdupq_n_s32(oq.act_min), hi = vdupq_n_s32(oq.act_max);
    const int32_t w0 = q->w[0], w1 = q->w[1], w2 = q->w[2], w3 = q->w[3], w4 = q->w[4];
    const int32_t w5 = q->w[5], w6 = q->w[6], w7 = q->w[7], w8 = q->w[8];
    const int32_t bias = q->bias, multiplier = q->multiplier, shift = -q->n, zp = oq.zero_point;
    const int32x4_t sign_term = vdupq_n_s32(q->n > 0 ? -1 : 0);
    const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
    int32_t ox;
    for (ox = 0; ox < out_w; ox += 4) {
        int32x4_t acc = vdupq_n_s32(bias);
#define ONNX2MCU_TAP(row, kx, w) \
        acc = vmlaq_n_s32(acc, stride == 1 ? vldrbq_s32((row) + (kx)) : vldrbq_gather_offset_s32((row) + (kx), in_at), (w))
        ONNX2MCU_TAP(r0, 0, w0);
        ONNX2MCU_TAP(r0, 1, w1);
        ONNX2MCU_TAP(r0, 2, w2);
        ONNX2MCU_TAP(r1, 0, w3);
        ONNX2MCU_TAP(r1, 1, w4);
        ONNX2MCU_TAP(r1, 2, w5);
        ONNX2MCU_TAP(r2, 0, w6);
        ONNX2MCU_TAP(r2, 1, w7);
        ONNX2MCU_TAP(r2, 2, w8);
#undef ONNX2MCU_TAP
        acc = vqrdmulhq_n_s32(acc, multiplier);
        acc = vaddq_s32(acc, vandq_s32(vshrq_n_s32(acc, 31), sign_term)); /* the sign term where n > 0 */
        acc = vrshlq_n_s32(acc, shift);
        acc = vminq_s32(vmaxq_s32(vaddq_n_s32(acc, zp), lo), hi);
        vstrbq_scatter_offset_p_s32(out, out_at, acc, vctp32q((uint32_t)(out_w - ox)));
        out += 4 * step;
        r0 += 4 * stride;
        r1 += 4 * stride;
        r2 += 4 * stride;
    }
}
#endif

/* One output row of one channel in plain C: nine taps per output. */
ONNX2MCU_INLINE void row_portable(const int8_t *const rows[3], const channel_prep *q, int32_t stride, onnx2mcu_out_q oq,
                                  int8_t *out, int32_t step, int32_t out_w, const int full)
{
    const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
    int32_t ox;
    for (ox = 0; ox < out_w; ++ox) {
        const int32_t *w = q->w;
        int32_t acc = q->bias;
        acc += w[0] * r0[0] + w[1] * r0[1] + w[2] * r0[2];
        acc += w[3] * r1[0] + w[4] * r1[1] + w[5] * r1[2];
        acc += w[6] * r2[0] + w[7] * r2[1] + w[8] * r2[2];
        *out = onnx2mcu_out_s8(acc, q->multiplier, q->n, q->round, oq, full);
        out += step;
        r0 += stride;
        r1 += stride;
        r2 += stride;
    }
}

/* One output row of channel q, from the three padded rows of its window. */
/* DSP: kept out of line (inlined into the channel-group loop, the row loops lose registers: 5 % slower). */
#if defined(__GNUC__) && ONNX2MCU_DSP && !ONNX2MCU_MVE
__attribute__((noinline))
#endif
static void output_row(const onnx2mcu_conv_params *c, const int8_t *const rows[3], const channel_prep *q,
                       int8_t *out, onnx2mcu_out_q oq)
{
    const int32_t ch = c->input.c, out_w = c->output.w;
#if ONNX2MCU_MVE
    if (c->stride_w == 1) {
        row_mve(rows, q, oq, out, ch, out_w, 1);
        return;
    }
    if (c->stride_w == 2) {
        row_mve(rows, q, oq, out, ch, out_w, 2);
        return;
    }
#elif ONNX2MCU_DSP
    /*
     * The DSP rows for the int8-wide clamp only (every MobileNet layer: the activation range is the
     * output's whole range); a narrower clamp takes the portable rows below, which keeps the code
     * within its budget (two more copies of the row loop would cost 1.2 KB of flash).
     */
    if (oq.act_min == -128 && oq.act_max == 127) {
        if (c->stride_w == 1) {
            row_dsp(rows, q, oq, out, ch, out_w, 1, 1);
            return;
        }
        if (c->stride_w == 2) {
            row_dsp(rows, q, oq, out, ch, out_w, 2, 1);
            return;
        }
    }
#endif
    if (oq.act_min == -128 && oq.act_max == 127) {
        row_portable(rows, q, c->stride_w, oq, out, ch, out_w, 1); /* the clamp is one SSAT where the core has it */
    } else {
        row_portable(rows, q, c->stride_w, oq, out, ch, out_w, 0);
    }
}

/* tap[t] + c: channel c of tap t = 3 * ky + kx of one output pixel (the zp_in pixel for padding). */
#if ONNX2MCU_MVE
ONNX2MCU_INLINE void pixel_channels(const int8_t *const tap[9], const onnx2mcu_layer_data *d, int32_t ch,
                                    onnx2mcu_out_q oq, int8_t *out, const int full)
{
    const int32x4_t lo = vdupq_n_s32(oq.act_min), hi = vdupq_n_s32(oq.act_max);
    int32_t c;
    (void)full;
    for (c = 0; c < ch; c += 4) {
        const int8_t *w = d->weights + c;
        int32x4_t acc = vldrwq_s32(d->bias + c);
#define ONNX2MCU_TAP(t) acc = vaddq_s32(acc, vmulq_s32(vldrbq_s32(tap[t] + c), vldrbq_s32(w + (t) * ch)))
        ONNX2MCU_TAP(0);
        ONNX2MCU_TAP(1);
        ONNX2MCU_TAP(2);
        ONNX2MCU_TAP(3);
        ONNX2MCU_TAP(4);
        ONNX2MCU_TAP(5);
        ONNX2MCU_TAP(6);
        ONNX2MCU_TAP(7);
        ONNX2MCU_TAP(8);
#undef ONNX2MCU_TAP
        acc = vqrdmulhq_s32(acc, vldrwq_s32(d->multiplier + c));
        {
            const int32x4_t shift = vldrwq_s32(d->shift + c);
            acc = vaddq_s32(acc, vandq_s32(vshrq_n_s32(acc, 31), vshrq_n_s32(shift, 31))); /* the sign term where n > 0 */
            acc = vrshlq_s32(acc, shift);
        }
        acc = vminq_s32(vmaxq_s32(vaddq_n_s32(acc, oq.zero_point), lo), hi);
        vstrbq_s32(out + c, acc);
    }
}
#elif ONNX2MCU_DSP
/* DSP: channels c, c + 2 from the SXTB16 halves, c + 1, c + 3 from the rotated ones; one SMLAxy per product. */
ONNX2MCU_INLINE void pixel_channels(const int8_t *const tap[9], const onnx2mcu_layer_data *d, int32_t ch,
                                    onnx2mcu_out_q oq, int8_t *out, const int full)
{
    int32_t c, k;
    for (c = 0; c < ch; c += 4) {
        const int8_t *w = d->weights + c;
        const int8_t *const *tp = tap;
        int32_t a0 = d->bias[c], a1 = d->bias[c + 1], a2 = d->bias[c + 2], a3 = d->bias[c + 3];
        int32_t x, v, xo, vo;
        /*
         * The nine taps in assembly: the tap pointer from the array, the four channels' inputs and
         * weights as words, 12 instructions per tap (gcc spilled the pointers: about 20).
         */
#define ONNX2MCU_TAP(off)                                 \
        "ldr    %[xo], [%[tp], #" off "]\n\t"              \
        "ldr    %[x], [%[xo], %[c]]\n\t"                   \
        "ldr    %[v], [%[w]]\n\t"                          \
        "add    %[w], %[w], %[ch]\n\t"                     \
        "sxtb16 %[xo], %[x], ror #8\n\t"                   \
        "sxtb16 %[x], %[x]\n\t"                            \
        "sxtb16 %[vo], %[v], ror #8\n\t"                   \
        "sxtb16 %[v], %[v]\n\t"                            \
        "smlabb %[a0], %[x], %[v], %[a0]\n\t"              \
        "smlatt %[a2], %[x], %[v], %[a2]\n\t"              \
        "smlabb %[a1], %[xo], %[vo], %[a1]\n\t"            \
        "smlatt %[a3], %[xo], %[vo], %[a3]\n\t"
        __asm__(ONNX2MCU_TAP("0") ONNX2MCU_TAP("4") ONNX2MCU_TAP("8") ONNX2MCU_TAP("12") ONNX2MCU_TAP("16")
                ONNX2MCU_TAP("20") ONNX2MCU_TAP("24") ONNX2MCU_TAP("28") ONNX2MCU_TAP("32")
                : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w] "+r"(w), [x] "=&r"(x), [v] "=&r"(v),
                  [xo] "=&r"(xo), [vo] "=&r"(vo)
                : [tp] "r"(tp), [c] "r"(c), [ch] "r"(ch)
                : "memory");
#undef ONNX2MCU_TAP
        if (full) {
            /*
             * onnx2mcu_requant in assembly, 9 instructions per output, for right shifts n >= 1:
             * TFLite's (x + 2^(n-1) - (x < 0)) >> n is exactly (((x - (x < 0)) >> (n - 1)) + 1) >> 1,
             * and n - 1 = ~shift; the +1 rides on the zero point (2 zp + 1), the last shift on SSAT.
             */
            const int32_t *mp = d->multiplier + c, *sp = d->shift + c;
            int8_t *o = out + c;
            int32_t m, t;
#define ONNX2MCU_REQUANT(a, off)                          \
            "ldr    %[m], [%[mp], #" off "]\n\t"           \
            "ldr    %[t], [%[sp], #" off "]\n\t"           \
            "lsl    " a ", " a ", #1\n\t"                   \
            "smmulr " a ", " a ", %[m]\n\t"                 \
            "mvn    %[t], %[t]\n\t"                        \
            "sub    " a ", " a ", " a ", lsr #31\n\t"        \
            "asr    " a ", " a ", %[t]\n\t"                 \
            "add    " a ", " a ", %[zp2]\n\t"               \
            "ssat   " a ", #8, " a ", asr #1\n\t"
            __asm__ volatile(ONNX2MCU_REQUANT("%[a0]", "0") ONNX2MCU_REQUANT("%[a1]", "4")
                             ONNX2MCU_REQUANT("%[a2]", "8") ONNX2MCU_REQUANT("%[a3]", "12")
                             "strb   %[a0], [%[o]]\n\t"
                             "strb   %[a1], [%[o], #1]\n\t"
                             "strb   %[a2], [%[o], #2]\n\t"
                             "strb   %[a3], [%[o], #3]\n\t"
                             : [a0] "+&r"(a0), [a1] "+&r"(a1), [a2] "+&r"(a2), [a3] "+&r"(a3), [m] "=&r"(m), [t] "=&r"(t)
                             : [mp] "r"(mp), [sp] "r"(sp), [zp2] "r"(2 * oq.zero_point + 1), [o] "r"(o)
                             : "memory");
#undef ONNX2MCU_REQUANT
        } else {
            const int32_t acc[4] = {a0, a1, a2, a3};
            for (k = 0; k < 4; ++k) {
                const int32_t n = -d->shift[c + k];
                out[c + k] = onnx2mcu_out_s8(acc[k], d->multiplier[c + k], n, onnx2mcu_round(n), oq, full);
            }
        }
    }
}
#else
/* Portable C: channel by channel, the nine taps through their pointers. */
ONNX2MCU_INLINE void pixel_channels(const int8_t *const tap[9], const onnx2mcu_layer_data *d, int32_t ch,
                                    onnx2mcu_out_q oq, int8_t *out, const int full)
{
    int32_t c, t;
    for (c = 0; c < ch; ++c) {
        const int8_t *w = d->weights + c;
        const int32_t n = -d->shift[c];
        int32_t acc = d->bias[c];
        for (t = 0; t < 9; ++t) {
            acc += w[t * ch] * tap[t][c];
        }
        out[c] = onnx2mcu_out_s8(acc, d->multiplier[c], n, onnx2mcu_round(n), oq, full);
    }
}
#endif

/*
 * The pixel path: every output pixel's nine tap pointers, then all its channels. In place, input row
 * y is copied aside before output row y overwrites it (output rows y and y + 1 still read it).
 */
ONNX2MCU_INLINE void dw_pixels(const onnx2mcu_conv_params *c, const onnx2mcu_layer_data *d, const int8_t *input,
                               int8_t *output, int8_t *scratch, onnx2mcu_out_q oq, const int full)
{
    const int32_t in_h = c->input.h, in_w = c->input.w, ch = c->input.c;
    const int32_t out_h = c->output.h, out_w = c->output.w;
    const int32_t row_len = in_w * ch;
    const int in_place = input == output && same_shape(c); /* else the plan proved the order safe as is */
    int8_t *const zp_pixel = scratch;
    int8_t *const saved = scratch + ch;
    int32_t oy, ox, ky, kx;
    memset(zp_pixel, (int)(int8_t)c->input_zero_point, (size_t)ch);
    for (oy = 0; oy < out_h; ++oy) {
        const int8_t *row[3];
        const int32_t top = oy * c->stride_h - c->pad_top;
        if (in_place) {
            memcpy(saved + (oy % 2) * row_len, input + oy * row_len, (size_t)row_len);
        }
        for (ky = 0; ky < 3; ++ky) {
            const int32_t iy = top + ky;
            row[ky] = iy < 0 || iy >= in_h ? 0
                    : in_place && iy <= oy ? saved + (iy % 2) * row_len
                    : input + iy * row_len;
        }
        for (ox = 0; ox < out_w; ++ox) {
            const int32_t left = ox * c->stride_w - c->pad_left;
            const int8_t *tap[9];
            for (ky = 0; ky < 3; ++ky) {
                for (kx = 0; kx < 3; ++kx) {
                    const int32_t ix = left + kx;
                    tap[3 * ky + kx] = row[ky] != 0 && ix >= 0 && ix < in_w ? row[ky] + ix * ch : zp_pixel;
                }
            }
            pixel_channels(tap, d, ch, oq, output + (oy * out_w + ox) * ch, full);
        }
    }
}

void onnx2mcu_dw_conv_3x3_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *scratch)
{
    const onnx2mcu_conv_params *c = &p->conv;
    const int32_t in_h = c->input.h, ch = c->input.c;
    const int32_t out_h = c->output.h, out_w = c->output.w;
    const int32_t len = row_bytes(c);
    int8_t *const zp_rows = scratch + RING * ROW_GROUP * len;
    onnx2mcu_out_q oq;
    channel_prep prep[ROW_GROUP];
    int32_t c0;
    oq.zero_point = c->output_zero_point;
    oq.act_min = c->act_min;
    oq.act_max = c->act_max;
#if ONNX2MCU_DSP || ONNX2MCU_MVE
    if (use_pixel_path(c)) {
        onnx2mcu_dw_conv_3x3_pixels_s8(p, d, input, output, scratch); /* one copy of the pixel path */
        return;
    }
#endif
    /* zp_in everywhere: the padding positions are never written again */
    memset(scratch, (int)(int8_t)c->input_zero_point, (size_t)((RING + 1) * ROW_GROUP * len));

    for (c0 = 0; c0 < ch; c0 += ROW_GROUP) {
        const int32_t n = ch - c0 < ROW_GROUP ? ch - c0 : ROW_GROUP;
        int32_t next = 0; /* the next input row to gather */
        int32_t oy, k;
        for (k = 0; k < n; ++k) {
            prepare_channel(d, c0 + k, ch, &prep[k]);
        }
        for (oy = 0; oy < out_h; ++oy) {
            const int32_t top = oy * c->stride_h - c->pad_top;
            int8_t *slot[3];
            for (; next <= top + 2 && next < in_h; ++next) {
                gather_row(c, input, next, c0, n, scratch + (next % RING) * ROW_GROUP * len, len);
            }
            for (k = 0; k < 3; ++k) {
                const int32_t iy = top + k;
                slot[k] = iy < 0 || iy >= in_h ? zp_rows : scratch + (iy % RING) * ROW_GROUP * len;
            }
            for (k = 0; k < n; ++k) {
                const int8_t *const rows[3] = {slot[0] + k * len, slot[1] + k * len, slot[2] + k * len};
                output_row(c, rows, &prep[k], output + oy * out_w * ch + c0 + k, oq);
            }
        }
    }
}

/*
 * The pixel path on every core (the memory planner's low-RAM variant, src/ops/depthwise_conv2d.ts):
 * scratch of one pixel of zp_in, plus two saved rows when in place, instead of the row ring. For
 * layers whose channels are a multiple of 4.
 */
int32_t onnx2mcu_dw_conv_3x3_pixels_scratch_bytes(const onnx2mcu_dw_conv_params *p)
{
    const onnx2mcu_conv_params *c = &p->conv;
    return c->input.c + (same_shape(c) ? 2 * c->input.w * c->input.c : 0);
}

void onnx2mcu_dw_conv_3x3_pixels_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                                    const int8_t *input, int8_t *output, int8_t *scratch)
{
    const onnx2mcu_conv_params *c = &p->conv;
    onnx2mcu_out_q oq;
    oq.zero_point = c->output_zero_point;
    oq.act_min = c->act_min;
    oq.act_max = c->act_max;
    /*
     * `full` (the int8-wide clamp) also selects the DSP path's assembly requantization, which needs
     * every channel to shift right; a layer with a shift-0 channel takes the C one (clamping to the
     * same range).
     */
    if (c->act_min == -128 && c->act_max == 127 && !onnx2mcu_any_zero_shift(d->shift, c->input.c)) {
        dw_pixels(c, d, input, output, scratch, oq, 1);
    } else {
        dw_pixels(c, d, input, output, scratch, oq, 0);
    }
}
