import type { AuditEvent } from './auditEvent';
import { field, sharedId, sharedTenantId, textField } from './fields';
import { makeReject, type Parsed } from './reject';
import { parseTime } from './time';

/** Entra sign-in categories streamed by the `microsoft.aadiam` diagnostic setting. */
export const SIGN_IN_CATEGORIES = new Set([
  'ManagedIdentitySignInLogs',
  'ServicePrincipalSignInLogs',
  'MicrosoftServicePrincipalSignInLogs',
  'SignInLogs',
  'NonInteractiveUserSignInLogs',
  'ADFSSignInLogs',
]);

/**
 * Parses an Entra sign-in record. Managed Identity sign-ins become token issuance events;
 * the other sign-in categories are parsed and counted (a non-MI service principal is not a
 * Managed Identity, and user sign-ins are out of scope).
 *
 * Example (ManagedIdentitySignInLogs, abridged):
 * `{"time":"2026-03-01T10:00:00.1234567Z","category":"ManagedIdentitySignInLogs","tenantId":"<tid>",
 *   "properties":{"servicePrincipalId":"<oid>","appId":"<client id>","servicePrincipalName":"vm-web01",
 *   "uniqueTokenIdentifier":"dGhpcyBpcyBub3QgYSByZWFsIHRva2Vu","ipAddress":"","status":{"errorCode":0}}}`
 */
export function parseSignIn(record: unknown, origin: string): Parsed<AuditEvent> {
  const category = textField(record, 'category') ?? '';
  const timeMs = parseTime(field(record, 'time')) ?? parseTime(field(record, 'properties', 'createdDateTime'));
  if (timeMs === undefined) return { ok: false, reject: makeReject('signin.bad-time', 'The sign-in record has no parseable time.', record, origin) };
  const tenantId = (textField(record, 'tenantId') ?? tenantFromResourceId(textField(record, 'resourceId')) ?? '').toLowerCase();
  if (category !== 'ManagedIdentitySignInLogs') {
    const note = category === 'ServicePrincipalSignInLogs' || category === 'MicrosoftServicePrincipalSignInLogs' ? 'sign-in.service-principal' : 'sign-in.user';
    return { ok: true, value: { kind: 'other', timeMs, tenantId, category, note } };
  }
  const properties = field(record, 'properties');
  if (typeof properties !== 'object' || properties === null) {
    return { ok: false, reject: makeReject('signin.no-properties', 'The Managed Identity sign-in has no properties object.', record, origin) };
  }
  const objectId = textField(properties, 'servicePrincipalId')?.toLowerCase();
  if (!objectId) return { ok: false, reject: makeReject('signin.no-service-principal', 'The Managed Identity sign-in names no servicePrincipalId.', record, origin) };
  if (!tenantId) return { ok: false, reject: makeReject('signin.no-tenant', 'The sign-in record names no tenant.', record, origin) };
  const errorCode = field(properties, 'status', 'errorCode');
  const resultType = textField(record, 'resultType');
  const failed = (errorCode !== undefined && errorCode !== 0 && errorCode !== '0') || (resultType !== undefined && resultType !== '0');
  if (failed) return { ok: true, value: { kind: 'other', timeMs, tenantId, category, note: 'sign-in.failed' } };
  return {
    ok: true,
    value: {
      kind: 'issuance',
      timeMs,
      tenantId: sharedTenantId(tenantId),
      objectId: sharedId(objectId),
      appId: (textField(properties, 'appId') ?? '').toLowerCase(),
      name: textField(properties, 'servicePrincipalName') ?? '',
      tokenId: textField(properties, 'uniqueTokenIdentifier') ?? '',
      resourceId: textField(properties, 'managedServiceIdentity', 'associatedResourceId') ?? '',
      audience: textField(properties, 'resourceDisplayName') ?? textField(properties, 'resourceId') ?? '',
      category,
      recordKey: textField(properties, 'id') ?? textField(record, 'correlationId') ?? [timeMs, objectId],
    },
  };
}

/** `/tenants/<tid>/providers/Microsoft.aadiam` → `<tid>`. */
export function tenantFromResourceId(resourceId: string | undefined): string | undefined {
  const match = resourceId ? /^\/tenants\/([^/]+)\//i.exec(resourceId) : null;
  return match?.[1];
}
