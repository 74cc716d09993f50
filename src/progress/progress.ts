/**
 * Progress of a long command (calibration, evaluation, verify, sweep, bench) on stderr — never on
 * stdout, which carries --json output:
 *   - on a terminal: one bar redrawn in place, with the rate and the ETA (cli-progress, which
 *     throttles redraws to 10 per second and fits the terminal's width);
 *   - otherwise (CI logs, pipes): a plain line at the first item and at every tenth of the work,
 *     with the same figures, so a log shows that a long step is alive without filling it;
 *   - 'none': nothing (what --json and the tests ask for).
 */
import cliProgress from 'cli-progress';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

/** Where the display goes (stderr by default; tests pass a stream of their own). */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  /** What one tick is, for the rate ('images' → "8.3 images/s"). */
  readonly unit?: string;
}

/** 'auto' is a bar on a terminal and lines elsewhere; under vitest it is silent (test logs stay readable). */
export function resolveProgressMode(mode: ProgressMode, stream: ProgressStream): 'bar' | 'lines' | 'none' {
  if (mode !== 'auto') return mode;
  if (process.env.VITEST) return 'none';
  return stream.isTTY ? 'bar' : 'lines';
}

/** Seconds as "42s", "3m05s" or "1h02m". */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s) || s < 0) return '?';
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.round(s - 60 * m)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Items per second with a precision that suits the size. */
export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '?';
  return perSecond >= 100 ? perSecond.toFixed(0) : perSecond >= 1 ? perSecond.toFixed(1) : perSecond.toPrecision(2);
}

export class Progress {
  private count = 0;
  private readonly start = performance.now();
  private readonly mode: 'bar' | 'lines' | 'none';
  private readonly stream: ProgressStream;
  private readonly unit: string;
  private readonly bar?: cliProgress.SingleBar;
  private lastTenth = -1;
  private finished = false;

  constructor(private readonly label: string, private readonly total: number, mode: ProgressMode = 'auto', opts: ProgressOptions = {}) {
    this.stream = opts.stream ?? process.stderr;
    this.unit = opts.unit ?? 'items';
    this.mode = resolveProgressMode(mode, this.stream);
    if (this.mode === 'bar' && total > 0) {
      this.bar = new cliProgress.SingleBar({
        stream: this.stream as NodeJS.WritableStream,
        format: `${label} [{bar}] {value}/{total} | {rate} ${this.unit}/s | ETA {eta_formatted} | {duration_formatted}`,
        barsize: 30,
        barCompleteChar: '#',
        barIncompleteChar: '.',
        hideCursor: false,
        // The ETA follows the recent rate (the last 20 updates), not the average since the start.
        etaBuffer: 20,
        etaAsynchronousUpdate: true,
      });
      this.bar.start(total, 0, { rate: '-' });
    }
  }

  /** Seconds since the start. */
  private seconds(): number {
    return (performance.now() - this.start) / 1000;
  }

  /** "8/100 (8%), 2.1 images/s, 3.5s, ETA 43s" */
  private line(): string {
    const secs = this.seconds();
    const rate = this.count / Math.max(secs, 1e-9);
    if (this.total <= 0) return `${this.label}: ${this.count} ${this.unit}, ${formatRate(rate)} ${this.unit}/s, ${formatSeconds(secs)}`;
    const left = this.total - this.count;
    const eta = left > 0 ? `, ETA ${formatSeconds(left / rate)}` : '';
    return `${this.label}: ${this.count}/${this.total} (${Math.floor((100 * this.count) / this.total)}%), ${formatRate(rate)} ${this.unit}/s, ${formatSeconds(secs)}${eta}`;
  }

  tick(n = 1): void {
    this.count += n;
    if (this.mode === 'none') return;
    if (this.bar) {
      this.bar.increment(n, { rate: formatRate(this.count / Math.max(this.seconds(), 1e-9)) });
      return;
    }
    if (this.mode !== 'lines') return;
    if (this.total <= 0) {
      if (this.count % 10 === 0) this.stream.write(this.line() + '\n');
      return;
    }
    const tenth = Math.floor((10 * this.count) / this.total);
    if (this.count === n || tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(this.line() + '\n');
    }
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.bar) {
      this.bar.stop();
      return;
    }
    // The last line, unless the last tick wrote it.
    if (this.mode === 'lines' && this.total > 0 && this.count !== this.total) this.stream.write(this.line() + '\n');
    if (this.mode === 'lines' && this.total <= 0 && this.count % 10 !== 0) this.stream.write(this.line() + '\n');
  }
}
