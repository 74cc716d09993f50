/**
 * What the user hands us as a model, resolved once for every command: its format (an .onnx file,
 * or a TF.js graph model: model.json or its folder), its name, the sha256 of its bytes, and the
 * input scaling and class names to use with it. One place decides the scaling, in this order:
 * `--scale` given, else the known model's (by sha256, then by file name; src/model_source/
 * known_models.ts), else the default x/127.5-1 — and then says so (`assumed`), so the CLI can warn
 * and the artifacts can record it.
 */
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Graph } from '../ir/graph.js';
import { DEFAULT_SCALE, parseScale } from '../images/scale.js';
import { importOnnx } from '../onnx/import.js';
import { importTfjs, isTfjsModelPath } from '../tfjs/index.js';
import { UserError } from '../util/errors.js';
import { readInputFile } from '../util/input_files.js';
import { findKnownModel } from './known_models.js';

export type ScaleSource = 'sha256' | 'file name' | '--scale' | 'assumed';

export interface ModelSource {
  readonly path: string;
  readonly format: 'onnx' | 'tfjs';
  /** The model's name: the .onnx file name without extension, or the TF.js folder's name. */
  readonly name: string;
  /** sha256 of the .onnx file, or of model.json for a TF.js model. */
  readonly sha256: string;
  /** The float input scaling ('x/127.5-1', 'x/255', …) and how it was decided. */
  readonly scale: string;
  readonly scaleSource: ScaleSource;
  /** Class names in output order, when the model is a known one. */
  readonly labels?: readonly string[];
}

/** The bytes that identify the model: the .onnx file, or model.json. */
function identifyingBytes(path: string, format: ModelSource['format']): Uint8Array {
  const file = format === 'tfjs' && isDirectory(path) ? join(path, 'model.json') : path;
  return readInputFile(file, 'model');
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The model at `path`, with `scale` when the user gave one (checked here, before any work). */
export function resolveModelSource(path: string, scale?: string): ModelSource {
  const format = isTfjsModelPath(path) ? 'tfjs' : 'onnx';
  const bytes = identifyingBytes(path, format);
  const name = format === 'tfjs'
    ? basename(isDirectory(path) ? path : join(path, '..'))
    : basename(path).replace(/\.onnx$/i, '');
  const known = findKnownModel(format === 'tfjs' ? name : basename(path), bytes);
  if (scale !== undefined) parseScale(scale);
  const chosen = scale ?? known?.scale ?? DEFAULT_SCALE;
  const scaleSource: ScaleSource = scale !== undefined ? '--scale' : known ? known.matchedBy : 'assumed';
  return {
    path,
    format,
    name,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    scale: chosen,
    scaleSource,
    ...(known ? { labels: known.labels } : {}),
  };
}

/** The warning to print when the scaling was assumed (undefined otherwise). */
export function scaleWarning(s: ModelSource): string | undefined {
  if (s.scaleSource !== 'assumed') return undefined;
  return `${s.path}: input scaling not known for this model and not given; assuming ${s.scale} (pass --scale to set it)`;
}

/** Imports the model as the IR graph, whatever its format. */
export function importModel(s: ModelSource): Graph {
  return s.format === 'tfjs' ? importTfjs(s.path) : importOnnx(s.path);
}
