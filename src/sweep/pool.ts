/**
 * The sweep's worker processes: `jobs` child processes (separate processes, so conversions,
 * compilers and emulators of different configurations run side by side on the cores), each given
 * the next configuration as soon as it finishes one. The first failure stops the sweep: the
 * workers are killed and the error names the configuration.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';
import { configName, type SweepConfig } from './grid.js';
import type { MeasureOptions, SweepRow } from './measure_config.js';
import type { WorkerReply, WorkerRequest } from './sweep_worker_main.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'sweep_worker.mjs');

export async function measureInWorkers(
  configs: readonly SweepConfig[],
  jobs: number,
  optionsFor: (c: SweepConfig) => MeasureOptions,
  onRow: (row: SweepRow) => void,
): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  const queue = [...configs];
  const children: ChildProcess[] = [];
  try {
    await new Promise<void>((resolveAll, rejectAll) => {
      let running = 0;
      let failed = false;
      const fail = (e: Error) => {
        if (failed) return;
        failed = true;
        rejectAll(e);
      };
      const next = (child: ChildProcess) => {
        const config = queue.shift();
        if (!config) {
          child.disconnect();
          if (--running === 0 && !failed) resolveAll();
          return;
        }
        child.once('message', (reply: WorkerReply) => {
          if ('error' in reply) return fail(new UserError(`sweep ${configName(config)}: ${reply.error}`));
          rows.push(reply.row);
          onRow(reply.row);
          next(child);
        });
        child.send({ config, options: optionsFor(config) } satisfies WorkerRequest);
      };
      const n = Math.max(1, Math.min(jobs, configs.length));
      if (configs.length === 0) return resolveAll();
      for (let i = 0; i < n; i++) {
        // stdout stays free for --json; a worker's stderr (crashes) shows.
        const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        children.push(child);
        running++;
        child.on('exit', (code, signal) => {
          if (code !== 0 && !failed) fail(new Error(`sweep: a worker process exited with ${signal ?? `code ${code}`}`));
        });
        child.on('error', (e) => fail(e));
        next(child);
      }
    });
  } finally {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill();
  }
  return rows;
}
