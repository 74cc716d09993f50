/**
 * Models the tool knows: the files listed in ../shared/models/models.json, recognised by sha256
 * (so a renamed copy is still known) or, failing that, by file name — for a TF.js folder, its name
 * with a `_fused` / `_plain` variant suffix removed. A known model brings its class names and its
 * input scaling.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { sharedModels, type SharedModel } from '../util/shared.js';

export interface KnownModel {
  readonly file: string;
  readonly labels: readonly string[];
  readonly scale: string;
  /** How it was recognised. */
  readonly matchedBy: 'sha256' | 'file name';
}

function toKnown(m: SharedModel, matchedBy: KnownModel['matchedBy']): KnownModel {
  return { file: m.file, labels: m.labels, scale: m.input.scale, matchedBy };
}

/**
 * The models.json entry of a model (by the sha256 of `bytes`, then by `name`: an .onnx file name,
 * or a TF.js folder name), or undefined.
 */
export function findKnownModel(name: string, bytes: Uint8Array): KnownModel | undefined {
  let models: SharedModel[];
  try {
    models = sharedModels();
  } catch {
    return undefined; // an unreadable models.json only costs us the label names
  }
  if (models.length === 0) return undefined;
  const sha = createHash('sha256').update(bytes).digest('hex');
  const bySha = models.find((m) => (m as SharedModel & { sha256?: string }).sha256 === sha);
  if (bySha) return toKnown(bySha, 'sha256');
  const base = basename(name).replace(/_(fused|plain)$/, '');
  const byName = models.find((m) => m.file === base || m.file === `${base}.onnx`);
  return byName ? toKnown(byName, 'file name') : undefined;
}
