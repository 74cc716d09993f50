/**
 * The pipeline: every stage of a conversion, in order (stages.ts), and the runners. Commands,
 * benchmarks and tests ask for "up to stage X" (runPipeline) instead of assembling stages:
 *
 *   import → passes → calibrate → quantize → lower → plan → emit   (then verify: src/verify)
 *
 * runFloatPasses runs the float passes alone on a graph in hand (tests, the TF.js/ONNX
 * comparisons); FLOAT_PASSES lists them (passes.ts).
 */
import type { Graph } from '../src/ir/graph.js';
import { FLOAT_PASSES } from './passes.js';
import { runPasses } from './runner.js';
import type { RunPassesOptions } from './runner.js';

export { FLOAT_PASSES } from './passes.js';
export { runPasses, PassError } from './runner.js';
export type { RunPassesOptions } from './runner.js';
export type { Pass } from '../src/passes/pass.js';
export { STAGES, STAGE_NAMES, type Calibration, type PipelineInput, type PipelineOptions, type StageArtifacts, type StageName } from './stages.js';
export { runPipeline, dumpStage, laterStage, StageError, type RunPipelineOptions, type UpTo } from './run_pipeline.js';

/**
 * The canonical float graph of an imported model: every pass of FLOAT_PASSES, the IR verified
 * after each. dumpAfter: a pass name or 'all'; dumps go to dumpDir (default out/dump).
 */
export function runFloatPasses(g: Graph, opts: RunPassesOptions = {}): Graph {
  return runPasses(g, FLOAT_PASSES, opts);
}
