/** One worker of the parallel bias correction: holds a share of the int8 calibration inputs and answers requests (parallel.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { Int8CalibrationTensors, type Int8CalibrationRequest } from './quantize.js';

const data = workerData as { inputName: string; inputs: Int8Array[] };
const tensors = new Int8CalibrationTensors(data.inputName, data.inputs);
parentPort!.on('message', (req: Int8CalibrationRequest) => {
  try {
    const sums = tensors.answer(req);
    parentPort!.postMessage({ ok: true, sums }, sums ? [sums.buffer as ArrayBuffer] : []);
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? e.message : String(e) });
  }
});
