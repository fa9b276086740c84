/**
 * The alert row: one type for both detectors, and the schema of the Sentinel custom table
 * (`TokenWatchAlerts_CL`) and of the DCR stream that feeds it.
 *
 * This is a public interface. Columns may be added; none may be renamed or retyped, because
 * analytics rules, workbooks and a SOC's own hunting queries name them.
 * Every string column is present on every row ('' when it does not apply to the detector),
 * so KQL never has to guess between null and empty.
 */

export type Severity = 'Low' | 'Medium' | 'High';
export const SEVERITIES: readonly Severity[] = ['Low', 'Medium', 'High'];

/**
 * `RemoteTokenUseExposure`: a usual external use kept as one row per identity and day instead of a
 * Low alert (TOKENWATCH_USUAL_EXTERNAL=exposure); no analytics rule raises it.
 */
export type Detector = 'RemoteTokenUse' | 'RemoteTokenUseExposure' | 'TokenTheft' | 'TheftAndUse';

/** Where an IP address sits, as the remote-use detector sees it. */
export type IpScope = 'azure' | 'private' | 'external' | 'unknown';

/** The three theft vectors of the token-theft detector. */
export type TheftVector = 'TokenEndpoint' | 'ServiceAccountToken' | 'TokenCache';

export type EvidenceValue = string | number | boolean | null | readonly EvidenceValue[] | { readonly [key: string]: EvidenceValue };
export type Evidence = { readonly [key: string]: EvidenceValue };

export interface AlertRow {
  /** Deterministic: the same triggering record always yields the same id, so redelivery is harmless. */
  readonly AlertId: string;
  /** When the alert was produced. Equal to EventTime in replays, so a replay is reproducible. */
  readonly TimeGenerated: string;
  /** The triggering record's own time (ISO-8601 UTC). */
  readonly EventTime: string;
  readonly Detector: Detector;
  readonly AlertName: string;
  readonly Severity: Severity;
  /** The Entra tenant: named as Microsoft's tables name it, since every Log Analytics table's own `TenantId` is the workspace. */
  readonly AADTenantId: string;

  // Remote token use
  readonly IdentityObjectId: string;
  readonly IdentityAppId: string;
  readonly IdentityName: string;
  /** `xms_mirid` when known: the ARM id of the resource the managed identity belongs to. */
  readonly IdentityResourceId: string;
  readonly IPAddress: string;
  readonly IPScope: IpScope | '';
  /** Autonomous system number of IPAddress; null when unknown or not applicable. */
  readonly ASN: number | null;
  readonly ASOrganization: string;
  /** `uti` / `signInActivityId` / `uniqueTokenIdentifier`. */
  readonly TokenId: string;
  readonly TokenIssuedAt: string | null;
  readonly SourceCategory: string;
  readonly Operation: string;

  // Token theft
  readonly HostName: string;
  readonly HostId: string;
  readonly ProcessName: string;
  readonly ProcessPath: string;
  /** Credentials redacted (src/core/redact/redactSecrets.ts), like every string of the row. */
  readonly ProcessCommandLine: string;
  readonly AccountName: string;
  readonly Vector: TheftVector | '';
  /** The URL, address or file the process reached for. */
  readonly Target: string;

  // Common
  /** One sentence a SOC analyst understands. */
  readonly Reason: string;
  readonly Evidence: Evidence;
  readonly Tactic: 'CredentialAccess';
  readonly Technique: 'T1528';
}

/** Log Analytics column types used by the table and the DCR stream declaration. */
export type ColumnType = 'string' | 'datetime' | 'long' | 'dynamic';

export interface ColumnSpec {
  readonly type: ColumnType;
  readonly description: string;
}

/**
 * The table schema, column by column, in table order. `satisfies` ties it to AlertRow both ways:
 * a column missing here fails the build, and so does one here that the row does not have (excess property check).
 */
