import { plainIpv4Value } from '../network/ip';

/**
 * Normalised Entra ID / Azure audit events, the input of the remote-use detector.
 *
 * Issuance: a Managed Identity sign-in (token issued inside Azure; no client IP).
 * Use: a token presented to a resource, with the caller's IP (Azure Activity, Microsoft Graph
 *      activity, or another resource log that carries the caller's claims).
 * Other: a valid record the detector does not act on (service principal and user sign-ins,
 *      Activity records without a caller, other categories); parsed and counted.
 */
export interface TokenIssuance {
  readonly kind: 'issuance';
  readonly timeMs: number;
  readonly tenantId: string;
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly tokenId: string;
  /** ARM id of the resource owning the identity, when the record names it. */
  readonly resourceId: string;
  /** Resource (audience) the token was issued for. */
  readonly audience: string;
  readonly category: string;
  readonly recordKey: RecordKey;
}

export interface TokenUse {
  readonly kind: 'use';
  readonly timeMs: number;
  readonly tenantId: string;
  readonly objectId: string;
  readonly appId: string;
  readonly tokenId: string;
  /**
   * `identity.tokenHash` of Storage logs, which carry no token id: it names the token just as
   * well for telling its uses apart ('' for other sources).
   */
  readonly tokenHash: string;
  /** Raw caller address as logged (may carry a port); the detector parses it. */
  readonly callerIp: string;
  /**
   * `callerIp` as a number when it is logged as a plain dotted quad (nearly always), else
   * undefined: the detector remembers such addresses by number, which it can hash and compare
   * without reading the string (by judging time, no longer in the processor's caches).
   */
  readonly callerIpv4?: number | undefined;
  /** `xms_mirid`: present only on Managed Identity tokens. */
  readonly miResourceId: string;
  /** What the token says about its subject: `app` (service principal / MI), `user`, or unknown. */
  readonly principalType: 'app' | 'user' | 'unknown';
  /** Token issue time from `iat` / `tokenIssuedAt`, when present. */
  readonly issuedAtMs: number | undefined;
  readonly category: string;
  readonly operation: string;
  /** Identifies the triggering record for deterministic alert ids. */
  readonly recordKey: RecordKey;
}

export interface OtherAuditRecord {
  readonly kind: 'other';
  readonly timeMs: number;
  readonly tenantId: string;
  readonly category: string;
  /** Why the detector does not act on it, as a counter key (`sign-in.service-principal`). */
  readonly note: string;
}

export type AuditEvent = TokenIssuance | TokenUse | OtherAuditRecord;

/**
 * What identifies a record: its own id when it has one, else the values that identify it, joined
 * with `|` by `recordKeyText` only when the key is read. Only alert ids and event-time ties read it;
 * joining seven values per record (and writing the time as digits) on the way in cost about
 * 0.7 µs per record, as much as the rest of reading an Activity record.
 */
export type RecordKey = string | RecordKeyParts;

/** The values that identify a record without an id of its own (see RecordKey). */
export class RecordKeyParts {
  readonly parts: readonly (string | number)[];

  // A rest parameter, not an array literal: see "Events are class instances" below.
  constructor(...parts: (string | number)[]) {
    this.parts = parts;
  }

  /** The key as alert ids read it: the parts joined with `|`. */
  text(): string {
    return this.parts.join('|');
  }
}

/**
 * The key of a resource log record (Activity, Key Vault, Storage): `correlationId | operation |
 * resourceId | time | …`, whose resource id is read without case. The same record names its
 * resource `/SUBSCRIPTIONS/…/VAULTS/KV-CONTOSO` in the Event Hub shape (Activity, Key Vault) or as
 * created (Storage), and `/subscriptions/…/vaults/kv-contoso` in Log Analytics' `_ResourceId` (the
 * only resource column of AZKVAuditLogs and StorageBlobLogs); both must give one alert id. Folded
 * when the key is read, not on the way in (see RecordKey).
 */
export class ResourceRecordKeyParts extends RecordKeyParts {
  /** The position of the resource id among the parts. */
  static readonly RESOURCE_PART = 2;

  override text(): string {
    const parts = this.parts.slice();
    const resource = parts[ResourceRecordKeyParts.RESOURCE_PART];
    if (typeof resource === 'string') parts[ResourceRecordKeyParts.RESOURCE_PART] = resource.toLowerCase();
    return parts.join('|');
  }
}

export function recordKeyText(key: RecordKey): string {
  return typeof key === 'string' ? key : key.text();
}

/*
 * Events are class instances, not object literals. V8 tracks each object or array literal's
 * allocation site and, when most of what a site allocates is still alive at a young-generation
 * collection, allocates that site's objects directly in the old generation ("pretenuring"). An
 * invocation's events are alive while it parses, so the parsers' literals were pretenured: every
 * event then lived in the old generation, and once dead it still held its strings (allocated
 * young by JSON.parse) alive through the old-to-new remembered set until the next full
 * collection. Each young collection copied and promoted about 5 MB of such strings. Instances of
 * a class are allocated young whatever happens to them, so they die young with their strings.
 */

export class TokenIssuanceEvent implements TokenIssuance {
  readonly kind = 'issuance' as const;

  constructor(
    readonly timeMs: number,
    readonly tenantId: string,
    readonly objectId: string,
    readonly appId: string,
    readonly name: string,
    readonly tokenId: string,
    readonly resourceId: string,
    readonly audience: string,
    readonly category: string,
    readonly recordKey: RecordKey,
  ) {}

  /** The same issuance in `tenantId`: for a sign-in row that names no tenant (see TenantlessRecords). */
  withTenant(tenantId: string): TokenIssuanceEvent {
    return new TokenIssuanceEvent(this.timeMs, tenantId, this.objectId, this.appId, this.name, this.tokenId, this.resourceId, this.audience, this.category, this.recordKey);
  }
}

export class TokenUseEvent implements TokenUse {
  readonly kind = 'use' as const;
  readonly callerIpv4: number | undefined;

  constructor(
    readonly timeMs: number,
    readonly tenantId: string,
    readonly objectId: string,
    readonly appId: string,
    readonly tokenId: string,
    readonly tokenHash: string,
    readonly callerIp: string,
    readonly miResourceId: string,
    readonly principalType: TokenUse['principalType'],
    readonly issuedAtMs: number | undefined,
    readonly category: string,
    readonly operation: string,
    readonly recordKey: RecordKey,
  ) {
    this.callerIpv4 = plainIpv4Value(callerIp);
  }

  /** The same use in `tenantId`: for a use whose record names no tenant (see TenantlessRecords). */
  withTenant(tenantId: string): TokenUseEvent {
    return new TokenUseEvent(this.timeMs, tenantId, this.objectId, this.appId, this.tokenId, this.tokenHash, this.callerIp, this.miResourceId, this.principalType, this.issuedAtMs, this.category, this.operation, this.recordKey);
  }
}

export class OtherAuditEvent implements OtherAuditRecord {
  readonly kind = 'other' as const;

  constructor(
    readonly timeMs: number,
    readonly tenantId: string,
    readonly category: string,
    readonly note: string,
  ) {}
}
