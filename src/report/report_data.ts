/**
 * Everything report.html shows, as one plain JSON-able value (ReportData): built from the lowered
 * model and its memory plan (the same figures report.md and manifest.json print), the flash
 * sections, the provenance, and — when measured — the quantization quality and a per-layer target
 * cost. The page embeds it, so a later measurement (the benchmarks, the sweep) can re-render the
 * page with its figures added without the model in hand (withTargetCost).
 */
import type { CLayer, LoweredModel } from '../lower/lower.js';
import type { RunnerPlan } from '../memory/plan_memory.js';
import { streamedPlace } from '../memory/stream.js';
import type { Provenance } from '../artifacts/manifest.js';
import type { QuantQuality } from './quality.js';

export interface ReportLayer {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly kernel: string;
  readonly inPlace: boolean;
  readonly origin: readonly string[];
  readonly inputShapes: readonly (readonly number[])[];
  readonly outputShape: readonly number[];
  readonly macs: number;
  readonly params: number;
  /** Where each input and the output live: 'input' / 'output' (the caller's buffers) or 'start–end' in the arena. */
  readonly arenaIn: readonly string[];
  readonly arenaOut: string;
  readonly inputQ: readonly { readonly scale: number; readonly zeroPoint: number }[];
  readonly outputQ: { readonly scale: number; readonly zeroPoint: number };
  readonly clamp: readonly [number, number];
}

/** One arena buffer: which tensors it holds, where, and from which step to which. */
export interface ArenaBuffer {
  readonly tensors: readonly string[];
  readonly offset: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

/** A per-layer cost measured on a target (instructions per inference), added after conversion. */
export interface TargetCost {
  /** What measured it, e.g. "Cortex-M4 (qemu mps2-an386), arm-none-eabi-gcc -O2". */
  readonly what: string;
  readonly unit: string;
  readonly total: number;
  readonly layers: readonly { readonly name: string; readonly value: number }[];
  /** Code bytes of the runner's kernels on that target, when measured. */
  readonly codeBytes?: number;
}

export interface ReportData {
  readonly generator: string;
  readonly model: {
    readonly name: string;
    readonly inputShape: readonly number[];
    readonly outputShape: readonly number[];
    readonly inputLayout: string;
  };
  readonly provenance?: Provenance;
  readonly layers: readonly ReportLayer[];
  readonly totals: { readonly macs: number; readonly params: number };
  readonly arena: {
    readonly bytes: number;
    readonly alignment: number;
    /** Execution steps (layer identifiers), the x axis of the arena plot. */
    readonly steps: readonly string[];
    readonly peakStep: number;
    readonly peakLayer: string;
    readonly lowerBound: number;
    readonly buffers: readonly ArenaBuffer[];
    /** The input (in the arena, or streamed: never stored whole) and the caller's output buffer (outside it). */
    readonly inputBytes: number;
    readonly outputBytes: number;
    /** The first layers run row by row (convert --ram-limit). */
    readonly stream?: { readonly layers: number; readonly band: number };
  };
  readonly flash: { readonly sections: Readonly<Record<string, number>>; readonly total: number };
  readonly quality?: QuantQuality;
  readonly targetCost?: TargetCost;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

export function buildReportData(m: LoweredModel, r: RunnerPlan, flash: Record<string, number>, generator: string, source?: Provenance, quality?: QuantQuality): ReportData {
  const where = (t: string) => {
    if (t === m.outputTensor) return 'output';
    const streamed = r.stream && streamedPlace(r.stream, t, m.inputNchwTensor);
    if (streamed) return streamed;
    if (r.external.has(t)) return 'input';
    const o = r.plan.offsets.get(t)!;
    return `${o}–${o + m.tensorBytes.get(t)!}`;
  };
  const layer = (c: CLayer, index: number): ReportLayer => ({
    index,
    name: c.layer.name,
    op: c.layer.op,
    kernel: c.kernel,
    inPlace: r.inPlaceSteps.has(c.ident),
    origin: c.layer.origin,
    inputShapes: c.layer.inputShapes,
    outputShape: c.layer.outputShape,
    macs: c.macs,
    params: c.params,
    arenaIn: c.inputs.map(where),
    arenaOut: where(c.output),
    inputQ: c.layer.inputQ.map((q) => ({ scale: q.scale, zeroPoint: q.zeroPoint })),
    outputQ: { scale: c.layer.outputQ.scale, zeroPoint: c.layer.outputQ.zeroPoint },
    clamp: [c.layer.actMin, c.layer.actMax],
  });
  const plan = r.plan;
  const buffers = [...plan.buffers]
    .map((b) => ({ tensors: b.members, offset: plan.offsets.get(b.name)!, bytes: b.size, first: b.first, last: b.last }))
    .sort((a, b) => a.offset - b.offset || a.first - b.first);
  const input = m.inputNchwTensor ?? m.inputTensor;
  return {
    generator,
    model: { name: m.model.name, inputShape: m.model.input.shape, outputShape: m.model.output.shape, inputLayout: m.inputLayout },
    ...(source ? { provenance: source } : {}),
    layers: m.layers.map(layer),
    totals: { macs: sum(m.layers.map((c) => c.macs)), params: sum(m.layers.map((c) => c.params)) },
    arena: {
      bytes: plan.peakBytes,
      alignment: r.alignment,
      steps: r.steps.map((s) => s.name),
      peakStep: plan.peakLayer,
      peakLayer: r.steps[plan.peakLayer]?.name ?? '-',
      lowerBound: plan.liveBytesMax,
      buffers,
      inputBytes: m.tensorBytes.get(input) ?? 0,
      outputBytes: m.tensorBytes.get(m.outputTensor) ?? 0,
      ...(r.stream ? { stream: { layers: r.stream.layers.length, band: r.stream.band } } : {}),
    },
    flash: { sections: flash, total: sum(Object.values(flash)) },
    ...(quality ? { quality } : {}),
  };
}
