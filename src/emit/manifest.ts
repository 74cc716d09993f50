/** manifest.json: everything a firmware team (and `verify`) needs to know, deterministic, keys sorted. */
import { createHash } from 'node:crypto';
import type { QuantizedLayer } from '../int8/types.js';
import type { LoweredModel } from '../lower/lower.js';
import type { RunnerPlan } from './model_c.js';

/** JSON with object keys sorted at every level and a trailing newline. */
export function stableStringify(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => [k, sort(o[k])]));
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2) + '\n';
}

export const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

/** A layer's scalars as stored in the manifest (arrays live in weights.bin under `<ident>.*`). */
export interface ManifestLayer {
  readonly name: string;
  readonly ident: string | null;
  readonly op: QuantizedLayer['op'];
  readonly kernel: string | null;
  readonly origin: readonly string[];
  readonly input: string;
  readonly output: string;
  readonly input_shape: readonly number[];
  readonly output_shape: readonly number[];
  readonly input_q: { scale: number; zero_point: number };
  readonly output_q: { scale: number; zero_point: number };
  readonly act_min: number;
  readonly act_max: number;
  readonly weight_shape?: readonly number[];
  readonly weight_scales?: readonly number[];
  readonly kernel_size?: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly dilations?: readonly number[];
  readonly depth_multiplier?: number;
  readonly count_include_pad?: number;
  readonly macs: number;
  readonly params: number;
  readonly in_place?: boolean;
}

export function manifestLayers(m: LoweredModel, r: RunnerPlan): ManifestLayer[] {
  const byLayer = new Map(m.layers.map((c) => [c.layer, c]));
  return m.model.layers.map((l) => {
    const c = byLayer.get(l);
    return {
      name: l.name,
      ident: c?.ident ?? null,
      op: l.op,
      kernel: c?.kernel ?? null,
      origin: l.origin,
      input: l.input,
      output: l.output,
      input_shape: l.inputShape,
      output_shape: l.outputShape,
      input_q: { scale: l.inputQ.scale, zero_point: l.inputQ.zeroPoint },
      output_q: { scale: l.outputQ.scale, zero_point: l.outputQ.zeroPoint },
      act_min: l.actMin,
      act_max: l.actMax,
      weight_shape: l.weightShape,
      weight_scales: l.weightScales ? Array.from(l.weightScales) : undefined,
      kernel_size: l.kernel,
      strides: l.strides,
      pads: l.pads,
      dilations: l.dilations,
      depth_multiplier: l.depthMultiplier,
      count_include_pad: l.countIncludePad,
      macs: c?.macs ?? 0,
      params: c?.params ?? 0,
      in_place: c && r.inPlaceSteps.has(c.ident) ? true : undefined,
    };
  });
}
