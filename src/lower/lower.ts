/**
 * Lowering a QuantizedModel (NCHW, src/int8/types.ts) to what the C runner executes: one kernel
 * call per layer on channels-last buffers. Each layer is lowered by its op's int8 part
 * (src/ops/<op>.ts: kernel choice, weights in that kernel's layout, biases with the −zp_in·Σw term
 * folded in, the emitter that prints it); here: the C identifiers, every tensor's size and
 * channels-last dims, and the execution steps the memory planner sees.
 */
import type { QuantizedLayer, QuantizedModel } from '../int8/types.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';
import type { Step, StepRows } from '../memory/lifetimes.js';
import { uniqueIdents } from '../cgen/c_writer.js';
import { cDims, type CDims, type CLayer } from '../cgen/c_layer.js';

export type { CDims, CKernel, CLayer } from '../cgen/c_layer.js';

export interface LowerOptions {
  /** Layout of the input buffer the runner takes (default 'nhwc', as cameras deliver). */
  readonly inputLayout?: 'nhwc' | 'nchw';
  /** The C namespace of the generated code (default 'model'); layer identifiers stay out of it. */
  readonly prefix?: string;
}

export interface LoweredModel {
  readonly model: QuantizedModel;
  readonly prefix: string;
  readonly layers: readonly CLayer[];
  readonly inputLayout: 'nhwc' | 'nchw';
  /** The tensor the first layers read: the caller's buffer (nhwc) or its NHWC copy in the arena (nchw). */
  readonly inputTensor: string;
  /** The caller's NCHW input when inputLayout is 'nchw' (a transpose step copies it into the arena). */
  readonly inputNchwTensor?: string;
  readonly outputTensor: string;
  /** Bytes of every arena-candidate tensor. */
  readonly tensorBytes: ReadonlyMap<string, number>;
  readonly tensorDims: ReadonlyMap<string, CDims>;
  readonly steps: readonly Step[];
}

const product = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The model as C layers: kernel choice (fast paths where they apply), dims, buffers. */
export function lowerModel(model: QuantizedModel, opts: LowerOptions = {}): LoweredModel {
  const inputLayout = opts.inputLayout ?? 'nhwc';
  const prefix = opts.prefix ?? 'model';
  const tensorBytes = new Map<string, number>();
  const tensorDims = new Map<string, CDims>();
  const noteTensor = (name: string, shape: readonly number[], where: string) => {
    tensorBytes.set(name, product(shape));
    tensorDims.set(name, cDims(shape, where));
  };
  noteTensor(model.input.name, model.input.shape, `model input '${model.input.name}'`);

  const idents = uniqueIdents(model.layers.map((l) => l.name), prefix);
  const layers: CLayer[] = model.layers.map((l, i) => {
    const where = `layer '${l.name}' (${l.op})`;
    noteTensor(l.output, l.outputShape, where);
    return lowerLayer(l, idents[i], l.inputShapes.map((s) => cDims(s, where)), cDims(l.outputShape, where), where);
  });
  const outputTensor = model.output.name;
  const inputTensor = model.input.name;

  const steps: Step[] = [];
  let inputNchwTensor: string | undefined;
  if (inputLayout === 'nchw') {
    inputNchwTensor = `${inputTensor}:nchw`;
    tensorBytes.set(inputNchwTensor, product(model.input.shape));
    steps.push({ name: 'input_nchw_to_nhwc', inputs: [inputNchwTensor], outputs: [inputTensor] });
  }
  for (const c of layers) {
    const inPlace = c.inPlaceScratch !== undefined ? { input: c.inputs[0], output: c.output, scratchBytes: c.inPlaceScratch } : undefined;
    steps.push({
      name: c.ident, inputs: c.inputs, outputs: [c.output], ...(c.scratchBytes ? { scratchBytes: c.scratchBytes } : {}), ...(inPlace ? { inPlace } : {}),
      ...(c.access ? { access: c.access } : {}),
      ...(c.lowRam ? { lowRam: { scratchBytes: (c.lowRam.scratchBytes ?? 0) + (inPlace ? c.lowRam.inPlaceScratch ?? 0 : 0), ...(c.lowRam.access ? { access: c.lowRam.access } : {}) } } : {}),
      ...(c.rows ? { rows: stepRows(c) } : {}),
    });
  }
  return { model, prefix, layers, inputLayout, inputTensor, inputNchwTensor, outputTensor, tensorBytes, tensorDims, steps };
}

/** A row-streamable layer's geometry along H, as the planner sees it. */
function stepRows(c: CLayer): StepRows {
  const [i, o] = [c.inDims[0], c.outDims];
  const { kernelH, strideH, dilationH, padTop } = c.rows!;
  return { inH: i.h, outH: o.h, inRowBytes: i.w * i.c, outRowBytes: o.w * o.c, kernelH, strideH, dilationH, padTop };
}

/** The op's int8 lowering (src/ops/<op>.ts): kernel choice, kernel-layout weights, folded bias, emitter. */
function lowerLayer(l: QuantizedLayer, ident: string, inDims: CDims[], outDims: CDims, where: string): CLayer {
  const int8 = getOp(l.op)?.int8;
  if (!int8) throw new UserError(`${where}: op not supported by the C emitter`);
  return int8.lower(l, { ident, inputs: l.inputs, inDims, outDims, where });
}
