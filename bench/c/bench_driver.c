/*
 * bench_driver.c - one driver for both programs the benchmark compares (bench/c/run.ts):
 * built against the generated runner (model.h, model_run) by default, against the naive loop-nest
 * baseline (naive_model.h, naive_model_run) with -DBENCH_NAIVE. Same source, same flags.
 *
 *   driver check-pixels FILE...   each FILE: H*W*C uint8 pixels (HWC); prints the output bytes
 *   driver check-int8 FILE...     each FILE: INPUT_SIZE int8 values in the runner's input layout
 *   driver dump-pixels|dump-int8 FILE OUT   naive only: runs one input (as check-*), writes every
 *                                 layer's output buffer (NHWC, layer order) to OUT, for a
 *                                 layer-by-layer check against the TypeScript reference
 *   driver time FILE BATCHES N    one warm-up inference, then BATCHES timed batches of N inferences;
 *                                 prints "ns/inference" per batch, then the output bytes
 *   driver callgrind FILE         a warm-up inference, then exactly one inference with callgrind
 *                                 collection switched on around it by client requests (run under valgrind
 *                                 --tool=callgrind --collect-atstart=no); without
 *                                 <valgrind/callgrind.h>, by --toggle-collect=<run function>
 * Output bytes are printed as signed decimals on one line: "out v0 v1 ...".
 */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef BENCH_HAVE_CALLGRIND
#include <valgrind/callgrind.h>
#endif

#include "bench_program.h"

static uint8_t pixels[INPUT_SIZE];
static int8_t input[INPUT_SIZE];
static int8_t output[OUTPUT_SIZE];

static void read_exact(const char *path, void *buf, size_t bytes)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL || fread(buf, 1, bytes, f) != bytes) {
        fprintf(stderr, "bench_driver: cannot read %lu bytes from %s\n", (unsigned long)bytes, path);
        exit(2);
    }
    fclose(f);
}

static void print_output(void)
{
    int i;
    printf("out");
    for (i = 0; i < OUTPUT_SIZE; ++i) {
        printf(" %d", output[i]);
    }
    printf("\n");
}

static void run_checked(void)
{
    if (RUN(input, output) != 0) {
        fprintf(stderr, "bench_driver: run failed\n");
        exit(3);
    }
}

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    int i;
    if (argc >= 3 && strcmp(argv[1], "check-pixels") == 0) {
        for (i = 2; i < argc; ++i) {
            read_exact(argv[i], pixels, sizeof pixels);
            FROM_PIXELS(pixels, input);
            run_checked();
            print_output();
        }
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "check-int8") == 0) {
        for (i = 2; i < argc; ++i) {
            read_exact(argv[i], input, sizeof input);
            run_checked();
            print_output();
        }
        return 0;
    }
#ifdef BENCH_NAIVE
    if (argc == 4 && (strcmp(argv[1], "dump-pixels") == 0 || strcmp(argv[1], "dump-int8") == 0)) {
        int32_t layer, bytes = 0;
        FILE *out;
        if (strcmp(argv[1], "dump-pixels") == 0) {
            read_exact(argv[2], pixels, sizeof pixels);
            FROM_PIXELS(pixels, input);
        } else {
            read_exact(argv[2], input, sizeof input);
        }
        run_checked();
        out = fopen(argv[3], "wb");
        if (out == NULL) {
            fprintf(stderr, "bench_driver: cannot write %s\n", argv[3]);
            return 2;
        }
        for (layer = 0; layer < NAIVE_LAYER_COUNT; ++layer) {
            const int8_t *buf = naive_model_layer_output(layer, &bytes);
            if (fwrite(buf, 1, (size_t)bytes, out) != (size_t)bytes) {
                fprintf(stderr, "bench_driver: short write to %s\n", argv[3]);
                return 2;
            }
        }
        fclose(out);
        print_output();
        return 0;
    }
#endif
    if (argc == 5 && strcmp(argv[1], "time") == 0) {
        long b, n, batches = atol(argv[3]), per_batch = atol(argv[4]);
        read_exact(argv[2], pixels, sizeof pixels);
        FROM_PIXELS(pixels, input);
        run_checked(); /* warm-up: caches, page faults of the static buffers */
        for (b = 0; b < batches; ++b) {
            double t0 = now_ns(), t1;
            for (n = 0; n < per_batch; ++n) {
                run_checked();
            }
            t1 = now_ns();
            printf("ns %.1f\n", (t1 - t0) / (double)per_batch);
        }
        print_output();
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "callgrind") == 0) {
        read_exact(argv[2], pixels, sizeof pixels);
        FROM_PIXELS(pixels, input);
#ifdef BENCH_HAVE_CALLGRIND
        run_checked(); /* warm-up outside the count: resolves lazy PLT bindings (memcpy) */
        CALLGRIND_TOGGLE_COLLECT;
        run_checked();
        CALLGRIND_TOGGLE_COLLECT;
#else
        run_checked(); /* counted with --toggle-collect=<run function> instead (no warm-up: it would count too) */
#endif
        print_output();
        return 0;
    }
    fprintf(stderr, "usage: %s check-pixels FILE... | check-int8 FILE... | time FILE BATCHES N | callgrind FILE\n", argv[0]);
    return 2;
}
