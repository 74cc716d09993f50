/**
 * From the plugin's marker snapshots to per-inference and per-layer counts, and the estimated
 * Cortex-M4 cycle count.
 *
 * The driver (driver/target_main.c) hits the marker in a fixed sequence:
 *   3 calibration hits (three BL target_marker in a row),
 *   then for every inference: a hit before the call, one per layer (MODEL_LAYER_HOOK after each
 *   layer), a hit after the call returns.
 * Every interval between two consecutive hits contains exactly one marker call: the rest of the
 * previous marker (its BX LR) and the next call site (its BL; a tail call B at the end of the
 * runner's layer function is one instruction too). The calibration intervals measure that cost, in
 * every counter column, and it is subtracted from each interval, so
 *   layer k            = hit(k) - hit(k-1) - marker      (hit(-1) = the hit before the call:
 *                                                         layer 0 includes the call into the runner)
 *   last layer        += end hit - hit(L-1) - marker    (the return path)
 *   total              = end hit - start hit - (L+1) * marker = the sum of the layers.
 */
import { TargetError } from './tools.js';
import type { PluginReport } from './plugin.js';

export const CALIBRATION_HITS = 3;

export interface InferenceCounters {
  /** All counter columns over the inference, markers subtracted. */
  readonly total: readonly number[];
  /** The same per layer (the last layer includes the return path). */
  readonly layers: readonly (readonly number[])[];
}

export interface SplitCounters {
  /** One marker call (BL + BX LR), every column. */
  readonly marker: readonly number[];
  readonly inferences: readonly InferenceCounters[];
}

const sub = (a: readonly number[], b: readonly number[]) => a.map((v, i) => v - b[i]);

export function splitInferences(report: PluginReport, layerCount: number, inferenceCount: number): SplitCounters {
  const hitsPer = layerCount + 2;
  const expected = CALIBRATION_HITS + inferenceCount * hitsPer;
  if (report.marks.length !== expected) {
    throw new TargetError(`plugin: ${report.marks.length} marker hits, expected ${expected} (3 calibration + ${inferenceCount} inferences x (${layerCount} layers + 2))`);
  }
  const marker = sub(report.marks[1], report.marks[0]);
  const again = sub(report.marks[2], report.marks[1]);
  if (marker.some((v, i) => v !== again[i])) {
    throw new TargetError(`plugin: the two calibration intervals differ ([${marker}] vs [${again}])`);
  }
  const inferences: InferenceCounters[] = [];
  for (let j = 0; j < inferenceCount; j++) {
    const base = CALIBRATION_HITS + j * hitsPer;
    const layers: number[][] = [];
    for (let k = 0; k < layerCount; k++) layers.push(sub(sub(report.marks[base + 1 + k], report.marks[base + k]), marker));
    const tail = sub(sub(report.marks[base + layerCount + 1], report.marks[base + layerCount]), marker);
    layers[layerCount - 1] = layers[layerCount - 1].map((v, i) => v + tail[i]);
    const total = layers.reduce((acc, l) => acc.map((v, i) => v + l[i]), new Array<number>(marker.length).fill(0));
    const direct = sub(report.marks[base + layerCount + 1], report.marks[base]).map((v, i) => v - (layerCount + 1) * marker[i]);
    if (total.some((v, i) => v !== direct[i])) throw new Error('splitInferences: layers do not sum to the total'); // arithmetic invariant
    inferences.push({ total, layers });
  }
  return { marker, inferences };
}

/** The instruction mix of a counter vector, by column name (instructions, classes, registers, branches). */
export function mixOf(columns: readonly string[], v: readonly number[]): Record<string, number> {
  const m: Record<string, number> = {};
  columns.forEach((c, i) => {
    if (c !== 'm4_base') m[c] = v[i];
  });
  return m;
}

export interface M4Estimate {
  /** Base cycles + 2 cycles of pipeline refill per taken branch + 7 cycles per division. */
  readonly cycles: number;
  /** Refill 1, division 2. */
  readonly low: number;
  /** Refill 3, division 12. */
  readonly high: number;
  readonly note: string;
}

/**
 * ESTIMATED Cortex-M4 cycles from the instruction mix: the Cortex-M4 TRM (DDI 0439B) Table 3-1
 * timings per instruction (thumb_class.h lists them), in-block load pipelining (TRM 3.3.2), plus
 * P = 1..3 refill cycles per taken branch and 2..12 cycles per division. Zero wait states; not
 * modelled: IT folding, the extra cycle of an address that depends on the previous ALU result,
 * literal-load fetch contention, pipelining across branch targets.
 */
export function estimateM4Cycles(columns: readonly string[], v: readonly number[]): M4Estimate {
  const col = (name: string) => {
    const i = columns.indexOf(name);
    if (i < 0) throw new TargetError(`plugin output has no '${name}' column`);
    return v[i];
  };
  const base = col('m4_base'), taken = col('taken'), div = col('div');
  return {
    cycles: base + 2 * taken + 7 * div,
    low: base + taken + 2 * div,
    high: base + 3 * taken + 12 * div,
    note: 'ESTIMATE from the instruction mix and Cortex-M4 TRM Table 3-1 timings (P = 2 per taken branch, 7 per division; range P = 1..3, division 2..12), zero wait states',
  };
}
