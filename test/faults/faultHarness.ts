import { InvocationContext } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import type { AlertSink, AlertSinkResult } from '../../src/adapters/alertSink';
import { loadAsnData } from '../../src/adapters/asnData';
import { AlertUploadTransientError } from '../../src/adapters/logsIngestionSink';
import { retrievedAtFromFileName } from '../../src/adapters/serviceTagsFile';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableRejectSink } from '../../src/adapters/tableRejectSink';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import { classifierForServiceTags } from '../../src/app/ipClassifier';
import { handleRemoteTokenUse, type RemoteUseHandlerDeps } from '../../src/app/remoteUseHandler';
import { SHARED_STATE_REFRESH } from '../../src/app/remoteUseRunner';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { parseAzureCloudRanges } from '../../src/core/network/serviceTags';
import { defaultRemoteUseSettings, type RemoteUseSettings } from '../../src/core/remoteUse/settings';
import type { DemoTenant } from '../../src/demo/tenant';
import { uniqueTableName } from '../support/azurite';

/**
 * Runs a demo tenant's Event Hub bodies through the remote-use handler the way the Functions host
 * would, against Azurite behind a FaultProxy: two function instances (each with its own state
 * cache, as two workers have), invocations handed to them in turn, and an invocation that throws
 * delivered again (the same batch, the same sequence numbers), as the Event Hub retry policy does,
 * until it succeeds. What it leaves (the alerts sent, every row of the state and dead-letter
 * tables) is what a scenario compares with a run without faults.
 */
export interface FaultRunOptions {
  /** Azurite's connection string (the store itself) and the proxy's base URL in front of it. */
  readonly azurite: string;
  readonly proxyUrl: string;
  readonly tenant: DemoTenant;
  /** Event Hub bodies per invocation. */
  readonly bodiesPerInvocation: number;
  /** Request timeout of the instances' table clients (production: 30 s; short here so a held answer times out quickly). */
  readonly requestTimeoutMs: number;
  /** The alert feed's sends (1-based, over the whole run) that fail after the rows reached it, as a dropped upload does. */
  readonly failingSends?: readonly number[];
  /** Deliver each invocation to both instances at once (a lost partition lease: two owners of one batch). */
  readonly duplicateDelivery?: boolean;
  /** The largest number of deliveries of one batch before the run gives up (the suite then fails). */
  readonly maxDeliveries?: number;
  /** Bytes of bodies per slice of an invocation (small here, so a fault can land between two slices of one invocation). */
  readonly maxSliceBytes: number;
}

export interface FaultRunResult {
  /** Distinct AlertIds sent, sorted, with their severity. */
  readonly alerts: readonly string[];
  /** Alert rows sent, re-sends included. */
  readonly rowsSent: number;
  /** Deliveries beyond the first, over all invocations. */
  readonly redeliveries: number;
  /** Why each failed delivery failed (`invocation 2: StateStoreError: …`), in order. */
  readonly failures: readonly string[];
  /** Every state row (the partition version rows left out: faults add writes), by `partition row`. */
  readonly state: Readonly<Record<string, unknown>>;
  /** Every dead-letter row, by `partition row`. */
  readonly deadLetters: Readonly<Record<string, unknown>>;
}

/** 1 December 2026, 12:00 UTC: the processing time of every invocation, so TimeGenerated and the dead-letter day are the same in every run. */
const PROCESSED_AT = Date.UTC(2026, 11, 1, 12);
/** 5 days: the production dedup window. */
const DEDUP_WINDOW_MS = 5 * 86_400_000;

