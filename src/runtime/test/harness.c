/*
 * harness.c - test driver for the runtime (compiled and fed by src/runtime/runtime.test.ts).
 * Reads whitespace-separated integer commands on stdin, prints one result line per command:
 *   srdhm A B | rdbpot X N | mbqm ACC M S          -> one integer
 *   conv KIND  ...geometry...  then weights, bias, multiplier, shift, input  -> output values
 * KIND: 0 conv_s8, 1 conv_1x1_s8, 2 dw_conv_s8, 3 dw_conv_3x3_s8, 4 dw_conv_3x3_s8 in place,
 *       5 fc_s8, 6 avg_pool_s8, 7 global_avg_pool_s8, 8 conv_im2col_s8, 9 dw_conv_3x3_pixels_s8,
 *       10 dw_conv_3x3_pixels_s8 in place.
 * Buffers are static (no malloc) and sized for test layers.
 */
#include <stdio.h>
#include <string.h>
#include "../onnx2mcu_arith.h"
#include "../onnx2mcu_conv_s8.h"
#include "../onnx2mcu_dw_conv_s8.h"
#include "../onnx2mcu_fc_s8.h"
#include "../onnx2mcu_avg_pool_s8.h"

#define MAX_ELEMS 65536

static int8_t weights[MAX_ELEMS];
static int32_t bias[4096], multiplier[4096], shift[4096];
static int8_t input[MAX_ELEMS], output[MAX_ELEMS];
static int32_t scratch[4096];

static long next(void)
{
    long v = 0;
    if (scanf("%ld", &v) != 1) {
        fprintf(stderr, "harness: unexpected end of input\n");
    }
    return v;
}

static void read_i8(int8_t *dst, long n)
{
    long i;
    for (i = 0; i < n; ++i) dst[i] = (int8_t)next();
}

static void read_i32(int32_t *dst, long n)
{
    long i;
    for (i = 0; i < n; ++i) dst[i] = (int32_t)next();
}

static void print_i8(const int8_t *src, long n)
{
    long i;
    for (i = 0; i < n; ++i) printf(i ? " %d" : "%d", src[i]);
    printf("\n");
}

static void read_dims(onnx2mcu_dims *d)
{
    d->h = (int32_t)next();
    d->w = (int32_t)next();
    d->c = (int32_t)next();
}

