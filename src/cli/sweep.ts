/** The `onnx2mcu sweep` command handler (registered in app.ts; the sweep itself is src/sweep). */
import { cpus } from 'node:os';
import { UsageError } from './options.js';
import { UserError } from '../util/errors.js';
import { parseList } from '../sweep/grid.js';
import { PAPER_RESOLUTIONS, PAPER_WIDTHS } from '../sweep/paper.js';
import { runSweep } from '../sweep/sweep.js';

export interface SweepArgs {
  widths?: string;
  resolutions?: string;
  jobs?: number;
  out: string;
  m4: boolean;
  host: boolean;
  'top1-images'?: number;
  'calib-count'?: number;
  force: boolean;
  json: boolean;
}

export const SWEEP_DEFAULTS = { widths: PAPER_WIDTHS.map((w) => (Number.isInteger(w) ? w.toFixed(1) : String(w))).join(','), resolutions: PAPER_RESOLUTIONS.join(','), out: 'out/sweep' };

const count = (name: string, n: number | undefined) => {
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new UsageError(`--${name} ${n}: must be a positive integer`);
  return n;
};

export async function sweepCommand(a: SweepArgs, io: { out: (t: string) => void; err: (t: string) => void }): Promise<void> {
  const widths = parseList('--widths', a.widths ?? SWEEP_DEFAULTS.widths, { max: 4 });
  const resolutions = parseList('--resolutions', a.resolutions ?? SWEEP_DEFAULTS.resolutions, { integer: true, max: 1024 });
  const jobs = count('jobs', a.jobs) ?? Math.min(cpus().length, 4);
  const r = await runSweep({
    widths, resolutions, jobs, out: a.out, m4: a.m4, host: a.host, force: a.force,
    ...(count('top1-images', a['top1-images']) !== undefined ? { top1Images: a['top1-images'] } : {}),
    ...(count('calib-count', a['calib-count']) !== undefined ? { calibCount: a['calib-count'] } : {}),
    progress: a.json ? 'none' : 'auto',
  });
  if (r.rows.length === 0) throw new UserError('sweep: no configuration measured');
  if (a.json) {
    io.out(JSON.stringify({ out: r.out, seconds: Math.round(r.seconds * 10) / 10, rows: r.rows.length }) + '\n');
    return;
  }
  io.out(`wrote ${r.out}/ (sweep.json, sweep.md, sweep.html and ${r.rows.length} converted folders) in ${r.seconds.toFixed(0)} s\n`);
}
