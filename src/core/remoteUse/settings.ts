import type { IpScope } from '../alerts/alertRow';
import { DEDUP_WINDOW_MS } from '../alerts/dedup';
import type { ParsedIp } from '../network/ip';

/** What the network layer says about a caller address. */
export interface IpFacts {
  /** Canonical text of the address, or the raw value when it does not parse. */
  readonly ip: string;
  /** The parsed address; undefined when it does not parse (scope `unknown`). */
  readonly parsed: ParsedIp | undefined;
  readonly scope: IpScope;
  readonly asn: number | null;
  readonly asOrganization: string;
  /**
   * The Azure region whose `AzureCloud.<region>` service tag holds the address (`westeurope`), or
   * '' when no regional tag does or none are configured.
   */
  readonly region: string;
}

export type IpClassifier = (raw: string) => IpFacts;

export interface IdentityRef {
  readonly tenantId: string;
  readonly objectId: string;
  readonly appId: string;
  readonly resourceId: string;
}

/**
 * The Azure service tags the classifier was built from, for evidence and staleness warnings;
 * undefined when none are configured (Azure addresses are then known by ASN only).
 */
export interface ServiceTagsInfo {
  /** The document's whole-file `changeNumber`, null when absent. */
  readonly changeNumber: number | null;
  /** When the document was retrieved (epoch ms), null when unknown. */
  readonly retrievedAtMs: number | null;
  /** How many `AzureCloud.<region>` tags it has: 0 means regions cannot be told apart. */
  readonly regionCount: number;
}

/** Operator allowlist: returns a short description of the matching entry, or undefined. */
export interface RemoteUseAllowlist {
  match(identity: IdentityRef, ip: IpFacts): string | undefined;
}

export const NO_ALLOWLIST: RemoteUseAllowlist = { match: () => undefined };

const DAY_MS = 86_400_000;

/**
 * What a usual external use (an IP and ASN both in the identity's 30-day baseline, the anchor
 * rule's base Low) becomes (TOKENWATCH_USUAL_EXTERNAL):
 * - `alert` (the default): a Low alert, deduplicated for 5 days like every other alert, so Sentinel
 *   raises it as an incident again every 5 days while the identity keeps calling from outside Azure;
 * - `exposure`: one exposure row per identity and UTC day of event time (Detector
 *   `RemoteTokenUseExposure`), which the remote-use analytics rule does not raise and the workbook
 *   shows. A use that any stronger rule also judges stays an alert in both modes.
 */
export type UsualExternalMode = 'alert' | 'exposure';
export const USUAL_EXTERNAL_MODES: readonly UsualExternalMode[] = ['alert', 'exposure'];

export interface RemoteUseSettings {
  readonly classifyIp: IpClassifier;
  readonly allowlist: RemoteUseAllowlist;
  /** 30 days: the training window of the anchor rule. */
  readonly baselineWindowMs: number;
  /** 14 days: the activation period of the anchor rule. */
  readonly activationMs: number;
  /** 5 days: the deduplication period of the anchor rule. */
  readonly dedupWindowMs: number;
  /**
   * 2 days: how far behind the stream a batch may be (Event Hub partitions drift apart, a batch is
   * redelivered after an outage) and still be judged as if it had come in order. Rows are expired
   * against the identity's watermark (the latest event time any batch wrote it with) less this
   * allowance, so an older batch still finds every row it needs; a use older than the watermark
   * less this allowance is late: judged on the state as it is, teaching nothing.
   */
  readonly latenessAllowanceMs: number;
  /** 24 hours: the longest lifetime of a Managed Identity access token. */
  readonly tokenLifetimeMs: number;
  /** Token bucket partitions per tenant and hour (see tokenBucketKey); 1 unless sign-ins exceed ~1,500/s. */
  readonly tokenBucketShards: number;
  /** What a usual external use becomes (see UsualExternalMode); undefined is `alert`. */
  readonly usualExternal?: UsualExternalMode;
  /** The service tags behind `classifyIp`'s regions; undefined when none are configured. */
  readonly serviceTags?: ServiceTagsInfo | undefined;
  /**
   * History mode (a backfill of past logs): the batch teaches the state as live processing would,
   * and its alerts are what it would have raised, for a summary, never sent. They are
   * deduplicated among themselves under `hd|…` rows, apart from the live `dd|…` rows, so history
   * never suppresses a live alert, and nothing is written to the suppression ledger.
   */
  readonly history?: boolean;
  /** Wall-clock time of processing, for TimeGenerated; omitted in replays (TimeGenerated = EventTime). */
  readonly processedAt?: number;
  /** The tenant uses whose records name none are judged in (TOKENWATCH_HOME_TENANT_ID; see app/tenantlessRecords.ts); '' or undefined: none. */
  readonly homeTenantId?: string;
}

export function defaultRemoteUseSettings(classifyIp: IpClassifier, overrides: Partial<RemoteUseSettings> = {}): RemoteUseSettings {
  return {
    classifyIp,
    allowlist: NO_ALLOWLIST,
    baselineWindowMs: 30 * DAY_MS,
    activationMs: 14 * DAY_MS,
    dedupWindowMs: DEDUP_WINDOW_MS,
    latenessAllowanceMs: 2 * DAY_MS,
    tokenLifetimeMs: DAY_MS,
    tokenBucketShards: 1,
    usualExternal: 'alert',
    ...overrides,
  };
}
