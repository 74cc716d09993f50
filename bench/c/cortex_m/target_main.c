/*
 * target_main.c - runs the generated runner on the images in bench_images.c and prints each
 * int8 output and top class (with -DBENCH_NAIVE: the naive loop-nest baseline instead). The same
 * source is built for the host (gcc) and for Cortex-M4 (arm-none-eabi-gcc, QEMU mps2-an386,
 * semihosting); bench/c/cortex_m/run.ts compares the two.
 *
 * -DBENCH_RUNS=N instead runs the network N times on image 0 and prints the timer ticks of each run:
 * under `qemu -icount shift=0` (1 ns of virtual time per executed instruction, timer at 25 MHz)
 * one tick is 40 emulated instructions, so ticks x 40 counts one inference's instructions
 * (to within 40; QEMU counts instructions, it does not model Cortex-M4 cycles).
 */
#include <stdio.h>
#include "bench_images.h"

#include "../bench_program.h"

#if INPUT_SIZE != BENCH_IMAGE_BYTES
#error "bench_images.c was generated for another input size"
#endif

static int8_t input[INPUT_SIZE];
static int8_t output[OUTPUT_SIZE];

#ifdef BENCH_RUNS
/* CMSDK APB timer 0 of the MPS2 board: 32-bit down counter at the 25 MHz peripheral clock. */
#define TIMER0_CTRL (*(volatile uint32_t *)0x40000000u)
#define TIMER0_VALUE (*(volatile uint32_t *)0x40000004u)
#define TIMER0_RELOAD (*(volatile uint32_t *)0x40000008u)

int main(void)
{
    long i;
    FROM_PIXELS(bench_images[0], input);
    TIMER0_RELOAD = 0xFFFFFFFFu;
    TIMER0_VALUE = 0xFFFFFFFFu;
    TIMER0_CTRL = 1u; /* enable */
    printf("ticks");
    for (i = 0; i < BENCH_RUNS; ++i) {
        const uint32_t start = TIMER0_VALUE;
        (void)RUN(input, output);
        printf(" %lu", (unsigned long)(start - TIMER0_VALUE)); /* modulo 2^32: one wrap is fine */
    }
    printf("\n");
    return 0;
}
#else
int main(void)
{
    int32_t i, k, best;
    for (i = 0; i < BENCH_IMAGE_COUNT; ++i) {
        FROM_PIXELS(bench_images[i], input);
        if (RUN(input, output) != 0) {
            printf("image %ld: model_run failed\n", (long)i);
            return 1;
        }
        best = 0;
        printf("image %ld out", (long)i);
        for (k = 0; k < OUTPUT_SIZE; ++k) {
            printf(" %d", output[k]);
            if (output[k] > output[best]) {
                best = k;
            }
        }
        printf(" top %ld\n", (long)best);
    }
    return 0;
}
#endif
