import type { TokenCredential } from '@azure/identity';
import { LogsIngestionClient, isAggregateLogsUploadError, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import type { AlertRow } from '../core/alerts/alertRow';
import { ALERT_STREAM_NAME, toStreamRow, type StreamRow } from '../core/alerts/sentinelSchema';
import type { AlertSink, AlertSinkResult } from './alertSink';

/**
 * Thrown when an upload failed for a reason that may pass (throttling, a 5xx, the network, an
 * identity whose role assignment has not propagated yet). The function lets it escape so the Event
 * Hub retry policy redelivers the batch; the rows that did get through are sent again and collapse
 * in Sentinel on their deterministic AlertId.
 */
export class AlertUploadTransientError extends Error {
  override readonly name = 'AlertUploadTransientError';
  constructor(
    message: string,
    /** How many rows were in the failed requests. */
    readonly failedRows: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface LogsIngestionAlertSinkOptions {
  /** The DCR's own ingestion endpoint (`dcr.properties.endpoints.logsIngestion`): TOKENWATCH_DCR_ENDPOINT. */
  readonly endpoint: string;
  /** The DCR immutable id (`dcr-…`): TOKENWATCH_DCR_IMMUTABLE_ID. */
  readonly ruleId: string;
  /** The DCR input stream: TOKENWATCH_DCR_STREAM. */
  readonly streamName?: string;
  /** The function's managed identity in production; it needs Monitoring Metrics Publisher on the DCR. */
  readonly credential: TokenCredential;
  /**
   * Parallel requests when a batch exceeds one request (the client splits at 1 MB).
   * 2: alert volume is small; more would only add pressure on the DCR's request quota.
   */
  readonly maxConcurrency?: number;
  /** Passed to the client: retry policy, HTTP agent, audience for sovereign clouds. */
  readonly clientOptions?: LogsIngestionClientOptions;
}

const DEFAULT_MAX_CONCURRENCY = 2;

/**
 * Sends alert rows to the Sentinel custom table through the Logs Ingestion API. One `send` is one
 * `upload` call: the client gzips the rows and splits them into as few ≤1 MB requests as it can.
 * Permanent per-request refusals (a 400 for a schema mismatch, a 413) come back in `failed` with
 * every AlertId of the refused request; anything that may pass on a retry throws.
 */
export class LogsIngestionAlertSink implements AlertSink {
  private readonly client: LogsIngestionClient;
  private readonly ruleId: string;
  private readonly streamName: string;
  private readonly maxConcurrency: number;

  constructor(options: LogsIngestionAlertSinkOptions) {
    this.client = new LogsIngestionClient(options.endpoint, options.credential, options.clientOptions);
    this.ruleId = options.ruleId;
    this.streamName = options.streamName ?? ALERT_STREAM_NAME;
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  }

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    const failed: { alertId: string; reason: string }[] = [];
    const streamRows: StreamRow[] = [];
    for (const row of rows) {
      const converted = toStreamRow(row);
      if (converted.ok) streamRows.push(converted.row);
      else failed.push({ alertId: row.AlertId, reason: `not sent: ${converted.reason}` });
    }
    if (streamRows.length === 0) return { sent: 0, failed };

    try {
      await this.client.upload(this.ruleId, this.streamName, streamRows, { maxConcurrency: this.maxConcurrency });
      return { sent: streamRows.length, failed };
    } catch (error) {
      if (!isAggregateLogsUploadError(error)) {
        throw new AlertUploadTransientError(`logs ingestion: upload failed: ${describe(error)}`, streamRows.length, { cause: error });
      }
      const transient = error.errors.filter((failure) => isTransient(failure.cause));
      if (transient.length > 0) {
        const failedRows = transient.reduce((total, failure) => total + failure.failedLogs.length, 0);
        const first = transient[0]?.cause;
        throw new AlertUploadTransientError(
          `logs ingestion: ${transient.length} of ${error.errors.length} failed request(s) may succeed on retry (${failedRows} rows): ${describe(first)}`,
          failedRows,
          { cause: error },
        );
      }
      let refused = 0;
      for (const failure of error.errors) {
        const reason = describe(failure.cause);
        for (const log of failure.failedLogs) {
          refused += 1;
          failed.push({ alertId: typeof log['AlertId'] === 'string' ? log['AlertId'] : '', reason });
        }
      }
      return { sent: streamRows.length - refused, failed };
    }
  }
}

/** HTTP status of a failed request as core-rest-pipeline reports it (RestError.statusCode). */
function statusOf(cause: unknown): number | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const status = (cause as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * No status: the request never got an answer (DNS, reset, timeout, a token that could not be
 * fetched). 408/429/5xx: the service asks to come back later. 401/403: the identity or its role
 * assignment (which takes minutes to propagate after a deployment) is not ready; dropping the
 * alerts would be worse than holding the partition until an operator fixes it.
 * Every other 4xx is a property of the rows and will fail the same way again.
 */
function isTransient(cause: unknown): boolean {
  const status = statusOf(cause);
  if (status === undefined) return true;
  return status === 401 || status === 403 || status === 408 || status === 429 || status >= 500;
}

function describe(cause: unknown): string {
  if (cause === undefined) return 'unknown error';
  const status = statusOf(cause);
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return [status === undefined ? undefined : `HTTP ${status}`, typeof code === 'string' ? code : undefined, message]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}