export async function runWithFaults(options: FaultRunOptions): Promise<FaultRunResult> {
  const stateTable = uniqueTableName('faultstate');
  const rejectsTable = uniqueTableName('faultrejects');
  await ensureTable(options.azurite, stateTable);
  await ensureTable(options.azurite, rejectsTable);
  const throughProxy = proxiedConnectionString(options.azurite, options.proxyUrl);
  const settings = demoSettings(options.tenant);
  const feed = new RecordingFeed(options.failingSends ?? []);
  const instances = [0, 1].map((): RemoteUseHandlerDeps => {
    // Each instance: its own clients and caches over the same tables, as two workers of the app.
    const state = createTableClient({ connectionString: throughProxy }, stateTable, undefined, options.requestTimeoutMs);
    const rejects = createTableClient({ connectionString: throughProxy }, rejectsTable, undefined, options.requestTimeoutMs);
    return {
      store: new TableStateStore(state, { cachePartitions: 10_000, refresh: SHARED_STATE_REFRESH }),
      sink: feed,
      deadLetter: new TableRejectSink(rejects, () => new Date(PROCESSED_AT)),
      settings,
      correlation: { store: new TableStateStore(state, { cachePartitions: 1_000 }), dedupWindowMs: DEDUP_WINDOW_MS },
      now: () => PROCESSED_AT,
      slicing: { maxSliceBytes: options.maxSliceBytes },
    };
  });

  const bodies = options.tenant.bodies.map((b) => b.body);
  const maxDeliveries = options.maxDeliveries ?? 12;
  let redeliveries = 0;
  const failures: string[] = [];
  for (let start = 0, invocation = 0; start < bodies.length; start += options.bodiesPerInvocation, invocation++) {
    const batch = bodies.slice(start, start + options.bodiesPerInvocation);
    const sequenceNumbers = batch.map((_, i) => start + i);
    const deliver = async (instance: RemoteUseHandlerDeps): Promise<void> => {
      for (let delivery = 0; ; delivery++) {
        try {
          await handleRemoteTokenUse(batch, invocationContext(sequenceNumbers, delivery), instance);
          return;
        } catch (error) {
          if (delivery + 1 >= maxDeliveries) throw new Error(`invocation ${invocation} still failing after ${maxDeliveries} deliveries`, { cause: error });
          redeliveries++;
          failures.push(`invocation ${invocation}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        }
      }
    };
    if (options.duplicateDelivery) await Promise.all(instances.map(deliver));
    else await deliver(instances[invocation % 2]!);
  }

  const severityOf = new Map(feed.rows.map((a) => [a.AlertId, a.Severity]));
  return {
    alerts: [...severityOf].map(([id, severity]) => `${severity} ${id}`).sort(),
    rowsSent: feed.rows.length,
    redeliveries,
    failures,
    state: await tableRows(options.azurite, stateTable),
    deadLetters: await tableRows(options.azurite, rejectsTable),
  };
}

/**
 * The production allowance, 2 days. The demo tenant packs 40 days into 41 bodies, so one
 * invocation here spans a week or two of event time: an invocation that fails after part of its
 * changes were committed (their identities' watermarks advanced to its newest event), or that a
 * second instance judges after the first committed, is judged again against the watermarks it found
 * (watermarkOf), not as late as its own newest event would make its older ones.
 */
const LATENESS_ALLOWANCE_MS = 2 * 86_400_000;

/** The demo tenant's own service tags, as `npm start` replays it. */
function demoSettings(tenant: DemoTenant): RemoteUseSettings {
  const { fileName, document } = tenant.serviceTags;
  const tags = classifierForServiceTags(loadAsnData(), { tags: parseAzureCloudRanges(document), retrievedAtMs: retrievedAtFromFileName(fileName) });
  return defaultRemoteUseSettings(tags.classifyIp, { serviceTags: tags.serviceTags, dedupWindowMs: DEDUP_WINDOW_MS, latenessAllowanceMs: LATENESS_ALLOWANCE_MS });
}

function invocationContext(sequenceNumbers: readonly number[], retryCount: number): InvocationContext {
  return new InvocationContext({
    invocationId: `faults-${sequenceNumbers[0]}-${retryCount}`,
    functionName: 'remoteTokenUse',
    triggerMetadata: { partitionContext: { partitionId: '0' }, sequenceNumberArray: [...sequenceNumbers] },
    retryContext: { retryCount, maxRetryCount: -1 },
    logHandler: () => undefined,
  });
}

/** Azurite's connection string with the table endpoint moved to the proxy (same account path). */
export function proxiedConnectionString(azurite: string, proxyUrl: string): string {
  return azurite.replace(/TableEndpoint=([^;]+)/, (_all, endpoint: string) => `TableEndpoint=${proxyUrl}${new URL(endpoint).pathname.replace(/\/$/, '')}`);
}

/** The table endpoint a connection string names (the proxy's upstream). */
export function tableEndpointOf(connectionString: string): URL {
  const endpoint = /TableEndpoint=([^;]+)/.exec(connectionString)?.[1];
  if (endpoint === undefined) throw new Error('faults: the Azurite connection string names no TableEndpoint');
  return new URL(endpoint);
}

/** Every row of a table read straight from Azurite (not through the proxy), without system fields and version rows. */
async function tableRows(azurite: string, table: string): Promise<Record<string, unknown>> {
  const client = TableClient.fromConnectionString(azurite, table, { allowInsecureConnection: true });
  const rows: [string, unknown][] = [];
  for await (const entity of client.listEntities<Record<string, unknown>>()) {
    if (entity.rowKey === '~v') continue;
    const data: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(entity)) {
      if (name === 'etag' || name === 'timestamp' || name === 'partitionKey' || name === 'rowKey' || name.includes('odata')) continue;
      data[name] = value;
    }
    rows.push([`${entity.partitionKey} ${entity.rowKey}`, data]);
  }
  return Object.fromEntries(rows.sort((a, b) => a[0].localeCompare(b[0])));
}

/**
 * The alert feed: records every row that reached it; the listed sends fail after their rows
 * arrived (the upload got through, the answer did not), as LogsIngestionAlertSink fails on a
 * dropped or 5xx upload, so the batch is redelivered and its alerts sent again.
 */
class RecordingFeed implements AlertSink {
  readonly rows: AlertRow[] = [];
  private sends = 0;
  constructor(private readonly failing: readonly number[]) {}
  async send(rows: readonly AlertRow[]): Promise<AlertSinkResult> {
    this.sends++;
    for (const row of rows) this.rows.push(row);
    if (this.failing.includes(this.sends)) throw new AlertUploadTransientError(`alert upload failed: HTTP 503 (injected, send ${this.sends})`, rows.length);
    return { sent: rows.length, failed: [] };
  }
}
