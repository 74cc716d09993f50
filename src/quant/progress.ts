/**
 * A progress display on stderr: a redrawn bar on a TTY, a plain line every 10 % otherwise, or
 * nothing. Never writes to stdout (which carries --json output).
 */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export class Progress {
  private done_ = 0;
  private readonly start = performance.now();
  private readonly mode: 'bar' | 'lines' | 'none';
  private lastDecile = -1;

  constructor(private readonly label: string, private readonly total: number, mode: ProgressMode = 'auto') {
    this.mode = mode === 'auto' ? (process.stderr.isTTY ? 'bar' : 'lines') : mode;
    if (process.env.VITEST && mode === 'auto') this.mode = 'none';
  }

  tick(): void {
    this.done_++;
    const secs = (performance.now() - this.start) / 1000;
    if (this.total <= 0) {
      if (this.mode !== 'none' && this.done_ % 10 === 0) process.stderr.write(`${this.label}: ${this.done_} (${secs.toFixed(1)}s)\n`);
    } else if (this.mode === 'bar') {
      const width = 30;
      const filled = Math.round((this.done_ / this.total) * width);
      process.stderr.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done_}/${this.total} ${secs.toFixed(1)}s`);
    } else if (this.mode === 'lines') {
      const decile = Math.floor((this.done_ / this.total) * 10);
      if (decile !== this.lastDecile && (decile > this.lastDecile || this.done_ === this.total)) {
        this.lastDecile = decile;
        process.stderr.write(`${this.label}: ${this.done_}/${this.total} (${secs.toFixed(1)}s)\n`);
      }
    }
  }

  done(): void {
    if (this.mode === 'bar') process.stderr.write('\n');
  }
}
