/** `run --stage int8`: calibrate the folded graph on images, quantize, run the integer reference. */
import type { Graph } from '../ir/graph.js';
import type { ObserverMethod } from '../quant/observers/index.js';
import { inputSize, loadImageInput, quantizeFromImages, runInt8 } from '../quant/index.js';

export interface Int8Output {
  /** The model's output as float: the dequantized int8 output, with the final softmax applied in float when the model ends in one. */
  readonly output: Float32Array;
  /** The int8 values of the quantized model's output tensor (the logits for MobileNet). */
  readonly raw: Int8Array;
}

export interface Int8RunSettings {
  readonly scale: string;
  readonly method?: ObserverMethod;
  readonly biasCorrection?: boolean;
  /** Worker threads for the bias correction (default 'auto'). */
  readonly threads?: number;
  readonly progress?: 'auto' | 'none';
}

/** Calibrates `g` (canonical float graph) on `calibPaths`, quantizes it and runs each image of `paths`. */
export async function runInt8Outputs(g: Graph, calibPaths: readonly string[], paths: readonly string[], s: Int8RunSettings): Promise<Int8Output[]> {
  const size = inputSize(g);
  const { model } = await quantizeFromImages(g, calibPaths, {
    inputScaling: s.scale,
    progress: s.progress ?? 'auto',
    ...(s.method ? { method: s.method } : {}),
    ...(s.biasCorrection !== undefined ? { biasCorrection: s.biasCorrection } : {}),
    ...(s.threads !== undefined ? { threads: s.threads } : {}),
  });
  const outs: Int8Output[] = [];
  for (const p of paths) {
    const x = await loadImageInput(p, size, s.scale);
    const r = runInt8(model, x.int8);
    outs.push({ output: r.output, raw: r.raw });
  }
  return outs;
}
