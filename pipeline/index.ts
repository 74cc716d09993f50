/**
 * The pipeline, stage by stage. For now: the float passes (import → passes → canonical float
 * graph). Later stages (calibrate, quantize, plan memory, emit C) are appended here.
 */
import type { Graph } from '../src/ir/graph.js';
import { FLOAT_PASSES } from './passes.js';
import { runPasses } from './runner.js';
import type { RunPassesOptions } from './runner.js';

export { FLOAT_PASSES } from './passes.js';
export { runPasses, PassError } from './runner.js';
export type { RunPassesOptions } from './runner.js';
export type { Pass } from '../src/passes/pass.js';

/**
 * The canonical float graph of an imported model: every pass of FLOAT_PASSES, the IR verified
 * after each. dumpAfter: a pass name or 'all'; dumps go to dumpDir (default out/dump).
 */
export function runFloatPasses(g: Graph, opts: RunPassesOptions = {}): Graph {
  return runPasses(g, FLOAT_PASSES, opts);
}
