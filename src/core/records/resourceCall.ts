import { OtherAuditEvent, RecordKeyParts, TokenUseEvent, type AuditEvent } from './auditEvent';
import { isObject } from './envelope';
import { field, NO_FIELDS, sharedTenantId, text, textField } from './fields';
import { makeReject, parsedValue, type Parsed } from './reject';
import { parseTime } from './time';

const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TID_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid';
const UPN_CLAIMS = ['upn', 'puid', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];

/**
 * Parses a resource log that records a caller presenting a token: the Azure Activity log
 * (`identity.claims` + `callerIpAddress`), Key Vault `AuditEvent` (`identity.claim`) and Storage
 * logs (`identity.requester`). Records of those sources without a caller (service health,
 * policy, platform operations) are valid and counted as "other".
 *
 * Example (Activity log, Event Hub shape, abridged):
 * `{"time":"2026-03-01T10:05:00.0000000Z","category":"Administrative","callerIpAddress":"20.42.1.7",
 *   "operationName":"MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ","resourceId":"/SUBSCRIPTIONS/…",
 *   "identity":{"claims":{"appid":"<client id>","idtyp":"app","uti":"<token id>","iat":"1772359200",
 *   "xms_mirid":"/subscriptions/<sub>/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm-web01",
 *   "http://schemas.microsoft.com/identity/claims/objectidentifier":"<oid>",
 *   "http://schemas.microsoft.com/identity/claims/tenantid":"<tid>"}}}`
 */
export function parseResourceCall(record: unknown, origin: string): Parsed<AuditEvent> {
  // Read directly from the record object: this parser runs for most records of a stream.
  const r: Readonly<Record<string, unknown>> = isObject(record) ? record : NO_FIELDS;
  const category = text(r['category']) ?? '';
  const timeMs = parseTime(r['time']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('activity.bad-time', 'The resource log record has no parseable time.', record, origin) };
  const identity = r['identity'];
  const identityFields = isObject(identity) ? identity : NO_FIELDS;
  const claims = claimsOf(identityFields);
  const requester = identityFields['requester'];
  const recordTenant = text(r['tenantId']);

  if (!claims && !isObject(requester)) {
    return parsedValue(new OtherAuditEvent(timeMs, (recordTenant ?? '').toLowerCase(), category, 'activity.no-caller-token'));
  }
  const objectId = (claims ? text(claims[OID_CLAIM]) ?? text(claims['oid']) : textField(requester, 'objectId'))?.toLowerCase() ?? '';
  const appId = (claims ? text(claims['appid']) ?? text(claims['azp']) : textField(requester, 'appId'))?.toLowerCase() ?? '';
  const tenantId = ((claims ? text(claims[TID_CLAIM]) ?? text(claims['tid']) : textField(requester, 'tenantId')) ?? recordTenant ?? '').toLowerCase();
  if (!objectId && !appId) {
    return { ok: false, reject: makeReject('activity.no-caller-id', 'The caller claims carry neither an object id nor an app id.', record, origin) };
  }
  // State is kept per tenant: a use that names none cannot be judged against any baseline.
  if (!tenantId) return { ok: false, reject: makeReject('activity.no-tenant', 'Neither the caller claims (tid) nor the record name a tenant.', record, origin) };
  const callerIp = text(r['callerIpAddress']) ?? (claims ? text(claims['ipaddr']) : undefined) ?? '';
  const operation = text(r['operationName']) ?? textField(r, 'properties', 'operationName') ?? '';
  const tokenId = (claims ? text(claims['uti']) : textField(requester, 'uniqueTokenIdentifier')) ?? '';
  // The Event Hub shape of the Activity log has no eventDataId: the key is nearly always these values.
  const recordKey = text(r['eventDataId']) ?? new RecordKeyParts(text(r['correlationId']) ?? '', operation, text(r['resourceId']) ?? '', timeMs, text(r['resultType']) ?? '', callerIp, tokenId);
  return parsedValue(
    new TokenUseEvent(
      timeMs,
      sharedTenantId(tenantId),
      objectId,
      appId,
      tokenId,
      /* tokenHash */ '',
      callerIp,
      /* miResourceId */ (claims ? text(claims['xms_mirid']) : undefined) ?? '',
      principalTypeOf(claims, identity),
      /* issuedAtMs */ claims ? parseTime(claims['iat']) : undefined,
      category,
      operation,
      recordKey,
    ),
  );
}

function claimsOf(identity: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const claims = identity['claims'] ?? identity['claim'];
  if (isObject(claims)) return claims;
  // Some exporters serialise the claims object as a JSON string.
  if (typeof claims === 'string') {
    try {
      const parsed: unknown = JSON.parse(claims);
      if (isObject(parsed)) return parsed;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function principalTypeOf(claims: Record<string, unknown> | undefined, identity: unknown): 'app' | 'user' | 'unknown' {
  const idtyp = claims ? text(claims['idtyp'])?.toLowerCase() : undefined;
  if (idtyp === 'app') return 'app';
  if (idtyp === 'user') return 'user';
  if (claims && UPN_CLAIMS.some((c) => text(claims[c]) !== undefined)) return 'user';
  const evidence = textField(identity, 'authorization', 'evidence', 'principalType')?.toLowerCase();
  if (evidence === 'serviceprincipal') return 'app';
  if (evidence === 'user' || evidence === 'group') return 'user';
  if (claims && text(claims['xms_mirid'])) return 'app';
  if (claims && text(claims['appidacr']) !== undefined && text(claims['scp']) === undefined) return 'app';
  return 'unknown';
}
