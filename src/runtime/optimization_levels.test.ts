/**
 * The runtime sources compile warning-free on every Cortex-M core at the optimization levels a
 * firmware build uses besides the -O2 of the target tests: -O0 (debug builds: gcc keeps r7 as the
 * frame pointer, which the DSP and Armv7-M assembly cannot spare, so those builds must fall back to
 * the portable paths, not fail) and -Os.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { board } from '../target/boards.js';
import { announceSkip, missingTools } from '../target/testing.js';
import { RUNTIME_DIR, runtimeSources } from './runtime_files.js';

const skip = missingTools(['arm-none-eabi-gcc']);
announceSkip('runtime sources at -O0 and -Os on the Cortex-M cores', skip);

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-opt-levels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip !== null)('runtime sources at every optimization level', () => {
  const sources = runtimeSources();
  for (const cpu of ['cortex-m0plus', 'cortex-m3', 'cortex-m4', 'cortex-m55']) {
    it(`${cpu}: -O0 and -Os, -Wall -Wextra -Werror -pedantic`, () => {
      expect(sources.length).toBeGreaterThan(8);
      for (const opt of ['-O0', '-Os']) {
        const out = join(work, `${cpu}${opt}`);
        // one compiler process for every file: -c writes each object into the working directory
        mkdirSync(out, { recursive: true });
        const r = spawnSync('arm-none-eabi-gcc', [...board(cpu).cpuFlags, opt, '-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', `-I${RUNTIME_DIR}`, '-c', ...sources], { cwd: out, encoding: 'utf8' });
        expect(`${opt}: ${r.stderr}`).toBe(`${opt}: `);
        expect(r.status).toBe(0);
      }
    });
  }
});
