// Worker-process entry of the sweep (pool.ts forks it): plain JavaScript so Node can start it
// anywhere; it loads the TypeScript worker through tsx, as bin/onnx2mcu.js does.
import { register } from 'tsx/esm/api';

register();
await import('./sweep_worker_main.ts');
