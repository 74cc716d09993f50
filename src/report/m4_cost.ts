/**
 * The per-layer Cortex-M4 cost of a converted folder, measured (src/target: QEMU mps2-an386 and
 * the instruction-counting plugin, the output checked against the integer reference) and added to
 * its report.html. Used by `make bench` and `onnx2mcu sweep`; needs arm-none-eabi-gcc, newlib and
 * qemu-system-arm.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest } from '../artifacts/manifest.js';
import type { QuantizedModel } from '../int8/types.js';
import { board, BOARDS_DIR } from '../target/boards.js';
import { runOnTarget, type TargetRun } from '../target/run_target.js';
import { addTargetCost } from './target_cost.js';

/** Room the program needs in flash beside the model's constants: code, the driver, one embedded image (224×224×3) and slack. */
const PROGRAM_BYTES = 256 * 1024;

/** Bytes of the FLASH region of the Cortex-M4 board's linker script ("LENGTH = 4M"). */
export function m4FlashBytes(): number {
  const script = readFileSync(join(BOARDS_DIR, board('cortex-m4').linkerScript), 'utf8');
  const m = /FLASH\s*\([^)]*\)\s*:\s*ORIGIN\s*=\s*\S+\s*,\s*LENGTH\s*=\s*(\d+)\s*([KM]?)/.exec(script);
  if (!m) throw new Error(`${board('cortex-m4').linkerScript}: no FLASH region`);
  return Number(m[1]) * (m[2] === 'M' ? 1 << 20 : m[2] === 'K' ? 1 << 10 : 1);
}

export async function addCortexM4Cost(dir: string, opts: { images: readonly string[]; model?: QuantizedModel; work?: string }): Promise<TargetRun> {
  // A model too big for the board is said at once, not after a minute of cross-compiling its weights.
  const constants = readManifest(dir).flash.total;
  const flash = m4FlashBytes();
  if (constants + PROGRAM_BYTES > flash) {
    throw new Error(`does not fit the ${board('cortex-m4').machine} board: ${constants.toLocaleString('en-US')} B of constants in ${(flash / (1 << 20)).toFixed(0)} MiB of flash`);
  }
  const run = await runOnTarget(dir, { cpu: 'cortex-m4', images: opts.images, random: 0, ...(opts.model ? { model: opts.model } : {}), ...(opts.work ? { work: opts.work } : {}) });
  if (!run.bitExact) throw new Error(`${dir}: the Cortex-M4 output differs from the integer reference on ${run.mismatches} input(s)`);
  addTargetCost(dir, {
    what: `Cortex-M4 (QEMU ${run.machine}, arm-none-eabi-gcc -O2), instructions of one inference`,
    unit: 'instructions',
    total: run.instructions.total,
    layers: run.instructions.layers.map((l) => ({ name: l.name, value: l.instructions })),
    codeBytes: run.codeBytes,
  });
  return run;
}
