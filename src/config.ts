import { isObject } from './core/records/envelope';
import { parseRemoteUseAllowlist } from './core/remoteUse/allowlist';
import { DEFAULT_CACHE_ROWS } from './adapters/tableStateStore';
import { isLocalBlobEmulator } from './adapters/blobClient';
import { MAX_TOKEN_BUCKET_SHARDS } from './core/remoteUse/partitionKeys';
import type { RemoteUseAllowlist, UsualExternalMode } from './core/remoteUse/settings';
import { NO_ALLOWLIST, USUAL_EXTERNAL_MODES } from './core/remoteUse/settings';
import { appendAll } from './core/arrays';
import { DEFAULT_REJECTS_RETENTION_DAYS, MAX_REJECTS_RETENTION_DAYS } from './core/records/rejectRetention';
import { DEFAULT_LEDGER_RETENTION_DAYS, DEFAULT_TOKEN_RETENTION_DAYS, MAX_STATE_RETENTION_DAYS, MIN_TOKEN_RETENTION_DAYS, type StateRetention } from './core/remoteUse/stateRetention';

/**
 * The app settings, read once at cold start, validated, frozen. A bad or missing setting fails
 * the cold start with a message that names it (all of them at once), instead of failing every
 * invocation later. Setting names are documented in docs/operations.md and set by infra/.
 */
export type TableTarget = { readonly connectionString: string } | { readonly endpoint: string };
/** Blob Storage, the same two forms as tables: an https endpoint (managed identity) or the local emulator's connection string. */
export type BlobStorageTarget = { readonly connectionString: string } | { readonly endpoint: string };

export interface Config {
  readonly table: { readonly target: TableTarget; readonly stateTable: string; readonly rejectsTable: string };
  /** TOKENWATCH_REJECTS_RETENTION_DAYS: days a dead letter is kept before the rejectsRetention timer deletes it. */
  readonly rejectsRetentionDays: number;
  /**
   * TOKENWATCH_TOKEN_RETENTION_DAYS and TOKENWATCH_LEDGER_RETENTION_DAYS: days the stateRetention
   * timer keeps token buckets and first uses, and the suppression ledger.
   */
  readonly stateRetention: StateRetention;
  /** Logs Ingestion (Sentinel). Undefined only when TOKENWATCH_ALERT_SINK=log (alerts go to the function log). */
  readonly alertFeed: { readonly endpoint: string; readonly ruleId: string; readonly stream: string } | undefined;
  readonly sweep: { readonly enabled: boolean; readonly workspaceId: string; readonly schedule: string };
  /** The remote-use sweep over the same workspace (TOKENWATCH_WORKSPACE_ID), for tenants without Event Hubs. */
  readonly remoteUseSweep: { readonly enabled: boolean; readonly schedule: string };
  /** Days of workspace history the remoteTokenUseBackfill timer replays once (0: no backfill timer). */
  readonly backfill: { readonly days: number };
  /** TOKENWATCH_SERVICE_TAGS_FILE: a ServiceTags_Public JSON file; when set it wins over the stored copy. */
  readonly serviceTagsFile: string | undefined;
  /** Where the serviceTagsRefresh timer stores the tags and the remote-use workers read them; undefined without TOKENWATCH_BLOB_ENDPOINT. */
  readonly serviceTagsStore: { readonly target: BlobStorageTarget; readonly container: string } | undefined;
  /** The daily refresh from the Service Tag Discovery API; undefined (timer not registered) without TOKENWATCH_SUBSCRIPTION_ID. */
  readonly serviceTagsRefresh: { readonly subscriptionId: string; readonly location: string; readonly schedule: string } | undefined;
  readonly remoteUseAllowlist: RemoteUseAllowlist;
  /** Theft allowlist overrides as JSON, validated by the theft detector's own parser. */
  readonly theftAllowlist: unknown;
  readonly cachePartitions: number;
  /** Most cached state rows per store (TOKENWATCH_CACHE_ROWS): keeps large partitions from outgrowing the heap. */
  readonly cacheRows: number;
  readonly dedupDays: number;
  /** Token bucket partitions per tenant and hour (remote-use token registry). */
  readonly tokenBucketShards: number;
  /** TOKENWATCH_USUAL_EXTERNAL: a usual external use is a Low alert (`alert`, default) or a daily exposure row (`exposure`). */
  readonly usualExternal: UsualExternalMode;
  /** TOKENWATCH_HOME_TENANT_ID: the tenant uses whose records name none (Key Vault AuditEvent) are judged in; '' rejects them. */
  readonly homeTenantId: string;
  /** Client id of the user-assigned managed identity (AZURE_CLIENT_ID); undefined = the system-assigned identity. */
  readonly managedIdentityClientId: string | undefined;
  /**
   * TOKENWATCH_CREDENTIAL: `managedidentity` (default, and what Azure runs) or `developer` (a local run
   * signed in with `az login` and the like, through DefaultAzureCredential).
   */
  readonly credential: CredentialKind;
}

