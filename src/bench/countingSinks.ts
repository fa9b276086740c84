import type { AlertRow, Severity } from '../core/alerts/alertRow';
import type { Reject } from '../core/records/reject';
import type { AlertSink, AlertSinkResult } from '../adapters/alertSink';
import type { RejectSink } from '../adapters/rejectSink';

/**
 * Sinks that count and keep nothing: the benchmark streams hundreds of thousands of records, and
 * keeping every alert row or reject (as the memory twins do) would bill their memory to the
 * detector's peak RSS.
 */
export class CountingAlertSink implements AlertSink {
  readonly bySeverity: Record<Severity, number> = { Low: 0, Medium: 0, High: 0 };
  sent = 0;
  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    for (const row of rows) this.bySeverity[row.Severity]++;
    this.sent += rows.length;
    return { sent: rows.length, failed: [] };
  }
}

export class CountingRejectSink implements RejectSink {
  readonly byReason: Record<string, number> = {};
  count = 0;
  async send(rejects: readonly Reject[]): Promise<void> {
    for (const reject of rejects) this.byReason[reject.reason] = (this.byReason[reject.reason] ?? 0) + 1;
    this.count += rejects.length;
  }
}
