import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/identity';
import type { AlertSink } from '../src/adapters/alertSink';
import { loadAsnData } from '../src/adapters/asnData';
import { LogsIngestionAlertSink } from '../src/adapters/logsIngestionSink';
import type { RejectSink } from '../src/adapters/rejectSink';
import { createContainerClient, type BlobTarget } from '../src/adapters/blobClient';
import { BlobServiceTagsStore } from '../src/adapters/blobServiceTagsStore';
import { ArmServiceTagsSource } from '../src/adapters/serviceTagsApi';
import { ServiceTagsCache } from '../src/adapters/serviceTagsCache';
import { loadDatedServiceTagsFile } from '../src/adapters/serviceTagsFile';
import type { ServiceTagsStore } from '../src/adapters/serviceTagsStore';
import { createTableClient } from '../src/adapters/tableClient';
import { TableRejectSink } from '../src/adapters/tableRejectSink';
import type { RejectsRetentionDeps } from '../src/app/rejectsRetention';
import type { StateRetentionDeps } from '../src/app/stateRetention';
import { TableStateRetention } from '../src/adapters/tableStateRetention';
import { TableStateStore } from '../src/adapters/tableStateStore';
import { classifierForServiceTags } from '../src/app/ipClassifier';
import { SHARED_STATE_REFRESH } from '../src/app/remoteUseRunner';
import type { RemoteUseHandlerDeps } from '../src/app/remoteUseHandler';
import { StoredServiceTagsSettings } from '../src/app/storedServiceTags';
import type { TheftHandlerDeps } from '../src/app/theftHandler';
import { loadTheftSettings } from '../src/app/theftSettings';
import type { SweepDeps } from '../src/app/theftSweep';
import type { BackfillTimerDeps } from '../src/app/remoteUseBackfill';
import type { RemoteUseSweepDeps } from '../src/app/remoteUseSweep';
import { LogsQueryClient } from '@azure/monitor-query-logs';
import { LogAnalyticsQueryClient, type LogQueryClient } from '../src/adapters/logAnalyticsQuery';
import { loadConfig, type Config } from '../src/config';
import type { AlertRow } from '../src/core/alerts/alertRow';
import { defaultRemoteUseSettings } from '../src/core/remoteUse/settings';
import type { ServiceTagsRefreshDeps } from '../src/app/serviceTagsRefresh';

/**
 * The composition root: configuration and adapters, built once per worker on first use and
 * shared by every invocation (clients keep their connections and the state cache stays warm).
 */
export interface Dependencies {
  readonly config: Config;
  readonly credential: TokenCredential;
  readonly remoteUse: RemoteUseHandlerDeps;
  readonly theft: TheftHandlerDeps;
  /** The Log Analytics sweep's dependencies (built on first use: only the sweep needs the query client). */
  readonly sweep: () => SweepDeps;
  /** The remote-use sweep's dependencies (built on first use), over the same workspace and detector state as the Event Hub path. */
  readonly remoteUseSweep: () => RemoteUseSweepDeps;
  /** The remote-use backfill timer's dependencies (built on first use). */
  readonly remoteUseBackfill: () => BackfillTimerDeps;
  /** The serviceTagsRefresh timer's dependencies (built on first use); throws when the refresh is not configured. */
  readonly serviceTagsRefresh: () => ServiceTagsRefreshDeps;
  /** The rejectsRetention timer's dependencies: the rejects table and TOKENWATCH_REJECTS_RETENTION_DAYS. */
  readonly rejectsRetention: () => RejectsRetentionDeps;
  /** The stateRetention timer's dependencies: the state table and the token and ledger retentions. */
  readonly stateRetention: () => StateRetentionDeps;
}

let built: Dependencies | undefined;

export function dependencies(): Dependencies {
  built ??= buildDependencies(process.env);
  return built;
}

/** Validates the settings at cold start so a bad one fails the host with a message naming it. */
export function validateConfigAtStartup(): void {
  const config = loadConfig(process.env, (path) => readFileSync(path, 'utf8'));
  loadTheftSettings(config.theftAllowlist, config.dedupDays * DAY_MS);
}

