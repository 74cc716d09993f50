/**
 * Command-line options shared by several commands, declared once (yargs builders) and parsed
 * once (into PipelineOptions and friends), and the usage error they raise.
 */
import type { Argv } from 'yargs';
import type { ObserverMethod } from '../quant/observers/index.js';
import { checkPrefix } from '../cgen/c_writer.js';

/** A problem with the command line itself (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const METHODS = ['minmax', 'percentile', 'entropy', 'mse'] as const;

/** --calib and what calibrating takes: the images, how many, the observer, bias correction, threads, scale. */
export function calibrationOptions<T>(y: Argv<T>, required: boolean) {
  return y
    .option('calib', { type: 'string', demandOption: required, describe: 'calibration images: folder or CSV' })
    .option('calib-count', { type: 'number', describe: 'use at most this many calibration images' })
    .option('method', { choices: METHODS, describe: 'calibration observer (default mse)' })
    .option('bias-correction', { type: 'boolean', default: true, describe: 'correct the bias shift caused by weight rounding (--no-bias-correction to disable)' })
    .option('threads', { type: 'number', describe: 'worker threads for the bias correction (and eval\'s integer reference); default one per core, up to 4; same results' })
    .option('scale', { type: 'string', describe: "the model's pixel scaling: x/127.5-1, x/255, x, 'mean=..,..,..;std=..,..,..' (default: the known model's, else x/127.5-1 with a warning)" });
}

/** --dump-after and --dump-dir. */
export function dumpOptions<T>(y: Argv<T>) {
  return y
    .option('dump-after', { type: 'string', describe: "write the artifact after this stage (import, passes, calibrate, quantize, lower, plan, emit) or float pass as text, or 'all'" })
    .option('dump-dir', { type: 'string', describe: 'where --dump-after writes (default out/dump)' });
}

export interface CalibrationArgs {
  calib?: string;
  'calib-count'?: number;
  method?: string;
  'bias-correction': boolean;
  threads?: number;
  scale?: string;
}

export interface DumpArgs {
  'dump-after'?: string;
  'dump-dir'?: string;
}

/** A positive integer option, or a UsageError naming it. */
export function positiveInt(name: string, n: number | undefined): number | undefined {
  if (n !== undefined && Number.isNaN(n)) throw new UsageError(`--${name}: not a number (must be a positive integer)`);
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} ${n}: must be a positive integer`);
  return n;
}

/** The pipeline options the calibration arguments give. */
export function pipelineOptions(a: CalibrationArgs, progress: 'auto' | 'none') {
  const threads = positiveInt('threads', a.threads);
  positiveInt('calib-count', a['calib-count']);
  return {
    biasCorrection: a['bias-correction'],
    progress,
    ...(threads !== undefined ? { threads } : {}),
    ...(a.method ? { method: a.method as ObserverMethod } : {}),
  };
}

/** --prefix: a lower-case C identifier. */
export function prefixOption(p: string | undefined): string | undefined {
  if (p === undefined) return undefined;
  const problem = checkPrefix(p);
  if (problem) throw new UsageError(`--prefix ${problem}`);
  return p;
}
