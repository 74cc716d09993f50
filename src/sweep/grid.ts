/**
 * The sweep's grid: --widths and --resolutions parsed (one-line errors naming the option), the
 * configurations in the order they run (largest first, so the long ones do not end the sweep
 * alone on one core), and where a real model stands in for the generated one.
 */
import { existsSync } from 'node:fs';
import { UserError } from '../util/errors.js';
import { HAVE_SHARED, sharedModels, sharedPath } from '../util/shared.js';

export interface SweepConfig {
  readonly width: number;
  readonly resolution: number;
  /** A pretrained ImageNet model of ../shared/models for this α × ρ, else undefined (generated, seeded). */
  readonly realModel?: string;
}

/** "0.25,0.5" → [0.25, 0.5]; every value a number in (0, max], no repeats. */
export function parseList(option: string, text: string, check: { integer?: boolean; max: number }): number[] {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.length === 0 || parts.some((p) => p === '')) throw new UserError(`${option} '${text}': expected a comma-separated list of numbers, e.g. ${check.integer ? '96,128' : '0.25,0.5'}`);
  const values = parts.map((p) => {
    const v = Number(p);
    if (!Number.isFinite(v) || v <= 0 || v > check.max || (check.integer && !Number.isInteger(v))) {
      throw new UserError(`${option} '${p}': expected ${check.integer ? 'an integer' : 'a number'} in (0, ${check.max}]`);
    }
    return v;
  });
  if (new Set(values).size !== values.length) throw new UserError(`${option} '${text}': a value is repeated`);
  return values;
}

/**
 * The ImageNet models of ../shared by α × ρ: the sweep measures top-1 on imagenet-samples, which
 * only means something for a 1000-class ImageNet classifier (the flowers and VWW models are not).
 */
export function realModels(): Map<string, string> {
  const out = new Map<string, string>();
  if (!HAVE_SHARED || !existsSync(sharedPath('images', 'imagenet-samples', 'labels.csv'))) return out;
  for (const m of sharedModels()) if (m.classes === 1000 && m.file.includes('imagenet')) out.set(`${m.width}x${m.resolution}`, m.path);
  return out;
}

/**
 * Every α × ρ in the order they start: the pretrained models first (their top-1 on 1000 images is
 * the longest single step, minutes), then the largest MAC count first (MACs grow with α² · ρ²), so
 * that no long configuration is left to finish alone on one core at the end.
 */
export function sweepConfigs(widths: readonly number[], resolutions: readonly number[], real = realModels()): SweepConfig[] {
  const configs = widths.flatMap((width) => resolutions.map((resolution) => {
    const realModel = real.get(`${width}x${resolution}`);
    return { width, resolution, ...(realModel ? { realModel } : {}) };
  }));
  const size = (c: SweepConfig) => c.width ** 2 * c.resolution ** 2;
  return configs.sort((a, b) => Number(!a.realModel) - Number(!b.realModel) || size(b) - size(a) || a.width - b.width || a.resolution - b.resolution);
}

/** The folder name of a configuration inside the sweep's output: 0.25_96. */
export const fmtWidth = (w: number) => (Number.isInteger(w) ? w.toFixed(1) : String(w));
export const configName = (c: { width: number; resolution: number }) => `${fmtWidth(c.width)}_${c.resolution}`;
