import { boundId, boundTenantId, boundText } from '../bounds/textBounds';
import { OtherAuditEvent, RecordKeyParts, TokenUseEvent, type AuditEvent } from './auditEvent';
import { isObject } from './envelope';
import { NO_FIELDS, objectOf, sharedTenantId, text } from './fields';
import { makeReject, parsedValue, type Parsed } from './reject';
import { parseTime } from './time';

/**
 * Parses a `MicrosoftGraphActivityLogs` record: a call to Microsoft Graph with the token's
 * `signInActivityId` (= the issuing sign-in's `uniqueTokenIdentifier`) and the caller's IP.
 * App-only calls carry `servicePrincipalId`; delegated (user) calls carry `userId`.
 *
 * Example (abridged):
 * `{"time":"2026-03-01T10:06:00.1234567Z","category":"MicrosoftGraphActivityLogs","tenantId":"<tid>",
 *   "properties":{"ipAddress":"20.42.1.7","servicePrincipalId":"<oid>","appId":"<client id>",
 *   "signInActivityId":"<token id>","tokenIssuedAt":"2026-03-01T09:55:00Z","requestMethod":"GET",
 *   "requestUri":"https://graph.microsoft.com/v1.0/users","requestId":"<guid>"}}`
 */
export function parseGraphActivity(record: unknown, origin: string): Parsed<AuditEvent> {
  // Read directly from the record objects: a quarter of a stream's records are Graph calls.
  const r: Readonly<Record<string, unknown>> = isObject(record) ? record : NO_FIELDS;
  const category = boundText(text(r['category']) ?? 'MicrosoftGraphActivityLogs');
  const properties = objectOf(r['properties']);
  const p: Readonly<Record<string, unknown>> = properties ?? NO_FIELDS;
  const timeMs = parseTime(r['time']) ?? parseTime(p['timeGenerated']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('graph.bad-time', 'The Graph activity record has no parseable time.', record, origin) };
  if (properties === undefined) {
    return { ok: false, reject: makeReject('graph.no-properties', 'The Graph activity record has no properties object.', record, origin) };
  }
  // Every value kept is bounded (textBounds.ts): ids keep their identity, text is cut with a marker.
  const tenantId = boundTenantId((text(p['tenantId']) ?? text(r['tenantId']) ?? '').toLowerCase());
  const objectId = boundId(text(p['servicePrincipalId'])?.toLowerCase() ?? '');
  const userId = text(p['userId']);
  if (!objectId) {
    return parsedValue(new OtherAuditEvent(timeMs, tenantId, category, userId ? 'graph.delegated' : 'graph.no-service-principal'));
  }
  // State is kept per tenant: a use that names none cannot be judged against any baseline.
  if (!tenantId) return { ok: false, reject: makeReject('graph.no-tenant', 'The Graph activity record names no tenant.', record, origin) };
  const method = text(p['requestMethod']) ?? '';
  const uri = text(p['requestUri']) ?? '';
  const callerIp = boundText(text(p['ipAddress']) ?? text(r['callerIpAddress']) ?? '');
  return parsedValue(
    new TokenUseEvent(
      timeMs,
      sharedTenantId(tenantId),
      objectId,
      /* appId */ boundId(text(p['appId'])?.toLowerCase() ?? ''),
      /* tokenId */ boundId(text(p['signInActivityId']) ?? ''),
      /* tokenHash */ '',
      callerIp,
      /* miResourceId */ '',
      /* principalType */ userId ? 'user' : 'app',
      /* issuedAtMs */ parseTime(p['tokenIssuedAt']),
      category,
      /* operation */ boundText(`${method} ${stripQuery(uri)}`.trim()),
      /* recordKey */ text(p['requestId']) ?? text(p['operationId']) ?? new RecordKeyParts(text(r['correlationId']) ?? '', timeMs, objectId, uri),
    ),
  );
}

/** Query strings can carry user data (filters, search terms); the path is what an analyst needs. */
function stripQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}
