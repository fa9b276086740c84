import { kqlDatetime, kqlLong, kqlStringList } from './kqlLiteral';
import { METADATA_ADDRESSES } from '../tokenEndpoints';

/**
 * The Sentinel sweep's KQL: for each table, the candidate rows ingested in a window, oldest first.
 * Candidates are selected broadly (terms that any token endpoint, token file or obfuscated metadata
 * address contains); the same parsers and rules as the Event Hub path then decide. The window is on
 * ingestion_time(), not TimeGenerated: a row that arrives late still arrives inside a later window.
 */
export type SweepTable = 'DeviceNetworkEvents' | 'DeviceFileEvents' | 'DeviceProcessEvents' | 'CloudProcessEvents' | 'Event' | 'WindowsEvent' | 'SecurityEvent' | 'Syslog';
export const SWEEP_TABLES: readonly SweepTable[] = ['DeviceNetworkEvents', 'DeviceFileEvents', 'DeviceProcessEvents', 'CloudProcessEvents', 'Event', 'WindowsEvent', 'SecurityEvent', 'Syslog'];

/** Column each query adds: the row's ingestion time, which the watermark follows. */
export const INGESTED_AT_COLUMN = 'TokenWatchIngestedAt';

/** Terms found in requests to token endpoints, in any address notation the rules understand. */
export const ENDPOINT_TERMS: readonly string[] = [
  '169.254', '0xa9fea9fe', '2852039166', '0251.0376', '0xa9', 'a9fe', 'fd00:ec2', '100.100.100.200',
  'metadata.google.internal', 'computeMetadata', 'metadata/identity', 'metadata/instance', 'latest/meta-data', 'latest/api/token',
  'msi/token', 'IDENTITY_ENDPOINT', 'MSI_ENDPOINT', 'AWS_CONTAINER_CREDENTIALS', '40342', '50342', 'nip.io', 'sslip.io',
];
/** Terms found in token file paths (both vectors 2 and 3). */
export const TOKEN_FILE_TERMS: readonly string[] = [
  'serviceaccount', 'secrets/tokens', 'azure-identity-token', 'eks-pod-identity-token', 'kubernetes.io~projected', 'kubernetes.io~secret',
  'application_default_credentials', 'accessTokens.json', 'msal_token_cache', 'msal_http_cache', 'msal.cache',
  'TokenCache', 'git-credentials', 'gcloud', '.azure', '.aws',
  // Copies found by name anywhere (the plain-json form of the CLI's service principal store, gcloud's token store).
  'service_principal_entries', 'access_tokens.db',
  // Azure Arc key files: %ProgramData%\AzureConnectedMachineAgent\Tokens\<guid>.key, /var/opt/azcmagent/tokens/<guid>.key.
  'AzureConnectedMachineAgent', 'azcmagent',
  // The variables a shell in a pod reads its token through (`cat $AZURE_FEDERATED_TOKEN_FILE`; commandLineTokenFiles.ts).
  'AZURE_FEDERATED_TOKEN_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE',
];

export interface SweepQuery {
  readonly table: SweepTable;
  readonly kql: string;
  /** The TimeGenerated range to pass as the query timespan: the ingestion window widened by the longest ingestion delay we accept. */
  readonly timespan: { readonly startTime: Date; readonly endTime: Date };
}

/** 2 days: rows whose TimeGenerated is older than this at ingestion are outside the timespan and missed (Log Analytics rarely delays more than minutes). */
export const MAX_INGESTION_DELAY_MS = 2 * 24 * 60 * 60 * 1000;
/** 5,000 rows per table per run; a fuller window continues from the last row next run. */
export const SWEEP_ROW_LIMIT = 5000;

export function buildSweepQuery(table: SweepTable, window: { readonly fromMs: number; readonly toMs: number }, rowLimit = SWEEP_ROW_LIMIT): SweepQuery {
  const endpoint = kqlStringList(ENDPOINT_TERMS);
  const files = kqlStringList(TOKEN_FILE_TERMS);
  const addresses = kqlStringList(METADATA_ADDRESSES);
  const filter: Record<SweepTable, string> = {
    DeviceNetworkEvents: [
      `| where RemoteIP in ${addresses}`,
      `    or (RemotePort in (40342, 50342) and RemoteIP in ("127.0.0.1", "::1"))`,
      `    or (RemotePort == 8081 and ipv4_is_in_range(RemoteIP, "169.254.0.0/16"))`,
      `    or RemoteUrl has_any ${endpoint}`,
      `    or InitiatingProcessCommandLine has_any ${endpoint}`,
      `    or (ActionType == "HttpConnectionInspected" and tostring(AdditionalFields) has_any ${endpoint})`,
    ].join('\n'),
    // A cache renamed or moved out of its folder shows where it was in PreviousFolderPath / PreviousFileName.
    DeviceFileEvents: `| where FolderPath has_any ${files} or FileName has_any ${files} or PreviousFolderPath has_any ${files} or PreviousFileName has_any ${files}`,
    DeviceProcessEvents: `| where ProcessCommandLine has_any ${endpoint} or ProcessCommandLine has_any ${files}`,
    // Defender for Containers: processes in Kubernetes pods (AKS, EKS, GKE).
    CloudProcessEvents: `| where ProcessCommandLine has_any ${endpoint} or ProcessCommandLine has_any ${files}`,
    Event: `| where Source == "Microsoft-Windows-Sysmon" and EventID in (1, 3, 11)\n| where EventData has_any ${endpoint} or EventData has_any ${files}`,
    WindowsEvent: `| where Provider == "Microsoft-Windows-Sysmon" and EventID in (1, 3, 11)\n| where tostring(EventData) has_any ${endpoint} or tostring(EventData) has_any ${files}`,
    SecurityEvent: `| where EventID == 5156\n| where EventData has_any ${endpoint}`,
    // Sysmon for Linux through the Syslog connector: the event XML is the message.
    Syslog: `| where ProcessName =~ "sysmon" and SyslogMessage has "<EventData"\n| where SyslogMessage has_any ${endpoint} or SyslogMessage has_any ${files}`,
  };
  const kql = [
    table,
    `| where ingestion_time() > ${kqlDatetime(window.fromMs)} and ingestion_time() <= ${kqlDatetime(window.toMs)}`,
    filter[table],
    `| extend ${INGESTED_AT_COLUMN} = ingestion_time()`,
    `| top ${kqlLong(rowLimit)} by ${INGESTED_AT_COLUMN} asc`,
  ].join('\n');
  return { table, kql, timespan: { startTime: new Date(window.fromMs - MAX_INGESTION_DELAY_MS), endTime: new Date(window.toMs) } };
}
