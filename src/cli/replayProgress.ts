/**
 * What a long replay says while it runs, on stderr: on a terminal one line rewritten in place
 * (records, records/s, files done, ETA), elsewhere (a CI log, a file) a plain line now and then.
 * A short replay says nothing: the first line comes only once the run has taken a while.
 */

export interface ReplayProgressState {
  /** Records read so far (rejects included). */
  readonly records: number;
  readonly filesDone: number;
  readonly files: number;
  readonly bytesRead: number;
  /** Undefined when an input's size is not known (standard input). */
  readonly bytesTotal: number | undefined;
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

export interface ProgressTiming {
  /** No progress before the run has taken this long (default 2 s on a terminal, 10 s elsewhere). */
  readonly firstAfterMs?: number;
  /** Then at most this often (default 250 ms on a terminal, 10 s elsewhere). */
  readonly everyMs?: number;
}

export class ReplayProgress {
  private readonly started: number;
  private readonly firstAfterMs: number;
  private readonly everyMs: number;
  private lastShown = Number.NEGATIVE_INFINITY;
  /** A line is on the terminal that the next write must clear. */
  private shown = false;

  constructor(
    private readonly out: ProgressOutput,
    private readonly now: () => number = Date.now,
    timing: ProgressTiming = {},
  ) {
    this.started = now();
    this.firstAfterMs = timing.firstAfterMs ?? (out.isTTY ? 2_000 : 10_000);
    this.everyMs = timing.everyMs ?? (out.isTTY ? 250 : 10_000);
  }

  update(state: ReplayProgressState): void {
    const now = this.now();
    const elapsed = now - this.started;
    if (elapsed < this.firstAfterMs || now - this.lastShown < this.everyMs) return;
    this.lastShown = now;
    const line = formatReplayProgress(state, elapsed);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[K${line}`);
      this.shown = true;
    } else this.out.write(`${line}\n`);
  }

  /** A line of its own (a warning), above the progress line. */
  log(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    // Drawn again at the next update rather than at once: a burst of warnings stays readable.
    this.lastShown = Number.NEGATIVE_INFINITY;
  }

  /** Clears the progress line: what follows starts at the left margin. */
  finish(): void {
    this.clear();
  }

  /** Clears the progress line for other output to the same terminal (alert rows on stdout); the next update draws it again. */
  clear(): void {
    if (!this.shown) return;
    this.out.write('\r\x1b[K');
    this.shown = false;
  }
}

export function formatReplayProgress(state: ReplayProgressState, elapsedMs: number): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? Math.round(state.records / seconds) : 0;
  const parts = [`replay: ${state.records.toLocaleString('en-US')} records (${rate.toLocaleString('en-US')}/s)`, `files ${state.filesDone} of ${state.files}`];
  const total = state.bytesTotal;
  if (total !== undefined && total > 0) {
    const done = Math.min(1, state.bytesRead / total);
    parts.push(`${(done * 100).toFixed(1)} %`);
    parts.push(done > 0 ? `ETA ${clock((elapsedMs * (1 - done)) / done)}` : 'ETA unknown');
  } else parts.push(`${clock(elapsedMs)} elapsed`);
  return parts.join(', ');
}

/** h:mm:ss */
function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