/** Which Microsoft Entra credential the SDK clients use (TOKENWATCH_CREDENTIAL). */
export type CredentialKind = 'managedidentity' | 'developer';
const CREDENTIAL_KINDS: readonly CredentialKind[] = ['managedidentity', 'developer'];

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`TokenWatch configuration: ${problems.join('; ')}`);
  }
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Names of the Event Hub binding settings: the host resolves them, we only check they are present. */
export const EVENT_HUB_SETTINGS = {
  connection: 'TOKENWATCH_EVENTHUB',
  auditHub: 'TOKENWATCH_AUDIT_HUB',
  auditConsumerGroup: 'TOKENWATCH_AUDIT_CONSUMER_GROUP',
  endpointHub: 'TOKENWATCH_ENDPOINT_HUB',
  endpointConsumerGroup: 'TOKENWATCH_ENDPOINT_CONSUMER_GROUP',
} as const;

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
/** Blob container names: 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit. */
const CONTAINER_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
/** Azure location names as ARM writes them: `westeurope`, `eastus2`. */
const LOCATION = /^[a-z][a-z0-9]{1,39}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function loadConfig(env: Env, readTextFile: (path: string) => string): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  // Event Hub trigger settings (identity-based connection: <prefix>__fullyQualifiedNamespace).
  const connection = EVENT_HUB_SETTINGS.connection;
  if (!get(`${connection}__fullyQualifiedNamespace`) && !get(connection)) {
    problems.push(`${connection}__fullyQualifiedNamespace is required (the Event Hubs namespace, e.g. contoso-tw.servicebus.windows.net)`);
  }
  for (const name of [EVENT_HUB_SETTINGS.auditHub, EVENT_HUB_SETTINGS.endpointHub]) if (!get(name)) problems.push(`${name} is required (an event hub name)`);

  // Table Storage: an https endpoint (managed identity) or, for local development, a connection string.
  const tableSetting = get('TOKENWATCH_TABLE_ENDPOINT');
  let target: TableTarget = { endpoint: '' };
  if (!tableSetting) problems.push('TOKENWATCH_TABLE_ENDPOINT is required (https://<account>.table.core.windows.net)');
  else if (/^https:\/\/[^/\s]+\/?$/i.test(tableSetting)) target = { endpoint: tableSetting.replace(/\/$/, '') };
  else if (/^(UseDevelopmentStorage=true|DefaultEndpointsProtocol=http;)/i.test(tableSetting) || /TableEndpoint=http:\/\/(127\.0\.0\.1|localhost)/i.test(tableSetting)) {
    target = { connectionString: tableSetting };
  } else problems.push('TOKENWATCH_TABLE_ENDPOINT must be an https:// table endpoint (connection strings with keys are accepted only for the local emulator)');
  const stateTable = get('TOKENWATCH_STATE_TABLE') ?? 'TokenWatchState';
  const rejectsTable = get('TOKENWATCH_REJECTS_TABLE') ?? 'TokenWatchRejects';
  for (const [name, value] of [['TOKENWATCH_STATE_TABLE', stateTable], ['TOKENWATCH_REJECTS_TABLE', rejectsTable]] as const) {
    if (!TABLE_NAME.test(value)) problems.push(`${name} "${value}" is not a valid table name (letters and digits, 3-63, starting with a letter)`);
  }

  // Sentinel feed.
  let alertFeed: Config['alertFeed'];
  if (get('TOKENWATCH_ALERT_SINK')?.toLowerCase() === 'log') alertFeed = undefined;
  else {
    const endpoint = get('TOKENWATCH_DCR_ENDPOINT');
    const ruleId = get('TOKENWATCH_DCR_IMMUTABLE_ID');
    if (!endpoint || !/^https:\/\//i.test(endpoint)) problems.push('TOKENWATCH_DCR_ENDPOINT must be the https logs ingestion endpoint of the data collection rule');
    if (!ruleId || !/^dcr-[0-9a-f]{32}$/i.test(ruleId)) problems.push('TOKENWATCH_DCR_IMMUTABLE_ID must be the DCR immutable id (dcr-<32 hex>)');
    alertFeed = { endpoint: endpoint ?? '', ruleId: ruleId ?? '', stream: get('TOKENWATCH_DCR_STREAM') ?? 'Custom-TokenWatchAlerts' };
  }

  // Theft sweep over Log Analytics.
  const sweepEnabled = parseBool(get('TOKENWATCH_SWEEP_ENABLED') ?? 'false', 'TOKENWATCH_SWEEP_ENABLED', problems);
  const workspaceId = get('TOKENWATCH_WORKSPACE_ID') ?? '';
  const schedule = get('TOKENWATCH_SWEEP_SCHEDULE') ?? '0 */5 * * * *';
  if (schedule.split(/\s+/).length !== 6) problems.push('TOKENWATCH_SWEEP_SCHEDULE must be a six-field NCRONTAB expression, e.g. "0 */5 * * * *"');
  // Remote use from the same workspace: the sweep (instead of or besides Event Hubs) and the one-off backfill.
  const remoteUseSweepEnabled = parseBool(get('TOKENWATCH_REMOTE_USE_SWEEP_ENABLED') ?? 'false', 'TOKENWATCH_REMOTE_USE_SWEEP_ENABLED', problems);
  const remoteUseSweepSchedule = get('TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE') ?? '0 */5 * * * *';
  if (remoteUseSweepSchedule.split(/\s+/).length !== 6) problems.push('TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE must be a six-field NCRONTAB expression, e.g. "0 */5 * * * *"');
  // 30 days at most: the baseline's training window (older history would age out of it at once).
  const backfillDays = parseIntSetting(get('TOKENWATCH_BACKFILL_DAYS') ?? '0', 'TOKENWATCH_BACKFILL_DAYS', 0, 30, problems);
  const needWorkspace = [
    ...(sweepEnabled ? ['TOKENWATCH_SWEEP_ENABLED is true'] : []),
    ...(remoteUseSweepEnabled ? ['TOKENWATCH_REMOTE_USE_SWEEP_ENABLED is true'] : []),
    ...(backfillDays > 0 ? ['TOKENWATCH_BACKFILL_DAYS is above 0'] : []),
  ];
  if (needWorkspace.length > 0 && !GUID.test(workspaceId)) {
    problems.push(`TOKENWATCH_WORKSPACE_ID must be the Log Analytics workspace (customer) id GUID when ${needWorkspace.join(' and ')}${workspaceId ? `, not "${workspaceId}"` : ''}`);
  }

  // Azure service tags: the stored copy (Blob Storage) and the daily refresh that writes it.
  const blobSetting = get('TOKENWATCH_BLOB_ENDPOINT');
  let serviceTagsStore: Config['serviceTagsStore'];
  if (blobSetting) {
    const container = get('TOKENWATCH_SERVICE_TAGS_CONTAINER') ?? 'tokenwatch-service-tags';
    if (!CONTAINER_NAME.test(container)) problems.push(`TOKENWATCH_SERVICE_TAGS_CONTAINER "${container}" is not a valid blob container name (3-63 lower-case letters, digits and single hyphens)`);
    if (/^https:\/\/[^/\s]+\/?$/i.test(blobSetting)) serviceTagsStore = { target: { endpoint: blobSetting.replace(/\/$/, '') }, container };
    else if (isLocalBlobEmulator(blobSetting)) serviceTagsStore = { target: { connectionString: blobSetting }, container };
    else problems.push('TOKENWATCH_BLOB_ENDPOINT must be an https:// blob endpoint (connection strings with keys are accepted only for the local emulator)');
  }
  let serviceTagsRefresh: Config['serviceTagsRefresh'];
  const subscriptionId = get('TOKENWATCH_SUBSCRIPTION_ID');
  if (subscriptionId) {
    // The app's own region by default: the API returns every region's tags whatever location it is asked in.
    const location = get('TOKENWATCH_SERVICE_TAGS_LOCATION') ?? get('REGION_NAME')?.toLowerCase().replace(/\s+/g, '') ?? '';
    // No default: the timer binding reads %TOKENWATCH_SERVICE_TAGS_SCHEDULE% itself, so it must be set.
    const refreshSchedule = get('TOKENWATCH_SERVICE_TAGS_SCHEDULE') ?? '';
    if (!GUID.test(subscriptionId)) problems.push('TOKENWATCH_SUBSCRIPTION_ID must be the subscription id GUID the service tags are read through');
    if (!LOCATION.test(location)) problems.push(`TOKENWATCH_SERVICE_TAGS_LOCATION must be an Azure location name such as westeurope${location ? `, not "${location}"` : ' (required with TOKENWATCH_SUBSCRIPTION_ID outside Azure)'}`);
    if (refreshSchedule.split(/\s+/).length !== 6) problems.push('TOKENWATCH_SERVICE_TAGS_SCHEDULE must be a six-field NCRONTAB expression, e.g. "0 17 3 * * *" (daily at 03:17 UTC), when TOKENWATCH_SUBSCRIPTION_ID is set');
    if (!blobSetting) problems.push('TOKENWATCH_BLOB_ENDPOINT is required with TOKENWATCH_SUBSCRIPTION_ID (the refreshed service tags are stored there)');
    serviceTagsRefresh = { subscriptionId, location, schedule: refreshSchedule };
  }

  const remoteUseAllowlist = loadJsonSetting(get, readTextFile, 'TOKENWATCH_ALLOWLIST', problems, (json) => {
    const parsed = parseRemoteUseAllowlist(json);
    if (parsed.ok) return parsed.value;
    appendAll(problems, parsed.errors.map((e) => `TOKENWATCH_ALLOWLIST: ${e}`));
    return NO_ALLOWLIST;
  }) ?? NO_ALLOWLIST;
  const theftAllowlist = loadJsonSetting(get, readTextFile, 'TOKENWATCH_THEFT_ALLOWLIST', problems, (json) => json);

  const cachePartitions = parseIntSetting(get('TOKENWATCH_CACHE_IDENTITIES') ?? '20000', 'TOKENWATCH_CACHE_IDENTITIES', 100, 1_000_000, problems);
  const cacheRows = parseIntSetting(get('TOKENWATCH_CACHE_ROWS') ?? String(DEFAULT_CACHE_ROWS), 'TOKENWATCH_CACHE_ROWS', 10_000, 5_000_000, problems);
  const dedupDays = parseIntSetting(get('TOKENWATCH_DEDUP_DAYS') ?? '5', 'TOKENWATCH_DEDUP_DAYS', 1, 90, problems);
  const rejectsRetentionDays = parseIntSetting(get('TOKENWATCH_REJECTS_RETENTION_DAYS') ?? String(DEFAULT_REJECTS_RETENTION_DAYS), 'TOKENWATCH_REJECTS_RETENTION_DAYS', 1, MAX_REJECTS_RETENTION_DAYS, problems);
  const tokenRetentionDays = parseIntSetting(get('TOKENWATCH_TOKEN_RETENTION_DAYS') ?? String(DEFAULT_TOKEN_RETENTION_DAYS), 'TOKENWATCH_TOKEN_RETENTION_DAYS', MIN_TOKEN_RETENTION_DAYS, MAX_STATE_RETENTION_DAYS, problems);
  const ledgerRetentionDays = parseIntSetting(get('TOKENWATCH_LEDGER_RETENTION_DAYS') ?? String(DEFAULT_LEDGER_RETENTION_DAYS), 'TOKENWATCH_LEDGER_RETENTION_DAYS', 1, MAX_STATE_RETENTION_DAYS, problems);
  // The ledger counts an alert's suppressed repeats over its dedup window: it must outlive one.
  const reported = (name: string): boolean => problems.some((problem) => problem.startsWith(name));
  if (ledgerRetentionDays < dedupDays && !reported('TOKENWATCH_LEDGER_RETENTION_DAYS') && !reported('TOKENWATCH_DEDUP_DAYS')) problems.push(`TOKENWATCH_LEDGER_RETENTION_DAYS (${ledgerRetentionDays}) must be at least TOKENWATCH_DEDUP_DAYS (${dedupDays}): the ledger counts an alert's repeats over its dedup window`);
  const tokenBucketShards = parseIntSetting(get('TOKENWATCH_TOKEN_BUCKET_SHARDS') ?? '1', 'TOKENWATCH_TOKEN_BUCKET_SHARDS', 1, MAX_TOKEN_BUCKET_SHARDS, problems);

  const usualExternalSetting = (get('TOKENWATCH_USUAL_EXTERNAL') ?? 'alert').toLowerCase();
  const usualExternal = USUAL_EXTERNAL_MODES.find((mode) => mode === usualExternalSetting) ?? 'alert';
  if (usualExternal !== usualExternalSetting) problems.push(`TOKENWATCH_USUAL_EXTERNAL must be ${USUAL_EXTERNAL_MODES.join(' or ')}, not "${usualExternalSetting}"`);

  const homeTenantId = (get('TOKENWATCH_HOME_TENANT_ID') ?? '').toLowerCase();
  if (homeTenantId !== '' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(homeTenantId)) problems.push(`TOKENWATCH_HOME_TENANT_ID must be a tenant id (a GUID), not "${homeTenantId}"`);

  const credentialSetting = (get('TOKENWATCH_CREDENTIAL') ?? 'managedidentity').toLowerCase();
  const credential = CREDENTIAL_KINDS.find((kind) => kind === credentialSetting) ?? 'managedidentity';
  if (credential !== credentialSetting) problems.push(`TOKENWATCH_CREDENTIAL must be ${CREDENTIAL_KINDS.join(' or ')}, not "${credentialSetting}"`);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    table: Object.freeze({ target, stateTable, rejectsTable }),
    rejectsRetentionDays,
    stateRetention: Object.freeze({ tokenDays: tokenRetentionDays, ledgerDays: ledgerRetentionDays }),
    alertFeed,
    sweep: Object.freeze({ enabled: sweepEnabled, workspaceId, schedule }),
    remoteUseSweep: Object.freeze({ enabled: remoteUseSweepEnabled, schedule: remoteUseSweepSchedule }),
    backfill: Object.freeze({ days: backfillDays }),
    serviceTagsFile: get('TOKENWATCH_SERVICE_TAGS_FILE'),
    serviceTagsStore: serviceTagsStore && Object.freeze({ target: Object.freeze(serviceTagsStore.target), container: serviceTagsStore.container }),
    serviceTagsRefresh: serviceTagsRefresh && Object.freeze(serviceTagsRefresh),
    remoteUseAllowlist,
    theftAllowlist,
    cachePartitions,
    cacheRows,
    dedupDays,
    tokenBucketShards,
    usualExternal,
    homeTenantId,
    managedIdentityClientId: get('AZURE_CLIENT_ID'),
    credential,
  });
}

/** `<NAME>` holds inline JSON, `<NAME>_FILE` a path to a JSON file; not both. */
function loadJsonSetting<T>(get: (n: string) => string | undefined, readTextFile: (p: string) => string, name: string, problems: string[], use: (json: unknown) => T): T | undefined {
  const inline = get(name);
  const file = get(`${name}_FILE`);
  if (inline && file) {
    problems.push(`${name} and ${name}_FILE are both set: choose one`);
    return undefined;
  }
  if (!inline && !file) return undefined;
  let text: string;
  try {
    text = inline ?? readTextFile(file as string);
  } catch (error) {
    problems.push(`${name}_FILE: cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push(`${inline ? name : `${name}_FILE`}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    return undefined;
  }
  if (!isObject(json)) {
    problems.push(`${inline ? name : `${name}_FILE`}: must be a JSON object`);
    return undefined;
  }
  return use(json);
}

function parseBool(value: string, name: string, problems: string[]): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  problems.push(`${name} must be true or false, not "${value}"`);
  return false;
}

function parseIntSetting(value: string, name: string, min: number, max: number, problems: string[]): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    problems.push(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
    return min;
  }
  return n;
}