export const ALERT_COLUMNS = {
  TimeGenerated: { type: 'datetime', description: 'When TokenWatch produced the alert (equals EventTime in replays).' },
  AlertId: { type: 'string', description: 'Deterministic alert id; rows sharing it are redeliveries of one alert.' },
  EventTime: { type: 'datetime', description: 'Time of the log record that triggered the alert.' },
  Detector: { type: 'string', description: 'RemoteTokenUse, RemoteTokenUseExposure (daily exposure row, never an incident), TokenTheft or TheftAndUse.' },
  AlertName: { type: 'string', description: 'Alert name shown in Sentinel.' },
  Severity: { type: 'string', description: 'Low, Medium or High.' },
  AADTenantId: { type: 'string', description: 'Entra tenant id (the standard TenantId column is the workspace).' },
  IdentityObjectId: { type: 'string', description: 'Managed identity service principal object id.' },
  IdentityAppId: { type: 'string', description: 'Managed identity client (application) id.' },
  IdentityName: { type: 'string', description: 'Managed identity display name.' },
  IdentityResourceId: { type: 'string', description: 'ARM id of the resource owning the identity (xms_mirid).' },
  IPAddress: { type: 'string', description: 'Caller IP address the token was used from.' },
  IPScope: { type: 'string', description: 'azure, private, external or unknown.' },
  ASN: { type: 'long', description: 'Autonomous system number of IPAddress.' },
  ASOrganization: { type: 'string', description: 'Organisation owning the ASN.' },
  TokenId: { type: 'string', description: 'Token id (uti / signInActivityId / uniqueTokenIdentifier).' },
  TokenIssuedAt: { type: 'datetime', description: 'When the token was issued, when known.' },
  SourceCategory: { type: 'string', description: 'Category of the triggering log record.' },
  Operation: { type: 'string', description: 'Operation the token was used for, or the endpoint action.' },
  HostName: { type: 'string', description: 'Endpoint host name (theft alerts).' },
  HostId: { type: 'string', description: 'Endpoint host id (theft alerts).' },
  ProcessName: { type: 'string', description: 'Process image name (theft alerts).' },
  ProcessPath: { type: 'string', description: 'Process executable path (theft alerts).' },
  ProcessCommandLine: { type: 'string', description: 'Process command line with credentials (tokens, keys, passwords) redacted.' },
  AccountName: { type: 'string', description: 'Account the process ran as (theft alerts).' },
  Vector: { type: 'string', description: 'TokenEndpoint, ServiceAccountToken or TokenCache (theft alerts).' },
  Target: { type: 'string', description: 'URL, address or file the process reached for (theft alerts).' },
  Reason: { type: 'string', description: 'Why the alert was raised, in one sentence.' },
  Evidence: { type: 'dynamic', description: 'Supporting facts: baseline, token linkage, matched rule.' },
  Tactic: { type: 'string', description: 'MITRE ATT&CK tactic.' },
  Technique: { type: 'string', description: 'MITRE ATT&CK technique id.' },
} as const satisfies { readonly [K in keyof AlertRow]: ColumnSpec };

export type AlertColumnName = keyof typeof ALERT_COLUMNS;
export const ALERT_COLUMN_NAMES = Object.keys(ALERT_COLUMNS) as AlertColumnName[];

/** The alert-row fields that do not apply to a detector, filled with the table's empty values. */
export const EMPTY_ALERT_FIELDS = {
  IdentityObjectId: '',
  IdentityAppId: '',
  IdentityName: '',
  IdentityResourceId: '',
  IPAddress: '',
  IPScope: '',
  ASN: null,
  ASOrganization: '',
  TokenId: '',
  TokenIssuedAt: null,
  SourceCategory: '',
  Operation: '',
  HostName: '',
  HostId: '',
  ProcessName: '',
  ProcessPath: '',
  ProcessCommandLine: '',
  AccountName: '',
  Vector: '',
  Target: '',
} as const satisfies Partial<AlertRow>;

export const ATTACK = { Tactic: 'CredentialAccess', Technique: 'T1528' } as const;
