/**
 * Quantization quality on the calibration images, for report.html: every image runs through the
 * float graph (every activation) and through the integer reference (every int8 tensor, from the
 * same uint8 pixels firmware sees), and per layer we keep
 *   - the SQNR of the dequantized int8 output against float (10·log10 Σf² / Σ(f − q)²),
 *   - the float values' histogram, the range they span and the share outside the int8 range the
 *     calibration chose (clipped), for the range-vs-histogram plots of the worst layers,
 * and over the images the float vs int8 top-1 agreement and the SQNR of the int8 logits.
 *
 * Deterministic: images in order, sums in order; the float engine is the pipeline's (the
 * TypeScript interpreter gives the same bytes on every machine, onnxruntime the same within float
 * rounding).
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import type { QuantizedModel, QuantParams } from '../int8/types.js';
import { runFloat } from '../graph/interpret.js';
import { createOrtEngine, type FloatEngine } from '../quant/ort_engine.js';
import { dequantize, runInt8 } from '../quant/interpret_int8.js';
import { Histogram } from '../quant/observers/histogram.js';

/** One calibration image as both paths see it (the calibrate stage's ImageInput). */
export interface QualityImage {
  readonly float: Tensor;
  readonly int8: Int8Array;
}

export interface Interval {
  readonly min: number;
  readonly max: number;
}

export interface LayerQuality {
  readonly layer: string;
  readonly tensor: string;
  /** SQNR in dB; null when the int8 output equals float exactly (no noise). */
  readonly sqnrDb: number | null;
  /** The float values seen on the calibration images. */
  readonly observed: Interval;
  /** What the int8 tensor can represent: scale·(−128 − zp) .. scale·(127 − zp). */
  readonly chosen: Interval;
  /** Share of float values outside `chosen` (clipped by the int8 range). */
  readonly clipped: number;
}

export interface RangeHistogram {
  readonly layer: string;
  readonly tensor: string;
  /** Bins of equal width over [lo, hi]: counts[i] holds values in lo + i·(hi − lo)/n. */
  readonly lo: number;
  readonly hi: number;
  readonly counts: readonly number[];
  readonly chosen: Interval;
  readonly observed: Interval;
}

export interface QuantQuality {
  readonly images: number;
  /** Images whose float and int8 top-1 agree, and their share. */
  readonly agreeing: number;
  readonly agreement: number;
  /** SQNR of the int8 logits (the model's int8 output, dequantized) against float; null when exact. */
  readonly logitsSqnrDb: number | null;
  /** Every layer in execution order. */
  readonly layers: readonly LayerQuality[];
  /** The layers with the lowest SQNR, worst first, with their histograms. */
  readonly worst: readonly RangeHistogram[];
}

export interface QualityOptions {
  /** Float engine: 'ort' (onnxruntime, default) or 'ts' (the TypeScript interpreter). */
  readonly engine?: 'ort' | 'ts';
  /** How many of the worst layers get a histogram (default 4). */
  readonly worstLayers?: number;
  /** Display bins of each histogram (default 48). */
  readonly bins?: number;
}

/** Numbers in the report carry 5 significant digits: enough to read, stable to print. */
const round = (x: number) => (Number.isFinite(x) ? Number(x.toPrecision(5)) : x);

const sqnr = (signal: number, noise: number) => (noise === 0 ? null : round(10 * Math.log10(signal / noise)));

const argmax = (a: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i] > a[best]) best = i;
  return best;
};

/** The real interval an int8 tensor represents. */
export function int8Interval(q: QuantParams): Interval {
  return { min: round(q.scale * (-128 - q.zeroPoint)), max: round(q.scale * (127 - q.zeroPoint)) };
}

/** Per-layer accumulators over the images. */
interface LayerSums {
  signal: number;
  noise: number;
  outside: number;
  count: number;
  readonly histogram: Histogram;
}

