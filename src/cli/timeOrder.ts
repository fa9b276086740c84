/**
 * Event time running backwards across a replay's files. A replay reads files in name order, and
 * the detectors learn and deduplicate in the order they are fed: a file of earlier events read
 * after later ones is judged against state from its future (a first use already learned, a
 * dedup window already open), and its alerts can vanish. Within the remote-use detector's lateness
 * allowance (the theft detector's dedup window) that is normal lateness the detectors allow for;
 * further back, the replay says so, naming both files. Each
 * detector keeps its own state, so each is watched on its own: endpoint telemetry read after a
 * month of Entra logs (its own days) is not running backwards.
 */

export interface TimeOrderWarning {
  /** Whose events: `Entra and Azure records`, `endpoint telemetry`. */
  readonly events: string;
  /** The file whose events start too far back. */
  readonly file: string;
  readonly startMs: number;
  /** The earlier-read file with the latest event so far. */
  readonly latestFile: string;
  readonly latestMs: number;
  /** Why running back that far matters to these events' detector (TimeOrderWatch's `consequence`). */
  readonly consequence: string;
}

export class TimeOrderWatch {
  private latest: { file: string; ms: number } | undefined;
  private current: { file: string; maxMs: number } | undefined;
  private readonly warned = new Set<string>();

  /**
   * `windowMs`: how far back a later file may start without a warning (the remote-use detector's
   * lateness allowance, the theft detector's dedup window); `events`: whose events are watched;
   * `consequence`: what running back further does, for the warning.
   */
  constructor(
    private readonly windowMs: number,
    private readonly events: string,
    private readonly consequence: string,
  ) {}

  /**
   * One file's events, or a part of them (a file may span several invocations): their earliest and
   * latest event time. Answers a warning the first time a file starts more than the window before
   * the latest event of the files read before it.
   */
  observe(file: string, minMs: number, maxMs: number): TimeOrderWarning | undefined {
    if (this.current?.file !== file) {
      if (this.current && (this.latest === undefined || this.current.maxMs > this.latest.ms)) this.latest = { file: this.current.file, ms: this.current.maxMs };
      this.current = { file, maxMs };
    } else if (maxMs > this.current.maxMs) this.current.maxMs = maxMs;
    const latest = this.latest;
    if (latest === undefined || minMs >= latest.ms - this.windowMs || this.warned.has(file)) return undefined;
    this.warned.add(file);
    return { events: this.events, file, startMs: minMs, latestFile: latest.file, latestMs: latest.ms, consequence: this.consequence };
  }
}

export function formatTimeOrderWarning(warning: TimeOrderWarning): string {
  return (
    `warning: event time runs backwards (${warning.events}): ${warning.file} has events from ${new Date(warning.startMs).toISOString()}, ` +
    `${days(warning.latestMs - warning.startMs)} before the latest event of ${warning.latestFile} (${new Date(warning.latestMs).toISOString()}), read before it; ` +
    `files are read in name order and ${warning.consequence}, so alerts in them can be lost: name the files in time order`
  );
}

/** A duration in days, to one decimal (`2 days`, `10.5 days`). */
export function days(ms: number): string {
  return `${+(ms / 86_400_000).toFixed(1)} days`;
}
