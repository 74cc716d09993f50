/** One worker of the parallel bias correction: holds a share of the int8 calibration inputs and answers requests (parallel.ts). */
import { Int8CalibrationTensors, type Int8CalibrationRequest } from './quantize.js';
import { serveRequests, workerInput } from './workers.js';

const data = await workerInput<{ inputName: string; inputs: Int8Array[] }>();
const tensors = new Int8CalibrationTensors(data.inputName, data.inputs);
await serveRequests<Int8CalibrationRequest>((req) => {
  const sums = tensors.answer(req);
  return sums ? { result: { sums }, transfer: [sums.buffer as ArrayBuffer] } : { result: {} };
});
