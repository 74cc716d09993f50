// Worker-thread entry (workers.ts): this file is plain JavaScript so Node can start it anywhere;
// it loads the TypeScript module named in workerData.entry through tsx, as bin/onnx2mcu.js does.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
