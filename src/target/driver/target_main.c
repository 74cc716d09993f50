/*
 * target_main.c - the driver that runOnTarget (src/target/run_target.ts) builds with a runner
 * (ours: model.c + kernels; the peer: CMSIS-NN) for an emulated Cortex-M. It
 *   0. TARGET_INIT(): the peer's one-time preparation (scratch sizes, kernel sums), printed as
 *      "init <scratch bytes> <persistent bytes>"; nothing for ours;
 *   1. calls the marker three times back to back (BL, BL, BL in inline assembly, so that nothing
 *      else sits between them): the two intervals between the hits are the cost of one marker
 *      call (BL + BX LR), which the host subtracts from every interval;
 *   2. runs every embedded image (uint8 pixels through TARGET_FROM_PIXELS), then TARGET_RANDOM
 *      seeded random int8 inputs, each inference bracketed by a marker before the call and one
 *      after it returns (the runner adds one marker per layer);
 *   3. prints each output as "out <kind> <index> <hex bytes>" on the semihosting console.
 * target_program.h (generated) names the runner and the sizes; target_images.c holds the images.
 *
 * The random inputs use mulberry32 (src/util/random.ts), one generator per input seeded with
 * TARGET_SEED + index, byte = (next >> 24) - 128, drawn in channels-last (H, W, C) order whatever
 * the runner's input layout (with TARGET_INPUT_NCHW the bytes are stored transposed), so ours and
 * the peer see the same tensors; the host computes the same bytes for its reference.
 */
#include <stdint.h>
#include <stdio.h>
#include "target_marker.h"
#include "target_program.h"

static int8_t input[TARGET_INPUT_SIZE];
static int8_t output[TARGET_OUTPUT_SIZE];
static char line[32 + 2 * TARGET_OUTPUT_SIZE];

#if TARGET_IMAGE_COUNT > 0
extern const uint8_t target_images[TARGET_IMAGE_COUNT][TARGET_INPUT_SIZE];
#endif

static uint32_t rng_state;

static uint32_t mulberry32_next(void)
{
    uint32_t t;
    rng_state += 0x6D2B79F5u;
    t = rng_state;
    t = (t ^ (t >> 15)) * (t | 1u);
    t ^= t + (t ^ (t >> 7)) * (t | 61u);
    return t ^ (t >> 14);
}

static void print_output(const char *kind, int32_t index)
{
    static const char hex[] = "0123456789abcdef";
    int32_t k, n;
    n = sprintf(line, "out %s %ld ", kind, (long)index);
    for (k = 0; k < TARGET_OUTPUT_SIZE; ++k) {
        const uint8_t b = (uint8_t)output[k];
        line[n++] = hex[b >> 4];
        line[n++] = hex[b & 15u];
    }
    line[n] = '\0';
    puts(line);
}

/* Not inlined, so that the instructions between the markers and the runner's call and return
 * (moving the arguments and the result around the marker calls) do not depend on main's code. */
__attribute__((noinline)) static int infer(const int8_t *in, int8_t *out)
{
    int rc;
    target_marker(); /* start of the inference */
    rc = TARGET_RUN(in, out);
    target_marker(); /* end of the inference */
    return rc;
}

int main(void)
{
    int32_t i, k;
    const long init = TARGET_INIT();
    printf("init %ld %ld\n", init, TARGET_PERSISTENT());
    if (init < 0) {
        return 2;
    }
    /* Calibration: three hits, two intervals of one marker call each. */
    __asm__ volatile("bl target_marker\n\tbl target_marker\n\tbl target_marker" ::: "r0", "r1", "r2", "r3", "r12", "lr", "cc", "memory");
#if TARGET_IMAGE_COUNT > 0
    for (i = 0; i < TARGET_IMAGE_COUNT; ++i) {
        TARGET_FROM_PIXELS(target_images[i], input);
        if (infer(input, output) != 0) {
            printf("error image %ld: run failed\n", (long)i);
            return 1;
        }
        print_output("image", i);
    }
#endif
    for (i = 0; i < TARGET_RANDOM; ++i) {
        rng_state = (uint32_t)TARGET_SEED + (uint32_t)i;
        for (k = 0; k < TARGET_INPUT_SIZE; ++k) {
            const int8_t v = (int8_t)((int32_t)(mulberry32_next() >> 24) - 128);
#if defined(TARGET_INPUT_NCHW) && TARGET_INPUT_NCHW
            input[(k % TARGET_INPUT_C) * (TARGET_INPUT_SIZE / TARGET_INPUT_C) + k / TARGET_INPUT_C] = v;
#else
            input[k] = v;
#endif
        }
        if (infer(input, output) != 0) {
            printf("error random %ld: run failed\n", (long)i);
            return 1;
        }
        print_output("random", i);
    }
    puts("done");
    return 0;
}
