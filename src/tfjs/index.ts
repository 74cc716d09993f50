/**
 * TF.js graph models (model.json + weight shards) → the IR: `importTfjs(path)` gives a Graph like
 * importOnnx does (verified, ONNX op types, NHWC input + Transpose, meta.inputLayout 'nhwc'), so
 * runFloatPasses and everything after it work unchanged. See README.md in this folder.
 */
export { importTfjs, isTfjsModelPath } from './import.js';
