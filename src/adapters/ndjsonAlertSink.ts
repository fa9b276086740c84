import type { Writable } from 'node:stream';
import type { AlertRow } from '../core/alerts/alertRow';
import type { AlertSink, AlertSinkResult } from './alertSink';
import { appendAll } from '../core/arrays';

/**
 * Writes alert rows as NDJSON (one row per line) to a file or stdout: the replay CLI's sink.
 * `writeError` says what a failed write was (the CLI names its `--out` file); by default the
 * stream's own error.
 */
export class NdjsonAlertSink implements AlertSink {
  readonly rows: AlertRow[] = [];
  constructor(
    private readonly out: Writable | undefined,
    private readonly writeError: (error: Error) => Error = (error) => error,
  ) {}

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    appendAll(this.rows, rows);
    if (this.out && rows.length > 0) {
      const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
      await new Promise<void>((resolve, reject) => this.out!.write(text, (error) => (error ? reject(this.writeError(error)) : resolve())));
    }
    return { sent: rows.length, failed: [] };
  }
}
