import { boundId, boundTenantId, boundText } from '../bounds/textBounds';
import { OtherAuditEvent, RecordKeyParts, TokenIssuanceEvent, type AuditEvent } from './auditEvent';
import { isObject } from './envelope';
import { field, NO_FIELDS, objectOf, sharedTenantId, text, textField } from './fields';
import { makeReject, parsedValue, type Parsed, type Reject } from './reject';
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
  // Read directly from the record objects: every token issued is one of these.
  const r: Readonly<Record<string, unknown>> = isObject(record) ? record : NO_FIELDS;
  const category = text(r['category']) ?? '';
  const properties = objectOf(r['properties']);
  const p: Readonly<Record<string, unknown>> = properties ?? NO_FIELDS;
  const timeMs = parseTime(r['time']) ?? parseTime(p['createdDateTime']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('signin.bad-time', 'The sign-in record has no parseable time.', record, origin) };
  // Every value kept is bounded (textBounds.ts): ids keep their identity, text is cut with a marker.
  const tenantId = boundTenantId((text(r['tenantId']) ?? tenantFromResourceId(text(r['resourceId'])) ?? '').toLowerCase());
  if (category !== 'ManagedIdentitySignInLogs') {
    const note = category === 'ServicePrincipalSignInLogs' || category === 'MicrosoftServicePrincipalSignInLogs' ? 'sign-in.service-principal' : 'sign-in.user';
    return parsedValue(new OtherAuditEvent(timeMs, tenantId, category, note));
  }
  if (properties === undefined) {
    return { ok: false, reject: makeReject('signin.no-properties', 'The Managed Identity sign-in has no properties object.', record, origin) };
  }
  const spId = text(p['servicePrincipalId']);
  const objectId = spId === undefined ? undefined : boundId(spId.toLowerCase());
  if (!objectId) return { ok: false, reject: makeReject('signin.no-service-principal', 'The Managed Identity sign-in names no servicePrincipalId.', record, origin) };
  // A row of the older AADManagedIdentitySignInLogs column list names no tenant (no AADTenantId, no
  // `_ResourceId` tenant): kept with tenant '', which the app resolves or rejects (app/tenantlessRecords.ts).
  const errorCode = field(p, 'status', 'errorCode');
  const resultType = text(r['resultType']);
  const failed = (errorCode !== undefined && errorCode !== 0 && errorCode !== '0') || (resultType !== undefined && resultType !== '0');
  if (failed) return parsedValue(new OtherAuditEvent(timeMs, tenantId, category, 'sign-in.failed'));
  return parsedValue(
    new TokenIssuanceEvent(
      timeMs,
      tenantId ? sharedTenantId(tenantId) : '',
      objectId,
      /* appId */ boundId((text(p['appId']) ?? '').toLowerCase()),
      /* name */ boundText(text(p['servicePrincipalName']) ?? ''),
      /* tokenId */ boundId(text(p['uniqueTokenIdentifier']) ?? ''),
      /* resourceId */ boundId(textField(p, 'managedServiceIdentity', 'associatedResourceId') ?? ''),
      /* audience */ boundText(text(p['resourceDisplayName']) ?? text(p['resourceId']) ?? ''),
      category,
      /* recordKey */ text(p['id']) ?? text(r['correlationId']) ?? new RecordKeyParts(timeMs, objectId),
    ),
  );
}

/** The reject of a sign-in whose tenant is named nowhere and cannot be inferred (see app/tenantlessRecords.ts). */
export function noSignInTenant(record: unknown, origin: string): Reject {
  return makeReject('signin.no-tenant', 'The sign-in record names no tenant, and none is configured (TOKENWATCH_HOME_TENANT_ID; replay: --tenant).', record, origin);
}

/** `/tenants/<tid>/providers/Microsoft.aadiam` → `<tid>`. */
export function tenantFromResourceId(resourceId: string | undefined): string | undefined {
  const match = resourceId ? /^\/tenants\/([^/]+)\//i.exec(resourceId) : null;
  return match?.[1];
}
