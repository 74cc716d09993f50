/**
 * Access to ../shared (real models, images, labels), read in place. Tests that need it use
 * `describe.skipIf(!HAVE_SHARED)` and say why via `skipMessage`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED_DIR = process.env.ONNX2MCU_SHARED ?? resolve(PROJECT_ROOT, '..', 'shared');
export const HAVE_SHARED = existsSync(join(SHARED_DIR, 'models', 'models.json'));

export interface SharedModel {
  readonly file: string;
  /** Absolute path of the .onnx file. */
  readonly path: string;
  readonly width: number;
  readonly resolution: number;
  readonly classes: number;
  /** Class names in output order. */
  readonly labels: readonly string[];
  readonly input: { readonly name: string; readonly shape: readonly number[]; readonly scale: string };
  readonly float_top1?: Record<string, number>;
}

/** Prints (once per file) why tests that need ../shared are skipped. */
export function skipMessage(what: string): void {
  if (!HAVE_SHARED) console.warn(`[skip] ${what}: ../shared not found at ${SHARED_DIR} (set ONNX2MCU_SHARED to point at it)`);
}

export function sharedPath(...parts: string[]): string {
  return join(SHARED_DIR, ...parts);
}

/** The models listed in ../shared/models/models.json, labels resolved to class-name arrays. */
export function sharedModels(): SharedModel[] {
  if (!HAVE_SHARED) return [];
  const j = JSON.parse(readFileSync(sharedPath('models', 'models.json'), 'utf8')) as { models: Array<Record<string, unknown>> };
  return j.models.map((m) => {
    let labels: string[];
    if (Array.isArray(m.labels)) labels = m.labels as string[];
    else {
      const idx = JSON.parse(readFileSync(join(SHARED_DIR, 'models', String(m.labels)), 'utf8')) as Record<string, [string, string]>;
      labels = Object.keys(idx).sort((a, b) => Number(a) - Number(b)).map((k) => idx[k][1]);
    }
    return { ...(m as unknown as SharedModel), path: sharedPath('models', String(m.file)), labels };
  });
}

export function sharedModel(file: string): SharedModel {
  const m = sharedModels().find((x) => x.file === file);
  if (!m) throw new Error(`model ${file} not in ${sharedPath('models', 'models.json')}`);
  return m;
}