const DAY_MS = 86_400_000;

function buildDependencies(env: NodeJS.ProcessEnv): Dependencies {
  const config = loadConfig(env, (path) => readFileSync(path, 'utf8'));
  const credential = appCredential(config);
  const target = 'connectionString' in config.table.target ? config.table.target : { endpoint: config.table.target.endpoint, credential };
  const stateClient = createTableClient(target, config.table.stateTable);
  // Theft state lives in the same table under `host|…` partitions, apart from the identity partitions.
  const rejectsClient = createTableClient(target, config.table.rejectsTable);
  // Service tags: the file when one is set (offline alternative; it wins), else the copy the
  // serviceTagsRefresh timer stores, re-checked by each worker; without either, ASN only.
  const asnLookup = loadAsnData();
  const fromFile = classifierForServiceTags(asnLookup, config.serviceTagsFile ? loadDatedServiceTagsFile(config.serviceTagsFile) : undefined);
  let serviceTagsStore: ServiceTagsStore | undefined;
  const storedTagsStore = (): ServiceTagsStore => {
    const store = config.serviceTagsStore;
    if (store === undefined) throw new Error('TokenWatch configuration: TOKENWATCH_BLOB_ENDPOINT is not set, so there is no service-tags store');
    const target: BlobTarget = 'connectionString' in store.target ? store.target : { endpoint: store.target.endpoint, credential };
    return (serviceTagsStore ??= new BlobServiceTagsStore(createContainerClient(target, store.container)));
  };
  const storedTags = !config.serviceTagsFile && config.serviceTagsStore ? new StoredServiceTagsSettings(new ServiceTagsCache(storedTagsStore()), asnLookup) : undefined;
  const sink: AlertSink = config.alertFeed
    ? new LogsIngestionAlertSink({
        endpoint: config.alertFeed.endpoint,
        ruleId: config.alertFeed.ruleId,
        streamName: config.alertFeed.stream,
        credential,
        // A missing role is a configuration error: said loudly on every batch it dead-letters.
        onUnauthorized: (message) => console.error(JSON.stringify({ event: 'tokenwatch.alertSink.unauthorized', message })),
      })
    : logOnlySink();
  const rejectsTable = new TableRejectSink(rejectsClient, () => new Date());
  const deadLetter: RejectSink = rejectsTable;
  const theftStore = new TableStateStore(stateClient, { cachePartitions: config.cachePartitions, cacheRows: config.cacheRows });
  // The theft-and-use join: one store of the machines' `corr|…` partitions for both detectors.
  const correlation = { store: new TableStateStore(stateClient, { cachePartitions: 1_000 }), dedupWindowMs: config.dedupDays * DAY_MS };
  const theft: TheftHandlerDeps = { store: theftStore, sink, deadLetter, settings: loadTheftSettings(config.theftAllowlist, config.dedupDays * DAY_MS), now: () => Date.now(), correlation };
  let sweep: SweepDeps | undefined;
  let remoteUseSweep: RemoteUseSweepDeps | undefined;
  let remoteUseBackfill: BackfillTimerDeps | undefined;
  let serviceTagsRefresh: ServiceTagsRefreshDeps | undefined;
  // One query client for every reader of the workspace (theft sweep, remote-use sweep, backfill).
  let workspaceQuery: LogQueryClient | undefined;
  const query = (): LogQueryClient => (workspaceQuery ??= new LogAnalyticsQueryClient(new LogsQueryClient(credential), config.sweep.workspaceId));
  // The remote-use watermarks (sweep, backfill): a few rows of the state table, apart from the detector's cache.
  let marks: TableStateStore | undefined;
  const markStore = (): TableStateStore => (marks ??= new TableStateStore(stateClient, { cachePartitions: 16 }));
  const remoteUse: RemoteUseHandlerDeps = {
    store: new TableStateStore(stateClient, { cachePartitions: config.cachePartitions, cacheRows: config.cacheRows, refresh: SHARED_STATE_REFRESH }),
    sink,
    deadLetter,
    settings: defaultRemoteUseSettings(fromFile.classifyIp, {
      allowlist: config.remoteUseAllowlist,
      dedupWindowMs: config.dedupDays * DAY_MS,
      tokenBucketShards: config.tokenBucketShards,
      usualExternal: config.usualExternal,
      homeTenantId: config.homeTenantId,
      serviceTags: fromFile.serviceTags,
    }),
    serviceTags: storedTags,
    now: () => Date.now(),
    correlation,
  };
  return {
    config,
    credential,
    remoteUse,
    theft,
    rejectsRetention: () => ({ rejects: rejectsTable, retentionDays: config.rejectsRetentionDays, now: () => Date.now() }),
    stateRetention: () => ({ state: new TableStateRetention(stateClient), retention: config.stateRetention, now: () => Date.now() }),
    sweep: () =>
      (sweep ??= {
        query: query(),
        store: new TableStateStore(stateClient, { cachePartitions: 16 }),
        theft,
        workspaceId: config.sweep.workspaceId,
        now: () => Date.now(),
      }),
    // The same detector state, sink and dead letters as the Event Hub path: one state, one set of AlertIds.
    remoteUseSweep: () => (remoteUseSweep ??= { query: query(), markStore: markStore(), remoteUse, workspaceId: config.sweep.workspaceId }),
    remoteUseBackfill: () =>
      (remoteUseBackfill ??= {
        query: query(),
        markStore: markStore(),
        store: remoteUse.store,
        deadLetter,
        settings: remoteUse.settings,
        serviceTags: storedTags,
        workspaceId: config.sweep.workspaceId,
        now: () => Date.now(),
      }),
    serviceTagsRefresh: () => {
      const refresh = config.serviceTagsRefresh;
      if (refresh === undefined) throw new Error('TokenWatch configuration: TOKENWATCH_SUBSCRIPTION_ID is not set, so the service tags are not refreshed');
      return (serviceTagsRefresh ??= {
        source: new ArmServiceTagsSource({ subscriptionId: refresh.subscriptionId, location: refresh.location, credential }),
        store: storedTagsStore(),
        now: () => Date.now(),
      });
    },
  };
}

