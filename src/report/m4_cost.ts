/**
 * The per-layer Cortex-M4 cost of a converted folder, measured (src/target: QEMU mps2-an386 and
 * the instruction-counting plugin, the output checked against the integer reference) and added to
 * its report.html. Used by `make bench` and `onnx2mcu sweep`; needs arm-none-eabi-gcc, newlib and
 * qemu-system-arm.
 */
import type { QuantizedModel } from '../int8/types.js';
import { runOnTarget, type TargetRun } from '../target/run_target.js';
import { addTargetCost } from './target_cost.js';

export async function addCortexM4Cost(dir: string, opts: { images: readonly string[]; model?: QuantizedModel; work?: string }): Promise<TargetRun> {
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
