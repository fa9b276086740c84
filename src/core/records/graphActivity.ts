import type { AuditEvent } from './auditEvent';
import { field, sharedId, sharedTenantId, textField } from './fields';
import { makeReject, type Parsed } from './reject';
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
  const category = textField(record, 'category') ?? 'MicrosoftGraphActivityLogs';
  const properties = field(record, 'properties');
  const timeMs = parseTime(field(record, 'time')) ?? parseTime(field(properties, 'timeGenerated'));
  if (timeMs === undefined) return { ok: false, reject: makeReject('graph.bad-time', 'The Graph activity record has no parseable time.', record, origin) };
  if (typeof properties !== 'object' || properties === null) {
    return { ok: false, reject: makeReject('graph.no-properties', 'The Graph activity record has no properties object.', record, origin) };
  }
  const tenantId = (textField(properties, 'tenantId') ?? textField(record, 'tenantId') ?? '').toLowerCase();
  const objectId = textField(properties, 'servicePrincipalId')?.toLowerCase() ?? '';
  const userId = textField(properties, 'userId');
  if (!objectId) {
    return { ok: true, value: { kind: 'other', timeMs, tenantId, category, note: userId ? 'graph.delegated' : 'graph.no-service-principal' } };
  }
  // State is kept per tenant: a use that names none cannot be judged against any baseline.
  if (!tenantId) return { ok: false, reject: makeReject('graph.no-tenant', 'The Graph activity record names no tenant.', record, origin) };
  const method = textField(properties, 'requestMethod') ?? '';
  const uri = textField(properties, 'requestUri') ?? '';
  const callerIp = textField(properties, 'ipAddress') ?? textField(record, 'callerIpAddress') ?? '';
  return {
    ok: true,
    value: {
      kind: 'use',
      timeMs,
      tenantId: sharedTenantId(tenantId),
      objectId: sharedId(objectId),
      appId: textField(properties, 'appId')?.toLowerCase() ?? '',
      tokenId: textField(properties, 'signInActivityId') ?? '',
      callerIp,
      miResourceId: '',
      principalType: userId ? 'user' : 'app',
      issuedAtMs: parseTime(field(properties, 'tokenIssuedAt')),
      category,
      operation: `${method} ${stripQuery(uri)}`.trim(),
      recordKey: textField(properties, 'requestId') ?? textField(properties, 'operationId') ?? [textField(record, 'correlationId') ?? '', timeMs, objectId, uri],
    },
  };
}

/** Query strings can carry user data (filters, search terms); the path is what an analyst needs. */
function stripQuery(uri: string): string {
  const q = uri.indexOf('?');
  return q === -1 ? uri : uri.slice(0, q);
}
