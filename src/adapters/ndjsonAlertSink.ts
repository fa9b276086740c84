import type { Writable } from 'node:stream';
import type { AlertRow } from '../core/alerts/alertRow';
import type { AlertSink, AlertSinkResult } from './alertSink';
import { appendAll } from '../core/arrays';

/** Writes alert rows as NDJSON (one row per line) to a file or stdout: the replay CLI's sink. */
export class NdjsonAlertSink implements AlertSink {
  readonly rows: AlertRow[] = [];
  constructor(private readonly out: Writable | undefined) {}

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    appendAll(this.rows, rows);
    if (this.out && rows.length > 0) {
      const text = rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
      await new Promise<void>((resolve, reject) => this.out!.write(text, (error) => (error ? reject(error) : resolve())));
    }
    return { sent: rows.length, failed: [] };
  }
}
