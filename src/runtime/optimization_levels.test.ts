/**
 * The runtime sources compile warning-free on every Cortex-M core in the builds a firmware project
 * makes besides the -O2 gcc build of the target tests: -O0 (debug builds: gcc keeps r7 as the frame
 * pointer, which the DSP and Armv7-M assembly cannot spare, so those builds must take the portable
 * paths, not fail), -Os, clang (which reserves r7 at every level: portable paths too), and a build
 * that reserves a register itself with ONNX2MCU_PORTABLE defined, as onnx2mcu_arith.h asks.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { board } from '../target/boards.js';
import { announceSkip, missingTools } from '../target/testing.js';
import { hasTool } from '../target/tools.js';
import { quickMode } from '../verify/compile.js';
import { RUNTIME_DIR, runtimeSources } from './runtime_files.js';

const skip = missingTools(['arm-none-eabi-gcc']);
announceSkip('runtime sources at -O0 and -Os, and with clang, on the Cortex-M cores', skip);
const NEWLIB_INCLUDE = '/usr/lib/arm-none-eabi/include'; // Debian's libnewlib-arm-none-eabi: clang's <stdint.h> for bare metal

const CLANG_TARGET: Record<string, string> = {
  'cortex-m0plus': 'thumbv6m-none-eabi',
  'cortex-m3': 'thumbv7m-none-eabi',
  'cortex-m4': 'thumbv7em-none-eabi',
  'cortex-m55': 'thumbv8.1m.main-none-eabi',
};

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-opt-levels-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip !== null)('runtime sources in every build a firmware project makes', () => {
  const sources = runtimeSources();
  const strict = ['-std=c99', '-Wall', '-Wextra', '-Werror', '-pedantic', `-I${RUNTIME_DIR}`];
  for (const cpu of Object.keys(CLANG_TARGET)) {
    it(`${cpu}: gcc -O0, -Os, -O2 -fno-omit-frame-pointer -DONNX2MCU_PORTABLE, clang -O2; -Wall -Wextra -Werror -pedantic`, () => {
      expect(sources.length).toBeGreaterThan(8);
      const builds: [string, string, string[]][] = [
        ['gcc -O0', 'arm-none-eabi-gcc', ['-O0']],
        ['gcc -Os', 'arm-none-eabi-gcc', ['-Os']],
        ['gcc -O2 portable', 'arm-none-eabi-gcc', ['-O2', '-fno-omit-frame-pointer', '-DONNX2MCU_PORTABLE']],
      ];
      // the quick tier (make check): the -O0 build only, one compiler
      if (quickMode()) builds.splice(1);
      else if (hasTool('clang')) builds.push(['clang -O2', 'clang', ['-O2', `--target=${CLANG_TARGET[cpu]}`, '-isystem', NEWLIB_INCLUDE]]);
      for (const [name, cc, flags] of builds) {
        const out = join(work, `${cpu}-${name.replace(/\W+/g, '_')}`);
        mkdirSync(out, { recursive: true });
        // one compiler process for every file: -c writes each object into the working directory
        const r = spawnSync(cc, [...board(cpu).cpuFlags, ...flags, ...strict, '-c', ...sources], { cwd: out, encoding: 'utf8' });
        expect(`${name}: ${r.stderr}`).toBe(`${name}: `);
        expect(r.status).toBe(0);
      }
    });
  }
});
