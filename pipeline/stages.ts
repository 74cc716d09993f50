/**
 * The data path of a conversion, stage by stage, read top to bottom:
 *
 *   import     model file (ONNX or TF.js)        → Graph (as the exporter wrote it)
 *   passes     Graph                             → Graph (canonical, float; FLOAT_PASSES)
 *   calibrate  Graph + calibration images        → Calibration (ranges, window means, the images)
 *   quantize   Graph + Calibration               → QuantizedModel (int8, per-channel)
 *   lower      QuantizedModel                    → LoweredModel (C kernels, layouts, identifiers)
 *   plan       LoweredModel                      → RunnerPlan (static arena offsets)
 *   emit       LoweredModel + RunnerPlan         → Artifacts (files: C, weights.bin, manifest, report)
 *   (verify    the written folder                → compiled and compared with the integer reference:
 *              src/verify, run by `onnx2mcu verify` and the tests)
 *
 * Each stage is a function of the artifacts before it (run), a check of what it produced (run by
 * the runner after every stage) and a text dump (`--dump-after <stage>|all`).
 */
import type { Graph } from '../src/ir/graph.js';
import { verifyGraph } from '../src/graph/verify.js';
import { dumpGraph } from '../src/ir/dump.js';
import { importModel, scaleWarning, type ModelSource } from '../src/model_source/model_source.js';
import type { CalibrationStats } from '../src/int8/calibration.js';
import type { QuantizedModel } from '../src/int8/types.js';
import { calibrateAsync, DEFAULT_METHOD, type CalibrationOptions } from '../src/quant/calibrate.js';
import { inputSize, loadImageInputs, type ImageInput } from '../src/quant/images.js';
import { quantizeGraphParallel } from '../src/quant/parallel.js';
import { checkQuantizedModel } from '../src/quant/check.js';
import { dumpCalibration, dumpQuantized } from '../src/quant/dump.js';
import type { ObserverMethod } from '../src/quant/observers/index.js';
import { lowerModel, type LoweredModel } from '../src/lower/lower.js';
import { checkLowered, dumpLowered } from '../src/lower/dump.js';
import { checkRunnerPlan, planMemory, planMemoryWithin, type RunnerPlan } from '../src/memory/plan_memory.js';
import { printPlan } from '../src/memory/print.js';
import { emitArtifacts, type Artifacts } from '../src/emit/emit.js';
import { checkArtifacts, dumpArtifacts } from '../src/emit/check.js';
import { measureQuantQuality } from '../src/report/quality.js';
import { UserError } from '../src/util/errors.js';
import { FLOAT_PASSES } from './passes.js';
import { runPasses, type RunPassesOptions } from './runner.js';

/** What a conversion starts from: the model, the calibration images, and every option. */
export interface PipelineInput {
  readonly source: ModelSource;
  /** Calibration images (paths), needed from the calibrate stage on. */
  readonly calibration?: readonly string[];
  /** Where calibration images came from (a folder or CSV), for the provenance. */
  readonly calibrationFrom?: string;
  readonly options?: PipelineOptions;
  /** Where warnings go (e.g. an assumed input scaling, said when calibration starts using it). */
  readonly warn?: (message: string) => void;
}

export interface PipelineOptions {
  readonly method?: ObserverMethod;
  readonly methodFor?: CalibrationOptions['methodFor'];
  readonly percentile?: number;
  readonly biasCorrection?: boolean | 'float' | 'empirical';
  readonly weightScale?: 'max' | 'mse';
  /** Worker threads for the empirical bias correction ('auto' by default; the model is the same). */
  readonly threads?: number | 'auto';
  /** Float engine for calibration: 'ort' (default) or 'ts'. */
  readonly engine?: 'ort' | 'ts';
  readonly progress?: 'auto' | 'bar' | 'lines' | 'none';
  readonly inputLayout?: 'nhwc' | 'nchw';
  /** The C namespace of the generated code (default 'model'). */
  readonly prefix?: string;
  /** Merge in-place depthwise layers in the arena plan (default true). */
  readonly inPlace?: boolean;
  /** Arena bytes the plan must fit in: the first layers run row by row when whole tensors do not fit. */
  readonly ramLimit?: number;
  /** The model name in the artifacts (default: the source's). */
  readonly name?: string;
  /**
   * Measure the quantization quality on the calibration images for report.html (default true:
   * one float and one int8 inference per calibration image, every activation kept).
   */
  readonly quality?: boolean;
}

/** The loaded calibration set: ranges and window means, and the images as both paths see them. */
export interface Calibration {
  readonly stats: CalibrationStats;
  readonly images: readonly ImageInput[];
}

/** The typed artifact of every stage. */
export interface StageArtifacts {
  readonly import: Graph;
  readonly passes: Graph;
  readonly calibrate: Calibration;
  readonly quantize: QuantizedModel;
  readonly lower: LoweredModel;
  readonly plan: RunnerPlan;
  readonly emit: Artifacts;
}

export type StageName = keyof StageArtifacts;

export const STAGE_NAMES = ['import', 'passes', 'calibrate', 'quantize', 'lower', 'plan', 'emit'] as const satisfies readonly StageName[];

/** The artifacts of the stages before stage S (what its `run` may read). */
export type Before<S extends StageName> = Partial<StageArtifacts> & Pick<StageArtifacts, PrefixOf<typeof STAGE_NAMES, S>[number]>;

