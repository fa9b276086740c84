import { createHash } from 'node:crypto';
import { AsnLookup } from '../../src/core/network/asnLookup';
import { makeIpClassifier } from '../../src/app/ipClassifier';
import type { IpClassifier } from '../../src/core/remoteUse/settings';

/**
 * Real-shaped Entra / Azure records for tests, with documentation addresses only.
 * The test ASN table maps documentation ranges to RFC 5398 documentation ASNs, and 192.0.2.0/24
 * to Microsoft's AS8075 so that "inside Azure" can be exercised without a real Azure address.
 */
export const TENANT = '72f988bf-0000-4000-8000-00000000c0de';
export const AZURE_IP = '192.0.2.10';
export const AZURE_IP_2 = '192.0.2.77';
export const ONPREM_IP = '198.51.100.10';
export const ONPREM_IP_2 = '198.51.100.99';
export const ATTACKER_IP = '203.0.113.66';
export const ATTACKER_IP6 = '2001:db8:2::66';
export const ONPREM_IP6 = '2001:db8:1::10';

export const TEST_ASN_RANGES = [
  { cidr: '192.0.2.0/24', asn: 8075, organization: 'Microsoft Corporation' },
  { cidr: '198.51.100.0/24', asn: 64500, organization: 'Contoso Telecom' },
  { cidr: '203.0.113.0/24', asn: 64501, organization: 'Fabrikam Hosting' },
  { cidr: '2001:db8:1::/48', asn: 64500, organization: 'Contoso Telecom' },
  { cidr: '2001:db8:2::/48', asn: 64502, organization: 'Tailspin VPS' },
] as const;

export const TEST_ASNS = AsnLookup.fromRanges(TEST_ASN_RANGES);

export const testClassifier: IpClassifier = makeIpClassifier({ asnLookup: TEST_ASNS });

export interface TestIdentity {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
  readonly resourceId: string;
}

export function identity(n: number, kind: 'vm' | 'arc' | 'uami' = 'vm'): TestIdentity {
  const hex = n.toString(16).padStart(4, '0');
  const name = `${kind}-contoso-${n}`;
  const provider =
    kind === 'arc' ? 'Microsoft.HybridCompute/machines' : kind === 'uami' ? 'Microsoft.ManagedIdentity/userAssignedIdentities' : 'Microsoft.Compute/virtualMachines';
  return {
    objectId: `0b1ec7${hex}-0000-4000-8000-000000000001`,
    appId: `a99c1d${hex}-0000-4000-8000-000000000002`,
    name,
    resourceId: `/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/${provider}/${name}`,
  };
}

const DAY = 86_400_000;
export const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);
export const at = (day: number, minutes = 0): number => T0 + day * DAY + minutes * 60_000;
const iso7 = (ms: number): string => new Date(ms).toISOString().replace('Z', '0000Z');

/** A token id (`uti`) per identity and issuance time, 22 base64url characters like Entra's. */
export function tokenId(id: TestIdentity, ms: number): string {
  return createHash('sha256').update(`${id.objectId}:${ms}`).digest('base64url').slice(0, 22);
}

