/**
 * A sweep worker process: measures one configuration per message from the parent (pool.ts) and
 * answers with its row or a one-line error, until the parent disconnects.
 */
import { measureConfig, type MeasureOptions, type SweepRow } from './measure_config.js';
import type { SweepConfig } from './grid.js';

export interface WorkerRequest {
  readonly config: SweepConfig;
  readonly options: MeasureOptions;
}

export type WorkerReply = { readonly row: SweepRow } | { readonly error: string };

process.on('message', (msg: WorkerRequest) => {
  measureConfig(msg.config, msg.options).then(
    (row) => process.send!({ row } satisfies WorkerReply),
    (e: unknown) => process.send!({ error: e instanceof Error ? e.message : String(e) } satisfies WorkerReply),
  );
});
process.on('disconnect', () => process.exit(0));