/** The streaming histogram re-binned to `bins` equal bins over [lo, hi] (each source bin goes where its centre falls). */
export function rebin(h: Histogram, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0);
  if (h.count === 0 || !(hi > lo)) return out;
  const { counts, start, width } = h.signed();
  const step = (hi - lo) / bins;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] === 0) continue;
    const centre = start + (i + 0.5) * width;
    const k = Math.min(bins - 1, Math.max(0, Math.floor((centre - lo) / step)));
    out[k] += counts[i];
  }
  return out;
}

export async function measureQuantQuality(g: Graph, model: QuantizedModel, images: readonly QualityImage[], opts: QualityOptions = {}): Promise<QuantQuality> {
  const inputName = g.inputs[0];
  const engine: FloatEngine = (opts.engine ?? 'ort') === 'ort'
    ? await createOrtEngine(g)
    : { run: async (x) => runFloat(g, { [inputName]: x }, { keep: 'all' }), release: async () => {} };
  const sums = new Map<string, LayerSums>(model.layers.map((l) => [l.name, { signal: 0, noise: 0, outside: 0, count: 0, histogram: new Histogram() }]));
  const chosen = new Map(model.layers.map((l) => [l.name, int8Interval(l.outputQ)]));
  let agreeing = 0;
  let logitSignal = 0;
  let logitNoise = 0;
  try {
    for (const x of images) {
      const fl = await engine.run(x.float);
      const q = runInt8(model, x.int8, { keep: 'all' });
      if (argmax(fl.get(model.output.floatOutput)!.data as Float32Array) === argmax(q.output)) agreeing++;
      for (const l of model.layers) {
        const f = fl.get(l.output)?.data as Float32Array | undefined;
        if (!f) throw new Error(`quality: the float graph has no tensor '${l.output}' (layer '${l.name}')`);
        const qd = dequantize(q.tensors!.get(l.output)!, l.outputQ);
        const s = sums.get(l.name)!;
        const { min, max } = chosen.get(l.name)!;
        let signal = 0, noise = 0, outside = 0;
        for (let k = 0; k < f.length; k++) {
          signal += f[k] * f[k];
          noise += (f[k] - qd[k]) ** 2;
          if (f[k] < min || f[k] > max) outside++;
        }
        s.signal += signal;
        s.noise += noise;
        s.outside += outside;
        s.count += f.length;
        s.histogram.update(f);
        if (l.output === model.output.name) {
          logitSignal += signal;
          logitNoise += noise;
        }
      }
    }
  } finally {
    await engine.release();
  }

  const layers: LayerQuality[] = model.layers.map((l) => {
    const s = sums.get(l.name)!;
    return {
      layer: l.name,
      tensor: l.output,
      sqnrDb: sqnr(s.signal, s.noise),
      observed: { min: round(s.histogram.min), max: round(s.histogram.max) },
      chosen: chosen.get(l.name)!,
      clipped: round(s.count ? s.outside / s.count : 0),
    };
  });
  // Worst first; an exact layer (null) is the best there is. Ties keep execution order.
  const order = layers.map((l, i) => ({ l, i })).filter(({ l }) => l.sqnrDb !== null)
    .sort((a, b) => a.l.sqnrDb! - b.l.sqnrDb! || a.i - b.i);
  const bins = opts.bins ?? 48;
  const worst = order.slice(0, opts.worstLayers ?? 4).map(({ l }) => {
    const h = sums.get(l.layer)!.histogram;
    const lo = Math.min(l.observed.min, l.chosen.min);
    const hi = Math.max(l.observed.max, l.chosen.max);
    return { layer: l.layer, tensor: l.tensor, lo: round(lo), hi: round(hi), counts: rebin(h, lo, hi, bins), chosen: l.chosen, observed: l.observed };
  });
  return {
    images: images.length,
    agreeing,
    agreement: images.length ? round(agreeing / images.length) : 0,
    logitsSqnrDb: sqnr(logitSignal, logitNoise),
    layers,
    worst,
  };
}
