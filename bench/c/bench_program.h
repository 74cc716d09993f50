/*
 * Which program a bench driver runs: the generated runner (model.h) or, with -DBENCH_NAIVE, the
 * naive loop-nest baseline (naive_model.h from bench/c/naive_gen.ts). Shared by bench_driver.c
 * (host) and cortex_m/target_main.c (Cortex-M4).
 */
#ifndef BENCH_PROGRAM_H
#define BENCH_PROGRAM_H

#ifdef BENCH_NAIVE
#include "naive_model.h"
#define INPUT_SIZE NAIVE_INPUT_SIZE
#define OUTPUT_SIZE NAIVE_OUTPUT_SIZE
#define RUN(in, out) naive_model_run(in, out)
#define FROM_PIXELS(px, in) naive_input_from_pixels(px, in)
#else
#include "model.h"
#define INPUT_SIZE MODEL_INPUT_SIZE
#define OUTPUT_SIZE MODEL_OUTPUT_SIZE
#define RUN(in, out) model_run(in, out)
#define FROM_PIXELS(px, in) model_input_from_pixels(px, in)
#endif

#endif /* BENCH_PROGRAM_H */
