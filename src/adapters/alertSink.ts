import type { AlertRow } from '../core/alerts/alertRow';

/**
 * Where alert rows go: Sentinel (Logs Ingestion API), an NDJSON file or stdout, or memory in tests.
 * `send` resolves with what was accepted; a transient failure rejects (the invocation then throws
 * and Event Hubs redelivers the batch). Partial failures are reported, never hidden.
 */
export interface AlertSink {
  send(rows: readonly AlertRow[]): Promise<AlertSinkResult>;
}

export interface AlertSinkResult {
  readonly sent: number;
  /** Rows the destination refused permanently (for example a schema mismatch), with the reason. */
  readonly failed: readonly { readonly alertId: string; readonly reason: string }[];
}

export class MemoryAlertSink implements AlertSink {
  readonly rows: AlertRow[] = [];
  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    this.rows.push(...rows);
    return { sent: rows.length, failed: [] };
  }
}