/** ManagedIdentitySignInLogs in Event Hub shape (no IP, as in real exports). */
export function miSignIn(id: TestIdentity, ms: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/tenants/${TENANT}/providers/Microsoft.aadiam`,
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category: 'ManagedIdentitySignInLogs',
    tenantId: TENANT,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    correlationId: `c0${ms.toString(16)}`,
    Level: 4,
    properties: {
      id: `s1${ms.toString(16)}-${id.objectId.slice(0, 8)}`,
      createdDateTime: new Date(ms).toISOString().replace('Z', '+00:00'),
      userId: null,
      appId: id.appId,
      ipAddress: '',
      status: { errorCode: 0 },
      location: { city: '', state: '', countryOrRegion: '', geoCoordinates: { latitude: 0, longitude: 0 } },
      isInteractive: false,
      resourceDisplayName: 'Windows Azure Service Management API',
      resourceId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
      servicePrincipalName: id.name,
      servicePrincipalId: id.objectId,
      uniqueTokenIdentifier: tokenId(id, ms),
      incomingTokenType: 'none',
      authenticationProtocol: 'none',
      ...extra,
    },
  };
}

/** Azure Activity log record (Event Hub shape) of an MI token presented to ARM. */
export function activityUse(
  id: TestIdentity,
  ms: number,
  ip: string,
  options: { token?: string; iatMs?: number; withMirid?: boolean; operation?: string } = {},
): Record<string, unknown> {
  const claims: Record<string, string> = {
    aud: 'https://management.core.windows.net/',
    iss: `https://sts.windows.net/${TENANT}/`,
    iat: String(Math.floor((options.iatMs ?? ms - 600_000) / 1000)),
    nbf: String(Math.floor((options.iatMs ?? ms - 600_000) / 1000)),
    exp: String(Math.floor((options.iatMs ?? ms) / 1000) + 86_400),
    appid: id.appId,
    appidacr: '2',
    idtyp: 'app',
    'http://schemas.microsoft.com/identity/claims/identityprovider': `https://sts.windows.net/${TENANT}/`,
    'http://schemas.microsoft.com/identity/claims/objectidentifier': id.objectId,
    'http://schemas.microsoft.com/identity/claims/tenantid': TENANT,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': id.objectId,
    uti: options.token ?? `u${ms.toString(36)}`,
    ver: '1.0',
  };
  if (options.withMirid !== false) claims['xms_mirid'] = id.resourceId;
  const operation = options.operation ?? 'MICROSOFT.KEYVAULT/VAULTS/SECRETS/READ';
  return {
    time: iso7(ms),
    resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG-CONTOSO/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO',
    operationName: operation,
    category: 'Administrative',
    resultType: 'Success',
    resultSignature: 'Succeeded.OK',
    durationMs: 12,
    callerIpAddress: ip,
    correlationId: `c1${ms.toString(16)}`,
    level: 'Information',
    location: 'global',
    identity: {
      authorization: { action: operation, scope: '/subscriptions/c0ffee00-0000-4000-8000-000000000003', evidence: { principalType: 'ServicePrincipal', principalId: id.objectId } },
      claims,
    },
    properties: { statusCode: 'OK' },
  };
}

/** MicrosoftGraphActivityLogs record (Event Hub shape) of an app-only call. */
export function graphUse(id: TestIdentity, ms: number, ip: string, options: { token?: string; issuedAtMs?: number } = {}): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/TENANTS/${TENANT.toUpperCase()}/PROVIDERS/MICROSOFT.AADIAM`,
    operationName: 'Microsoft Graph Activity',
    operationVersion: 'v1.0',
    category: 'MicrosoftGraphActivityLogs',
    resultSignature: '200',
    durationMs: 120,
    callerIpAddress: ip,
    correlationId: `c2${ms.toString(16)}`,
    Level: 4,
    location: 'West Europe',
    tenantId: TENANT,
    properties: {
      timeGenerated: iso7(ms),
      requestId: `r2${ms.toString(16)}-${id.objectId.slice(0, 8)}`,
      operationId: `o2${ms.toString(16)}`,
      apiVersion: 'v1.0',
      requestMethod: 'GET',
      responseStatusCode: 200,
      tenantId: TENANT,
      signInActivityId: options.token ?? `g${ms.toString(36)}`,
      ipAddress: ip,
      userAgent: 'azsdk-js-identity/4.13.0',
      requestUri: 'https://graph.microsoft.com/v1.0/users?$top=5',
      appId: id.appId,
      servicePrincipalId: id.objectId,
      userId: null,
      roles: 'User.Read.All',
      tokenIssuedAt: options.issuedAtMs !== undefined ? new Date(options.issuedAtMs).toISOString() : null,
      clientAuthMethod: '2',
    },
  };
}

export const body = (records: unknown[]): { records: unknown[] } => ({ records });