/** The stage names before S in `T`. */
type PrefixOf<T extends readonly unknown[], S, Acc extends StageName[] = []> = T extends readonly [infer H, ...infer R]
  ? H extends S ? Acc : PrefixOf<R, S, [...Acc, H & StageName]>
  : Acc;

export interface Stage<S extends StageName> {
  readonly name: S;
  run(done: Before<S>, input: PipelineInput, passOptions: RunPassesOptions): Promise<StageArtifacts[S]>;
  check(artifact: StageArtifacts[S]): void;
  dump(artifact: StageArtifacts[S]): string;
}

const importStage: Stage<'import'> = {
  name: 'import',
  run: async (_done, input) => importModel(input.source),
  check: (g) => verifyGraph(g),
  dump: (g) => dumpGraph(g),
};

const passesStage: Stage<'passes'> = {
  name: 'passes',
  // The IR is verified after every pass inside runPasses; --dump-after <pass> dumps there.
  run: async (done, _input, passOptions) => runPasses(done.import, FLOAT_PASSES, passOptions),
  check: (g) => verifyGraph(g),
  dump: (g) => dumpGraph(g),
};

const calibrateStage: Stage<'calibrate'> = {
  name: 'calibrate',
  async run(done, input) {
    const paths = input.calibration;
    if (!paths || paths.length === 0) throw new UserError('calibration: no JPEG/PNG images given');
    const o = input.options ?? {};
    const images = await loadImageInputs(paths, inputSize(done.passes), input.source.scale);
    const stats = await calibrateAsync(done.passes, images.map((x) => x.float), {
      method: o.method ?? DEFAULT_METHOD,
      ...(o.methodFor ? { methodFor: o.methodFor } : {}),
      ...(o.percentile !== undefined ? { percentile: o.percentile } : {}),
      engine: o.engine ?? 'ort',
      progress: o.progress ?? 'auto',
    });
    // Said once the scaling has been used (an error before it says all there is to say).
    const warning = scaleWarning(input.source);
    if (warning) input.warn?.(warning);
    return { stats, images };
  },
  check({ stats }) {
    if (stats.count === 0) throw new Error('calibrate: no inputs seen');
    for (const [t, r] of stats.ranges) if (!Number.isFinite(r.min) || !Number.isFinite(r.max)) throw new UserError(`calibration: tensor '${t}' has a non-finite range [${r.min}, ${r.max}] on the calibration images`);
  },
  dump: ({ stats }) => dumpCalibration(stats),
};

const quantizeStage: Stage<'quantize'> = {
  name: 'quantize',
  run(done, input) {
    const o = input.options ?? {};
    return quantizeGraphParallel(done.passes, done.calibrate.stats, {
      inputScaling: input.source.scale,
      calibrationInt8: done.calibrate.images.map((x) => x.int8),
      name: o.name ?? input.source.name,
      ...(o.biasCorrection !== undefined ? { biasCorrection: o.biasCorrection } : {}),
      ...(o.weightScale ? { weightScale: o.weightScale } : {}),
    }, o.threads ?? 'auto');
  },
  check: (m) => checkQuantizedModel(m),
  dump: (m) => dumpQuantized(m),
};

const lowerStage: Stage<'lower'> = {
  name: 'lower',
  run: async (done, input) => lowerModel(done.quantize, { inputLayout: input.options?.inputLayout, prefix: input.options?.prefix }),
  check: (m) => checkLowered(m),
  dump: (m) => dumpLowered(m),
};

const planStage: Stage<'plan'> = {
  name: 'plan',
  run: async (done, input) => {
    const opts = { inPlace: input.options?.inPlace };
    const limit = input.options?.ramLimit;
    return limit === undefined ? planMemory(done.lower, opts) : planMemoryWithin(done.lower, limit, opts);
  },
  check: (r) => checkRunnerPlan(r),
  dump: (r) => printPlan(r.plan, r.steps, 'arena plan', r.stream),
};

const emitStage: Stage<'emit'> = {
  name: 'emit',
  async run(done, input) {
    const s = input.source;
    const o = input.options ?? {};
    const quality = o.quality === false ? undefined : await measureQuantQuality(done.passes, done.quantize, done.calibrate.images, { engine: o.engine ?? 'ort' });
    return emitArtifacts(done.lower, done.plan, {
      ...(s.labels ? { labels: s.labels } : {}),
      ...(quality ? { quality } : {}),
      source: {
        model: s.path.split(/[\\/]/).filter(Boolean).pop() ?? s.path,
        model_sha256: s.sha256,
        format: s.format,
        calibration: {
          images: done.calibrate?.images.length ?? 0,
          from: (input.calibrationFrom ?? '').split(/[\\/]/).filter(Boolean).pop() ?? '',
          method: o.method ?? DEFAULT_METHOD,
          bias_correction: o.biasCorrection !== false,
        },
        input_scaling: s.scale,
        input_scaling_source: s.scaleSource,
      },
    });
  },
  check: (a) => checkArtifacts(a),
  dump: (a) => dumpArtifacts(a),
};

/** The stages in order. */
export const STAGES = [importStage, passesStage, calibrateStage, quantizeStage, lowerStage, planStage, emitStage] as const;
