/*
 * onnx2mcu_fc_s8.c - int8 fully connected layer: out[o] = requant(bias[o] + sum_k w[o, k] * x[k]).
 * Any requantization (the general onnx2mcu_mbqm: a classifier has few outputs, its cost is in the
 * products). Paths:
 * - Helium (Cortex-M55): four outputs per pass, 16 products per VMLADAVA on the shared input vector.
 * - DSP (Cortex-M4/M7/M33), K a multiple of 4: four outputs per pass (then two), each input word
 *   widened once (SXTB16) for all of them, two SMLAD per weight word.
 * - portable C otherwise.
 */
#include "onnx2mcu_fc_s8.h"
#include "onnx2mcu_arith.h"

static int8_t requant(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d, int32_t o, int32_t acc)
{
    acc = onnx2mcu_mbqm(acc, d->multiplier[o], d->shift[o]) + p->output_zero_point;
    return (int8_t)onnx2mcu_clamp(acc, p->act_min, p->act_max);
}

/* Output o in plain C (also the paths' remainders). */
static int8_t output_c(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d, const int8_t *input, int32_t o)
{
    const int32_t k_len = p->in_features;
    const int8_t *w = d->weights + o * k_len;
    int32_t acc = d->bias[o], k;
    for (k = 0; k + 3 < k_len; k += 4) {
        acc += w[k] * input[k] + w[k + 1] * input[k + 1] + w[k + 2] * input[k + 2] + w[k + 3] * input[k + 3];
    }
    for (; k < k_len; ++k) {
        acc += w[k] * input[k];
    }
    return requant(p, d, o, acc);
}

void onnx2mcu_fc_s8(const onnx2mcu_fc_params *p, const onnx2mcu_layer_data *d,
                    const int8_t *input, int8_t *output)
{
    const int32_t k_len = p->in_features, out = p->out_features;
    int32_t o = 0;
    (void)k_len; /* the portable build uses output_c only */
#if ONNX2MCU_MVE
    for (; o + 3 < out; o += 4) {
        const int8_t *w0 = d->weights + o * k_len, *w1 = w0 + k_len, *w2 = w1 + k_len, *w3 = w2 + k_len;
        int32_t a0 = d->bias[o], a1 = d->bias[o + 1], a2 = d->bias[o + 2], a3 = d->bias[o + 3], k;
        for (k = 0; k < k_len; k += 16) {
            const mve_pred16_t pr = vctp8q((uint32_t)(k_len - k)); /* all lanes but in the last step */
            const int8x16_t x = vldrbq_z_s8(input + k, pr);
            a0 = vmladavaq_s8(a0, x, vldrbq_z_s8(w0 + k, pr));
            a1 = vmladavaq_s8(a1, x, vldrbq_z_s8(w1 + k, pr));
            a2 = vmladavaq_s8(a2, x, vldrbq_z_s8(w2 + k, pr));
            a3 = vmladavaq_s8(a3, x, vldrbq_z_s8(w3 + k, pr));
        }
        output[o] = requant(p, d, o, a0);
        output[o + 1] = requant(p, d, o + 1, a1);
        output[o + 2] = requant(p, d, o + 2, a2);
        output[o + 3] = requant(p, d, o + 3, a3);
    }
#elif ONNX2MCU_DSP
    if ((k_len & 3) == 0 && k_len > 0) { /* the assembly loop runs at least once */
        for (; o + 3 < out; o += 4) {
            /*
             * Four outputs per pass in assembly: each input word widened once (SXTB16) for all four
             * rows, the rows read from two pointers (rows 1 and 3 at a register offset): 25
             * instructions per 16 multiply-accumulates (gcc's two-row loop took 15 per 8).
             */
            const int32_t *xp = (const int32_t *)(const void *)input;
            const int32_t *const end = xp + k_len / 4;
            const int8_t *wp = d->weights + o * k_len, *wq = wp + 2 * k_len;
            int32_t a0 = d->bias[o], a1 = d->bias[o + 1], a2 = d->bias[o + 2], a3 = d->bias[o + 3];
            int32_t xv, xl, v, t;
#define ONNX2MCU_FC_ROW(acc, load)                   \
            load                                     \
            "sxtb16 %[t], %[v]\n\t"                  \
            "sxtb16 %[v], %[v], ror #8\n\t"          \
            "smlad  " acc ", %[xl], %[t], " acc "\n\t" \
            "smlad  " acc ", %[xv], %[v], " acc "\n\t"
            __asm__("1:\n\t"
                    "ldr    %[xv], [%[xp]], #4\n\t"
                    "sxtb16 %[xl], %[xv]\n\t"
                    "sxtb16 %[xv], %[xv], ror #8\n\t"
                    ONNX2MCU_FC_ROW("%[a1]", "ldr    %[v], [%[wp], %[kl]]\n\t")
                    ONNX2MCU_FC_ROW("%[a0]", "ldr    %[v], [%[wp]], #4\n\t")
                    ONNX2MCU_FC_ROW("%[a3]", "ldr    %[v], [%[wq], %[kl]]\n\t")
                    ONNX2MCU_FC_ROW("%[a2]", "ldr    %[v], [%[wq]], #4\n\t")
                    "cmp    %[xp], %[end]\n\t"
                    "bne    1b\n\t"
                    : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xp] "+r"(xp), [wp] "+r"(wp),
                      [wq] "+r"(wq), [xv] "=&r"(xv), [xl] "=&r"(xl), [v] "=&r"(v), [t] "=&r"(t)
                    : [kl] "r"(k_len), [end] "r"(end)
                    : "cc", "memory");
#undef ONNX2MCU_FC_ROW
            output[o] = requant(p, d, o, a0);
            output[o + 1] = requant(p, d, o + 1, a1);
            output[o + 2] = requant(p, d, o + 2, a2);
            output[o + 3] = requant(p, d, o + 3, a3);
        }
        for (; o + 1 < out; o += 2) {
            /* two outputs left (or a two-class model): each input word widened once for both */
            const int32_t *x = (const int32_t *)(const void *)input;
            const int32_t *w0 = (const int32_t *)(const void *)(d->weights + o * k_len);
            const int32_t *w1 = (const int32_t *)(const void *)(d->weights + (o + 1) * k_len);
            const int32_t *const end = x + k_len / 4;
            int32_t a0 = d->bias[o], a1 = d->bias[o + 1];
            while (x != end) {
                const int32_t xv = *x++, v0 = *w0++, v1 = *w1++;
                const uint32_t xl = __sxtb16((uint32_t)xv), xh = (uint32_t)onnx2mcu_sxtb16_ror8(xv);
                a0 = __smlad(xl, __sxtb16((uint32_t)v0), a0);
                a0 = __smlad(xh, (uint32_t)onnx2mcu_sxtb16_ror8(v0), a0);
                a1 = __smlad(xl, __sxtb16((uint32_t)v1), a1);
                a1 = __smlad(xh, (uint32_t)onnx2mcu_sxtb16_ror8(v1), a1);
            }
            output[o] = requant(p, d, o, a0);
            output[o + 1] = requant(p, d, o + 1, a1);
        }
    }
#endif
    for (; o < out; ++o) {
        output[o] = output_c(p, d, input, o);
    }
}