static void run_layer(void)
{
    const long kind = next();
    onnx2mcu_layer_data data;
    data.weights = weights;
    data.bias = bias;
    data.multiplier = multiplier;
    data.shift = shift;

    if (kind <= 4 || kind >= 8) {
        /* in(h w c) out(h w c) kh kw sh sw dh dw pt pl zp_in zp_out act_min act_max mult */
        onnx2mcu_dw_conv_params dw;
        onnx2mcu_conv_params *c = &dw.conv;
        long nw, n_in, n_out;
        read_dims(&c->input);
        read_dims(&c->output);
        c->kernel_h = (int32_t)next(); c->kernel_w = (int32_t)next();
        c->stride_h = (int32_t)next(); c->stride_w = (int32_t)next();
        c->dilation_h = (int32_t)next(); c->dilation_w = (int32_t)next();
        c->pad_top = (int32_t)next(); c->pad_left = (int32_t)next();
        c->input_zero_point = (int32_t)next(); c->output_zero_point = (int32_t)next();
        c->act_min = (int32_t)next(); c->act_max = (int32_t)next();
        dw.depth_multiplier = (int32_t)next();
        n_in = (long)c->input.h * c->input.w * c->input.c;
        n_out = (long)c->output.h * c->output.w * c->output.c;
        nw = kind <= 1 || kind == 8 ? (long)c->output.c * c->kernel_h * c->kernel_w * c->input.c
                       : (long)c->kernel_h * c->kernel_w * c->output.c;
        read_i8(weights, nw);
        read_i32(bias, c->output.c);
        read_i32(multiplier, c->output.c);
        read_i32(shift, c->output.c);
        read_i8(input, n_in);
        memset(output, 0x55, sizeof output);
        switch (kind) {
        case 0: onnx2mcu_conv_s8(c, &data, input, output); break;
        case 1: onnx2mcu_conv_1x1_s8(c, &data, input, output, scratch); break;
        case 8: onnx2mcu_conv_im2col_s8(c, &data, input, output, (int8_t *)scratch); break;
        case 2: onnx2mcu_dw_conv_s8(&dw, &data, input, output); break;
        case 3: onnx2mcu_dw_conv_3x3_s8(&dw, &data, input, output, (int8_t *)scratch); break;
        case 9: onnx2mcu_dw_conv_3x3_pixels_s8(&dw, &data, input, output, (int8_t *)scratch); break;
        case 10:
            onnx2mcu_dw_conv_3x3_pixels_s8(&dw, &data, input, input, (int8_t *)scratch);
            memcpy(output, input, (size_t)n_out);
            break;
        default:
            /* in place: the output overwrites the input buffer */
            onnx2mcu_dw_conv_3x3_s8(&dw, &data, input, input, (int8_t *)scratch);
            memcpy(output, input, (size_t)n_out);
            break;
        }
        print_i8(output, n_out);
    } else if (kind == 5) {
        onnx2mcu_fc_params f;
        f.in_features = (int32_t)next(); f.out_features = (int32_t)next();
        f.input_zero_point = (int32_t)next(); f.output_zero_point = (int32_t)next();
        f.act_min = (int32_t)next(); f.act_max = (int32_t)next();
        read_i8(weights, (long)f.in_features * f.out_features);
        read_i32(bias, f.out_features);
        read_i32(multiplier, f.out_features);
        read_i32(shift, f.out_features);
        read_i8(input, f.in_features);
        onnx2mcu_fc_s8(&f, &data, input, output);
        print_i8(output, f.out_features);
    } else if (kind == 6) {
        /* in(h w c) out(h w c) kh kw sh sw pt pl count_include_pad zp act_min act_max */
        onnx2mcu_avg_pool_params a;
        read_dims(&a.input);
        read_dims(&a.output);
        a.kernel_h = (int32_t)next(); a.kernel_w = (int32_t)next();
        a.stride_h = (int32_t)next(); a.stride_w = (int32_t)next();
        a.pad_top = (int32_t)next(); a.pad_left = (int32_t)next();
        a.count_include_pad = (int32_t)next(); a.zero_point = (int32_t)next();
        a.act_min = (int32_t)next(); a.act_max = (int32_t)next();
        read_i8(input, (long)a.input.h * a.input.w * a.input.c);
        onnx2mcu_avg_pool_s8(&a, input, output);
        print_i8(output, (long)a.output.h * a.output.w * a.output.c);
    } else {
        onnx2mcu_global_avg_pool_params g;
        read_dims(&g.input);
        g.act_min = (int32_t)next(); g.act_max = (int32_t)next();
        read_i8(input, (long)g.input.h * g.input.w * g.input.c);
        onnx2mcu_global_avg_pool_s8(&g, input, output);
        print_i8(output, g.input.c);
    }
}

int main(void)
{
    char cmd[32];
    while (scanf("%31s", cmd) == 1) {
        if (strcmp(cmd, "srdhm") == 0) {
            const int32_t a = (int32_t)next(), b = (int32_t)next();
            printf("%ld\n", (long)onnx2mcu_srdhm(a, b));
        } else if (strcmp(cmd, "rdbpot") == 0) {
            const int32_t x = (int32_t)next(), n = (int32_t)next();
            printf("%ld\n", (long)onnx2mcu_rdbpot(x, n));
        } else if (strcmp(cmd, "mbqm") == 0) {
            const int32_t acc = (int32_t)next(), m = (int32_t)next(), s = (int32_t)next();
            printf("%ld\n", (long)onnx2mcu_mbqm(acc, m, s));
        } else if (strcmp(cmd, "layer") == 0) {
            run_layer();
        } else {
            fprintf(stderr, "harness: unknown command %s\n", cmd);
            return 1;
        }
    }
    return 0;
}
