/**
 * The runner's entry points (issue 11): the input lives in the arena. Writing it at
 * model_input() and calling model_invoke(), copying a caller's buffer with model_run(), and a
 * caller-owned arena (model_arena_input() + model_invoke_with_arena()) all give the integer
 * reference's bytes; the error codes hold (arena too small, misaligned, null). Compiled with the
 * strict flags and ASan + UBSan.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInt8 } from '../quant/interpret_int8.js';
import { rng } from '../quant/testing.js';
import { availableCompilers, compileC } from '../verify/compile.js';
import { emitModel, handMadeModel, writeFiles } from './testing.js';

const compilers = availableCompilers();
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-api-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const DRIVER = `#include <stdio.h>
#include <string.h>
#include "model.h"

static int32_t arena_words[(MODEL_ARENA_SIZE + 3) / 4 + 2];

static void print(const int8_t *v)
{
    int i;
    for (i = 0; i < MODEL_OUTPUT_SIZE; ++i) {
        printf("%d%c", v[i], i + 1 < MODEL_OUTPUT_SIZE ? ' ' : '\\n');
    }
}

int main(void)
{
    static int8_t in[MODEL_INPUT_SIZE];
    int8_t o1[MODEL_OUTPUT_SIZE], o2[MODEL_OUTPUT_SIZE], o3[MODEL_OUTPUT_SIZE];
    int8_t *arena = (int8_t *)arena_words;
    while (fread(in, 1, sizeof in, stdin) == sizeof in) {
        memcpy(model_input(), in, sizeof in);
        if (model_invoke(o1) != MODEL_OK) return 2;
        if (model_run(in, o2) != MODEL_OK) return 3;
        memcpy(model_arena_input(arena), in, sizeof in);
        if (model_invoke_with_arena(o3, arena, MODEL_ARENA_SIZE) != MODEL_OK) return 4;
        print(o1);
        print(o2);
        print(o3);
    }
    if (model_invoke_with_arena(o3, arena, MODEL_ARENA_SIZE - 1) != MODEL_ERR_ARENA) return 5;
    if (model_invoke_with_arena(o3, arena + 1, MODEL_ARENA_SIZE) != MODEL_ERR_ALIGN) return 6;
    if (model_invoke(0) != MODEL_ERR_NULL || model_arena_input(0) != 0) return 7;
    if (MODEL_INPUT_OFFSET + MODEL_INPUT_SIZE > MODEL_ARENA_SIZE) return 8;
    return 0;
}
`;

describe.skipIf(compilers.length === 0)('entry points with the input in the arena', () => {
  it('input()+invoke(), run() and a caller-owned arena give the reference bytes; the error codes hold (ASan + UBSan)', () => {
    const model = handMadeModel(31);
    const e = emitModel(model);
    const dir = join(work, 'm');
    writeFiles(dir, e.files);
    writeFileSync(join(dir, 'driver.c'), DRIVER);
    const sources = [...e.files.keys()].filter((f) => f.endsWith('.c') && f !== 'main.c').map((f) => join(dir, f));
    const exe = compileC({ compiler: compilers[0], sources: [join(dir, 'driver.c'), ...sources], includeDirs: [dir], out: join(dir, 'driver'), sanitize: true });
    const r = rng(5);
    const [, C, H, W] = model.input.shape;
    const inputs = Array.from({ length: 4 }, () => Int8Array.from({ length: C * H * W }, () => Math.floor(256 * r()) - 128)); // NCHW
    const nhwc = (x: Int8Array) => {
      const out = new Int8Array(x.length);
      for (let y = 0; y < H; y++) for (let xx = 0; xx < W; xx++) for (let c = 0; c < C; c++) out[(y * W + xx) * C + c] = x[(c * H + y) * W + xx];
      return out;
    };
    const stdin = Buffer.concat(inputs.map((x) => Buffer.from(nhwc(x).buffer)));
    const run = spawnSync(exe, [], { input: stdin });
    expect(run.stderr.toString()).toBe('');
    expect(run.status).toBe(0);
    const lines = run.stdout.toString().trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(lines).toHaveLength(3 * inputs.length);
    inputs.forEach((x, i) => {
      const want = Array.from(runInt8(model, x).raw);
      expect(lines[3 * i], 'input() + invoke()').toEqual(want);
      expect(lines[3 * i + 1], 'run()').toEqual(want);
      expect(lines[3 * i + 2], 'a caller-owned arena').toEqual(want);
    });
    expect(e.manifest.arena.input_offset! + C * H * W).toBeLessThanOrEqual(e.manifest.arena.bytes);
  });
});
