import type { AlertRow } from '../core/alerts/alertRow';
import { appendAll } from '../core/arrays';

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
  readonly failed: readonly SinkFailure[];
}

export interface SinkFailure {
  readonly alertId: string;
  readonly reason: string;
  /**
   * `unauthorized`: the app's identity may not write to the destination (a missing role: a
   * configuration error an operator must fix); otherwise the rows themselves were refused.
   */
  readonly kind?: 'refused' | 'unauthorized';
}

/** The reject reason a sink failure is dead-lettered under. */
export function sinkFailureReason(failure: SinkFailure): string {
  return failure.kind === 'unauthorized' ? 'alert.sink-unauthorized' : 'alert.sink-refused';
}

export class MemoryAlertSink implements AlertSink {
  readonly rows: AlertRow[] = [];
  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    appendAll(this.rows, rows);
    return { sent: rows.length, failed: [] };
  }
}
