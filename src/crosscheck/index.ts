/** The independent int8 cross-check through onnxruntime (QDQ export + comparison with runInt8). */
export { quantizedModelToQdqOnnx, int8ToQdqFeed, qdqTensorName, QDQ_RAW_OUTPUT, QDQ_OPSET, type QdqExportOptions } from './qdq_export.js';
export {
  crossCheckWithOrt,
  describeCrossCheck,
  layerGapsWithOrt,
  singleLayerModel,
  createQdqSession,
  runQdq,
  type CrossCheckResult,
  type Disagreement,
  type CrossCheckOptions,
  type LayerGap,
} from './crosscheck.js';
