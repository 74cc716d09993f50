/**
 * The stage runner: runs STAGES in order up to a named stage, checks every artifact as it is made
 * (a failed check is a StageError naming the stage: a bug in that stage, or in the model when the
 * check says so with a UserError), and writes text dumps: `dumpAfter` is a stage name, a float
 * pass name, or 'all'; stage dumps are `<dumpDir>/stage<K>_<stage>.txt`, pass dumps
 * `<dumpDir>/<NN>_<pass>.txt`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../src/util/errors.js';
import { FLOAT_PASSES } from './passes.js';
import { STAGE_NAMES, STAGES, type PipelineInput, type Stage, type StageArtifacts, type StageName } from './stages.js';

export interface RunPipelineOptions {
  /** A stage name, a float pass name, or 'all'. */
  readonly dumpAfter?: string;
  /** Where dumps go (default 'out/dump'). */
  readonly dumpDir?: string;
}

/** The artifacts of every stage up to and including S. */
export type UpTo<S extends StageName> = Pick<StageArtifacts, Through<typeof STAGE_NAMES, S>[number]>;

type Through<T extends readonly unknown[], S, Acc extends StageName[] = []> = T extends readonly [infer H, ...infer R]
  ? H extends S ? [...Acc, H & StageName] : Through<R, S, [...Acc, H & StageName]>
  : Acc;

/** A stage produced an artifact that fails its check. */
export class StageError extends Error {
  constructor(readonly stage: StageName, problem: string) {
    super(`stage '${stage}' produced an invalid result: ${problem}`);
    this.name = 'StageError';
  }
}

/** The stage that `dumpAfter` needs to reach (undefined: none), or a UserError for an unknown name. */
export function dumpStage(dumpAfter: string | undefined): StageName | undefined {
  if (dumpAfter === undefined) return undefined;
  if (dumpAfter === 'all') return undefined;
  if ((STAGE_NAMES as readonly string[]).includes(dumpAfter)) return dumpAfter as StageName;
  if (FLOAT_PASSES.some((p) => p.name === dumpAfter)) return 'passes';
  throw new UserError(`--dump-after '${dumpAfter}': no such stage or pass (stages: ${STAGE_NAMES.join(', ')}; passes: ${FLOAT_PASSES.map((p) => p.name).join(', ')}; or 'all')`);
}

/** The later of two stages. */
export function laterStage(a: StageName, b: StageName | undefined): StageName {
  if (b === undefined) return a;
  return STAGE_NAMES.indexOf(b) > STAGE_NAMES.indexOf(a) ? b : a;
}

/** Runs the stages from 'import' through `until`, checking (and dumping) each artifact. */
export async function runPipeline<S extends StageName>(input: PipelineInput, until: S, opts: RunPipelineOptions = {}): Promise<UpTo<S>> {
  dumpStage(opts.dumpAfter); // an unknown name fails before any work
  const dumpDir = opts.dumpDir ?? join('out', 'dump');
  const isPass = opts.dumpAfter !== undefined && FLOAT_PASSES.some((p) => p.name === opts.dumpAfter);
  const passOptions = opts.dumpAfter === 'all' || isPass ? { dumpAfter: opts.dumpAfter, dumpDir } : {};
  const done: Partial<Record<StageName, unknown>> = {};
  const last = STAGE_NAMES.indexOf(until);
  for (let k = 0; k <= last; k++) {
    const stage = STAGES[k] as unknown as Stage<StageName>;
    const artifact = await stage.run(done as never, input, passOptions);
    try {
      stage.check(artifact as never);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new StageError(stage.name, e instanceof Error ? e.message : String(e));
    }
    if (opts.dumpAfter === 'all' || opts.dumpAfter === stage.name) {
      mkdirSync(dumpDir, { recursive: true });
      writeFileSync(join(dumpDir, `stage${k + 1}_${stage.name}.txt`), stage.dump(artifact as never));
    }
    done[stage.name] = artifact;
  }
  return done as UpTo<S>;
}
