/**
 * Models the tool knows: the files listed in ../shared/models/models.json, recognised by sha256
 * (so a renamed copy is still known) or, failing that, by file name. A known model brings its
 * class names and its input scaling.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
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

/** The models.json entry of the model at `path` (by sha256, then by file name), or undefined. */
export function findKnownModel(path: string, bytes?: Uint8Array): KnownModel | undefined {
  let models: SharedModel[];
  try {
    models = sharedModels();
  } catch {
    return undefined; // an unreadable models.json only costs us the label names
  }
  if (models.length === 0) return undefined;
  const data = bytes ?? readFileSync(path);
  const sha = createHash('sha256').update(data).digest('hex');
  const bySha = models.find((m) => (m as SharedModel & { sha256?: string }).sha256 === sha);
  if (bySha) return toKnown(bySha, 'sha256');
  const byName = models.find((m) => m.file === basename(path));
  return byName ? toKnown(byName, 'file name') : undefined;
}
