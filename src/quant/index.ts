/**
 * The quantization API for the pipeline stages, the CLI and the tests:
 *   calibrateAsync(graph, inputs, …)   ranges and window means of every activation
 *   quantizeGraph(graph, stats, …)     the QuantizedModel (quantizeGraphParallel: bias correction on workers)
 *   runInt8(model, int8Input)          the integer reference (interpret_int8.ts)
 *   evaluate(graph, model, items, …)   float vs int8 top-1/top-5, agreement, SQNR
 *   loadImageInputs(paths, …)          images → float and int8 inputs from the same uint8 pixels
 */
export type { QuantizedModel, QuantizedLayer, QuantParams } from '../int8/types.js';
export type { CalibrationOptions, CalibrationStats } from './calibrate.js';
export type { ObserverMethod } from './observers/index.js';
export { OBSERVER_METHODS } from './observers/index.js';
export { calibrate, calibrateAsync, Calibrator, DEFAULT_METHOD } from './calibrate.js';
export { createOrtEngine, canonicalToOnnxGraph } from './ort_engine.js';
export { quantizeGraph, inputQuantization, chooseActivationParams } from './quantize.js';
export { quantizeGraphParallel } from './parallel.js';
export { runInt8, runLayerInt8, dequantize, pixelsToInt8Nchw } from './interpret_int8.js';
export { saturatingRoundingDoublingHighMul, roundingDivideByPOT, multiplyByQuantizedMultiplier, quantizeMultiplier } from '../int8/arith.js';
export { inputSize, loadImageInput, loadImageInputs, floatToInt8Input, type ImageInput } from './images.js';
export { evaluate, sqnrDb, type EvalItem, type EvalOptions, type EvalResult, type TopK } from './evaluate.js';
