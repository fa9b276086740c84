import type { TokenCredential } from '@azure/identity';
import { LogsIngestionClient, isAggregateLogsUploadError, type LogsIngestionClientOptions } from '@azure/monitor-ingestion';
import type { AlertRow } from '../core/alerts/alertRow';
import { ALERT_STREAM_NAME, toStreamRow, type StreamRow } from '../core/alerts/sentinelSchema';
import type { AlertSink, AlertSinkResult, SinkFailure } from './alertSink';
import { REQUEST_TIMEOUT_MS, requestTimeoutPolicy } from './requestTimeout';

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
  /** Told once per send when the identity may not write (401/403), with what to fix: log it loudly. */
  readonly onUnauthorized?: (message: string) => void;
  /** Per-request timeout (default REQUEST_TIMEOUT_MS): a hung request is a transient failure, not a hung invocation. */
  readonly requestTimeoutMs?: number;
}

const DEFAULT_MAX_CONCURRENCY = 2;

/**
 * Sends alert rows to the Sentinel custom table through the Logs Ingestion API. One `send` is one
 * `upload` call: the client gzips the rows and splits them into as few ≤1 MB requests as it can.
 * Permanent per-request refusals (a 400 for a schema mismatch, a 413) come back in `failed` with
 * every AlertId of the refused request; 401/403 (the identity lacks Monitoring Metrics Publisher on
 * the DCR: a configuration error no retry fixes) come back in `failed` as `unauthorized`, and are
 * reported to `onUnauthorized` once per send, so the batch is dead-lettered and the partition keeps
 * moving instead of retrying forever; anything that may pass on a retry throws; a failure whose
 * status is 2xx is no failure. Every request times out after `requestTimeoutMs`.
 */
export class LogsIngestionAlertSink implements AlertSink {
  private readonly client: LogsIngestionClient;
  private readonly ruleId: string;
  private readonly streamName: string;
  private readonly maxConcurrency: number;
  private readonly onUnauthorized: ((message: string) => void) | undefined;

  constructor(options: LogsIngestionAlertSinkOptions) {
    const clientOptions = options.clientOptions ?? {};
    this.client = new LogsIngestionClient(options.endpoint, options.credential, {
      ...clientOptions,
      additionalPolicies: [...(clientOptions.additionalPolicies ?? []), { policy: requestTimeoutPolicy(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS), position: 'perRetry' }],
    });
    this.onUnauthorized = options.onUnauthorized;
    this.ruleId = options.ruleId;
    this.streamName = options.streamName ?? ALERT_STREAM_NAME;
    this.maxConcurrency = options.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
  }

  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    const failed: SinkFailure[] = [];
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
      let unauthorized: string | undefined;
      for (const failure of error.errors) {
        const status = statusOf(failure.cause);
        // Any 2xx is success: the service took the rows (the client expects 204 only).
        if (status !== undefined && status >= 200 && status < 300) continue;
        const denied = status === 401 || status === 403;
        const reason = denied ? `configuration error: ${describe(failure.cause)}; ${UNAUTHORIZED_HINT}` : describe(failure.cause);
        if (denied) unauthorized ??= reason;
        for (const log of failure.failedLogs) {
          refused += 1;
          failed.push({ alertId: typeof log['AlertId'] === 'string' ? log['AlertId'] : '', reason, kind: denied ? 'unauthorized' : 'refused' });
        }
      }
      if (unauthorized !== undefined) this.onUnauthorized?.(`logs ingestion: ${unauthorized}`);
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
 * fetched). 408/429/5xx: the service asks to come back later. 404: the DCR or its stream is not
 * there yet (a DCR takes minutes to propagate after a deployment). Every other 4xx, 401/403
 * included, fails the same way again: 401/403 are dead-lettered as a configuration error (the
 * alerts stay in the rejects table to replay once the role is granted) rather than holding the
 * partition forever.
 */
function isTransient(cause: unknown): boolean {
  const status = statusOf(cause);
  if (status === undefined) return true;
  return status === 404 || status === 408 || status === 429 || status >= 500;
}

const UNAUTHORIZED_HINT = "grant the function app's identity Monitoring Metrics Publisher on the data collection rule (infra/modules/workspaceRoleAssignments.bicep); the alerts are in the rejects table";

function describe(cause: unknown): string {
  if (cause === undefined) return 'unknown error';
  const status = statusOf(cause);
  const code = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  const message = cause instanceof Error ? cause.message : String(cause);
  return [status === undefined ? undefined : `HTTP ${status}`, typeof code === 'string' ? code : undefined, message]
    .filter((part) => part !== undefined && part !== '')
    .join(' ');
}
