// Worker-thread entry of the parallel bias correction (parallel.ts): this file is plain JavaScript
// so Node can start it anywhere; it loads the TypeScript sources through tsx, as bin/onnx2mcu.js does.
import { register } from 'tsx/esm/api';

register();
await import('./parallel_worker_main.ts');