/**
 * The app's credential. In Azure (the default, `TOKENWATCH_CREDENTIAL=managedidentity`) it is
 * ManagedIdentityCredential for the user-assigned identity `AZURE_CLIENT_ID` names (the
 * system-assigned one without it), and nothing else: DefaultAzureCredential would try environment
 * secrets, workload identity and developer sign-ins first, so a stray `AZURE_CLIENT_SECRET` in the
 * app settings would silently replace the identity the roles were granted to. A local run
 * (`func start`) sets `TOKENWATCH_CREDENTIAL=developer` and gets DefaultAzureCredential: `az login`,
 * Azure PowerShell, VS Code.
 *
 * `@azure/identity` (MSAL and what it brings) is loaded here, when the first invocation builds the
 * dependencies, not at import: it was 130-250 ms of the 360 ms the functions entry took to import on
 * a slow 2-core machine, time the host spends indexing the functions before it starts their
 * triggers. The first invocation pays it instead, once per worker.
 */
export function appCredential(config: Pick<Config, 'credential' | 'managedIdentityClientId'>): TokenCredential {
  const identity = require('@azure/identity') as typeof import('@azure/identity');
  const clientId = config.managedIdentityClientId;
  if (config.credential === 'developer') return new identity.DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
  return new identity.ManagedIdentityCredential(clientId ? { clientId } : {});
}

/** TOKENWATCH_ALERT_SINK=log: alerts are written to the function log only (evaluation without Sentinel). */
function logOnlySink(): AlertSink {
  return {
    async send(rows: readonly AlertRow[]) {
      for (const row of rows) console.log(JSON.stringify({ event: 'tokenwatch.alert', ...row }));
      return { sent: rows.length, failed: [] };
    },
  };
}
