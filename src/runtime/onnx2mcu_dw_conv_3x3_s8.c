/*
 * onnx2mcu_dw_conv_3x3_s8.c - depthwise 3x3 fast path (depth multiplier 1, dilation 1, pads <= 1, any stride).
 *
 * Each output row reads three input rows through row pointers; a missing row (top/bottom padding)
 * is a null pointer. Interior pixels run the nine taps without bounds checks; a border pixel first
 * lists its taps inside the input and its taps in the padding, then every channel runs over the
 * two lists without branches.
 *
 * In place (output == input, stride 1, same shape): output row y overwrites input row y, which
 * output row y + 1 still needs, and input row y - 1 is already gone when row y is computed. So
 * before computing row y the kernel copies input row y into one of two scratch rows (`rows`,
 * 2 * W * C bytes); rows y - 1 and y are then read from scratch, row y + 1 from the untouched buffer.
 */
#include <string.h>
#include "onnx2mcu_dw_conv_s8.h"
#include "onnx2mcu_arith.h"

int32_t onnx2mcu_dw_conv_3x3_scratch_bytes(const onnx2mcu_dw_conv_params *p)
{
    return 2 * p->conv.input.w * p->conv.input.c;
}

void onnx2mcu_dw_conv_3x3_s8(const onnx2mcu_dw_conv_params *p, const onnx2mcu_layer_data *d,
                             const int8_t *input, int8_t *output, int8_t *rows)
{
    const onnx2mcu_conv_params *c = &p->conv;
    const int32_t in_h = c->input.h, in_w = c->input.w, ch = c->input.c;
    const int32_t out_h = c->output.h, out_w = c->output.w;
    const int32_t row_bytes = in_w * ch;
    const int32_t zp_in = c->input_zero_point;
    const int in_place = rows != 0;
    int32_t oy, ox, k, cc;

    for (oy = 0; oy < out_h; ++oy) {
        const int8_t *row[3];
        const int32_t base_y = oy * c->stride_h - c->pad_top;
        int8_t *out_row = output + oy * out_w * ch;
        if (in_place) {
            /* stride 1, pad_top <= 1: rows base_y .. oy are saved, oy + 1 is still in the buffer */
            memcpy(rows + (oy % 2) * row_bytes, input + oy * row_bytes, (size_t)row_bytes);
        }
        for (k = 0; k < 3; ++k) {
            const int32_t iy = base_y + k;
            if (iy < 0 || iy >= in_h) {
                row[k] = 0;
            } else if (in_place && iy <= oy) {
                row[k] = rows + (iy % 2) * row_bytes;
            } else {
                row[k] = input + iy * row_bytes;
            }
        }
        for (ox = 0; ox < out_w; ++ox) {
            const int32_t base_x = ox * c->stride_w - c->pad_left;
            const int interior = base_x >= 0 && base_x + 2 < in_w && row[0] && row[1] && row[2];
            int8_t *out = out_row + ox * ch;
            /* border pixel: the taps inside the input (pointer and weight offset) and those in the padding */
            const int8_t *inside[9];
            int32_t inside_w[9], padded_w[9];
            int32_t n_inside = 0, n_padded = 0;
            if (!interior) {
                int32_t ky, kx;
                for (ky = 0; ky < 3; ++ky) {
                    for (kx = 0; kx < 3; ++kx) {
                        const int32_t ix = base_x + kx;
                        if (row[ky] == 0 || ix < 0 || ix >= in_w) {
                            padded_w[n_padded++] = (ky * 3 + kx) * ch;
                        } else {
                            inside[n_inside] = row[ky] + ix * ch;
                            inside_w[n_inside++] = (ky * 3 + kx) * ch;
                        }
                    }
                }
            }
            for (cc = 0; cc < ch; ++cc) {
                const int8_t *w = d->weights + cc;
                int32_t acc = d->bias[cc];
                if (interior) {
                    const int8_t *r0 = row[0] + base_x * ch + cc;
                    const int8_t *r1 = row[1] + base_x * ch + cc;
                    const int8_t *r2 = row[2] + base_x * ch + cc;
                    acc += w[0] * r0[0] + w[ch] * r0[ch] + w[2 * ch] * r0[2 * ch];
                    acc += w[3 * ch] * r1[0] + w[4 * ch] * r1[ch] + w[5 * ch] * r1[2 * ch];
                    acc += w[6 * ch] * r2[0] + w[7 * ch] * r2[ch] + w[8 * ch] * r2[2 * ch];
                } else {
                    int32_t t;
                    for (t = 0; t < n_inside; ++t) {
                        acc += w[inside_w[t]] * inside[t][cc];
                    }
                    for (t = 0; t < n_padded; ++t) {
                        acc += w[padded_w[t]] * zp_in; /* padding reads zp_in */
                    }
                }
                acc = onnx2mcu_mbqm(acc, d->multiplier[cc], d->shift[cc]) + c->output_zero_point;
                out[cc] = (int8_t)onnx2mcu_clamp(acc, c->act_min, c->act_max);
            }
        }
    }
}
