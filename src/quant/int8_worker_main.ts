/** One worker of Int8WorkerPool (int8_pool.ts): holds the quantized model and runs the integer reference on the int8 inputs it is sent. */
import { runInt8 } from './interpret_int8.js';
import type { QuantizedModel } from '../int8/types.js';
import { serveRequests, workerInput } from './workers.js';

const model = await workerInput<QuantizedModel>();
await serveRequests<{ input: Int8Array }>((req) => {
  const raw = runInt8(model, req.input).raw;
  return { result: { raw }, transfer: [raw.buffer as ArrayBuffer] };
});
