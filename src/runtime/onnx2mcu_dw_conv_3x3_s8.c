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

int32_t onnx2mcu_dw_conv_3x3_scratch_bytes(const onnx2mcu_dw_conv_params *p)
{
    return (RING + 1) * ROW_GROUP * row_bytes(&p->conv);
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

#if ONNX2MCU_DSP
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
    int32_t lo, hi, e, o, e2, o2;
    memcpy(&lo, p, 4);
    memcpy(&hi, p + 2, 4);
    e = (int32_t)__sxtb16((uint32_t)lo);
    o = onnx2mcu_sxtb16_ror8(lo);
    e2 = (int32_t)__sxtb16((uint32_t)hi);
    o2 = onnx2mcu_sxtb16_ror8(hi);
    MLA_D(acc[0], e, wpair);  /* p0 w0 + p2 w2 */
    MLA_BB(acc[0], o, wmid);  /* p1 w1 */
    MLA_D(acc[1], o, wpair);  /* p1 w0 + p3 w2 */
    MLA_TB(acc[1], e, wmid);  /* p2 w1 */
    MLA_D(acc[2], e2, wpair); /* p2 w0 + p4 w2 */
    MLA_BB(acc[2], o2, wmid); /* p3 w1 */
    MLA_D(acc[3], o2, wpair); /* p3 w0 + p5 w2 */
    MLA_TB(acc[3], e2, wmid); /* p4 w1 */
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
 * One output row of one channel, four outputs per step. A last step of 1 to 3 outputs stores its four
 * results into `spill` and copies its own out (one copy of the step's code, not two).
 */
ONNX2MCU_INLINE void row_dsp(const int8_t *const rows[3], const channel_prep *q, onnx2mcu_out_q oq, int8_t *out,
                             int32_t step, int32_t out_w, const int stride, const int full)
{
    const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
    const int32_t m = q->multiplier, n = q->n, round = q->round;
    int8_t spill[4];
    int32_t left, k;
    for (left = out_w; left > 0; left -= 4) {
        int8_t *const dst = left >= 4 ? out : spill;
        const int32_t at = left >= 4 ? step : 1;
        int32_t acc[4];
        step_dsp(r0, r1, r2, q, acc, stride);
        dst[0] = onnx2mcu_out_s8(acc[0], m, n, round, oq, full);
        dst[at] = onnx2mcu_out_s8(acc[1], m, n, round, oq, full);
        dst[2 * at] = onnx2mcu_out_s8(acc[2], m, n, round, oq, full);
        dst[3 * at] = onnx2mcu_out_s8(acc[3], m, n, round, oq, full);
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

/* One output row of one channel in plain C: nine taps per output. */
static void row_portable(const int8_t *const rows[3], const channel_prep *q, int32_t stride, onnx2mcu_out_q oq,
                         int8_t *out, int32_t step, int32_t out_w)
{
    const int8_t *r0 = rows[0], *r1 = rows[1], *r2 = rows[2];
    int32_t ox;
    for (ox = 0; ox < out_w; ++ox) {
        const int32_t *w = q->w;
        int32_t acc = q->bias;
        acc += w[0] * r0[0] + w[1] * r0[1] + w[2] * r0[2];
        acc += w[3] * r1[0] + w[4] * r1[1] + w[5] * r1[2];
        acc += w[6] * r2[0] + w[7] * r2[1] + w[8] * r2[2];
        *out = onnx2mcu_out_s8(acc, q->multiplier, q->n, q->round, oq, 0);
        out += step;
        r0 += stride;
        r1 += stride;
        r2 += stride;
    }
}

/* One output row of channel q, from the three padded rows of its window. */
static void output_row(const onnx2mcu_conv_params *c, const int8_t *const rows[3], const channel_prep *q,
                       int8_t *out, onnx2mcu_out_q oq)
{
    const int32_t ch = c->input.c, out_w = c->output.w;
#if ONNX2MCU_DSP
    const int full = oq.act_min == -128 && oq.act_max == 127;
    if (c->stride_w == 1) {
        if (full) {
            row_dsp(rows, q, oq, out, ch, out_w, 1, 1);
        } else {
            row_dsp(rows, q, oq, out, ch, out_w, 1, 0);
        }
        return;
    }
    if (c->stride_w == 2) {
        if (full) {
            row_dsp(rows, q, oq, out, ch, out_w, 2, 1);
        } else {
            row_dsp(rows, q, oq, out, ch, out_w, 2, 0);
        }
        return;
    }
#endif
    row_portable(rows, q, c->stride_w, oq, out, ch, out_w);
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
