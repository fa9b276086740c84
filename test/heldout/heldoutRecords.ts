/**
 * Record builders of the held-out tenant, in the Event Hub shapes the vendors document (diagnostic
 * settings bodies `{"records":[…]}`): Entra sign-ins (ManagedIdentitySignInLogs without an IP,
 * ServicePrincipalSignInLogs, SignInLogs), the Azure Activity log (`identity.claims`), Microsoft
 * Graph activity, Key Vault `AuditEvent` (`identity.claim`, tenant only in the issuer URL) and
 * Storage `StorageRead` (`identity.requester` + `identity.tokenHash`, caller address with a port).
 * Shapes follow /work/shared/samples/elastic-integrations-azure and test/fixtures/audit; nothing
 * is imported from src/demo.
 */
import { createHash } from 'node:crypto';

export const TENANT_ID = '5e1d0a77-3c4b-4f0e-9a21-c0ffee0ddba1';
export const SUBSCRIPTION_ID = '7c2f9e14-0d3a-4b5c-8e6f-1a2b3c4d5e6f';
const STS = `https://sts.windows.net/${TENANT_ID}/`;

export type IdentityKind = 'vm' | 'vmss' | 'appservice' | 'function' | 'uami' | 'arc';

/** A Managed Identity: its service principal (object id), client id and owning resource. */
export interface ManagedIdentity {
  readonly name: string;
  readonly objectId: string;
  readonly appId: string;
  readonly kind: IdentityKind;
  /** The `xms_mirid` claim of its tokens. */
  readonly resourceId: string;
}

const PROVIDER: Readonly<Record<IdentityKind, string>> = {
  vm: 'Microsoft.Compute/virtualMachines',
  vmss: 'Microsoft.Compute/virtualMachineScaleSets',
  appservice: 'Microsoft.Web/sites',
  function: 'Microsoft.Web/sites',
  uami: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  arc: 'Microsoft.HybridCompute/machines',
};

export function managedIdentity(name: string, kind: IdentityKind, n: number, resourceGroup: string): ManagedIdentity {
  const hex = n.toString(16).padStart(4, '0');
  return {
    name,
    kind,
    objectId: `3f0a${hex}-6b1c-4d2e-9f3a-5b6c7d8e9f${hex.slice(0, 2)}`.slice(0, 36),
    appId: `b71e${hex}-2c3d-4e5f-8a9b-0c1d2e3f4a${hex.slice(0, 2)}`.slice(0, 36),
    resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourcegroups/${resourceGroup}/providers/${PROVIDER[kind]}/${name}`,
  };
}

/** A token as the resource logs name it: `uti` / `signInActivityId` = the sign-in's uniqueTokenIdentifier. */
export interface Token {
  readonly id: string;
  readonly issuedAtMs: number;
}

/** Storage names an OAuth token by the SHA-256 of the token, upper-case hex. */
export function tokenHashOf(token: Token): string {
  return createHash('sha256').update(`access-token:${token.id}`).digest('hex').toUpperCase();
}

/** `2026-03-02T09:05:12.3450000Z`: Entra and Azure Monitor write seven fractional digits. */
export function iso7(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '0000Z');
}

export type Audience = 'arm' | 'graph' | 'keyvault' | 'storage';

const RESOURCE: Readonly<Record<Audience, { readonly appId: string; readonly name: string; readonly uri: string }>> = {
  arm: { appId: '797f4846-ba00-4fd7-ba43-dac1f8f63013', name: 'Windows Azure Service Management API', uri: 'https://management.core.windows.net/' },
  graph: { appId: '00000003-0000-0000-c000-000000000000', name: 'Microsoft Graph', uri: 'https://graph.microsoft.com' },
  keyvault: { appId: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093', name: 'Azure Key Vault', uri: 'https://vault.azure.net' },
  storage: { appId: 'e406a681-f3d4-42a8-90b6-c2b029497af1', name: 'Azure Storage', uri: 'https://storage.azure.com/' },
};

/** ManagedIdentitySignInLogs (Event Hub shape, as in Elastic's real export): no IP, no location, no callerIpAddress. */
export function miSignIn(mi: ManagedIdentity, token: Token, audience: Audience, ids: { correlationId: string; signInId: string }): Record<string, unknown> {
  const resource = RESOURCE[audience];
  return {
    time: iso7(token.issuedAtMs),
    resourceId: `/tenants/${TENANT_ID}/providers/Microsoft.aadiam`,
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category: 'ManagedIdentitySignInLogs',
    tenantId: TENANT_ID,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    correlationId: ids.correlationId,
    Level: 4,
    properties: {
      id: ids.signInId,
      createdDateTime: new Date(token.issuedAtMs).toISOString().replace('Z', '+00:00'),
      userDisplayName: null,
      userPrincipalName: null,
      userId: null,
      appId: mi.appId,
      appDisplayName: null,
      ipAddress: '',
      status: { errorCode: 0 },
      clientAppUsed: null,
      deviceDetail: null,
      location: { city: '', state: '', countryOrRegion: '', geoCoordinates: { latitude: 0, longitude: 0 } },
      correlationId: ids.correlationId,
      conditionalAccessStatus: 'notApplied',
      appliedConditionalAccessPolicies: [],
      isInteractive: false,
      tokenIssuerType: 'AzureAD',
      processingTimeInMilliseconds: 33,
      riskDetail: 'none',
      riskLevelAggregated: 'none',
      riskLevelDuringSignIn: 'none',
      riskState: 'none',
      resourceDisplayName: resource.name,
      resourceId: resource.appId,
      servicePrincipalName: mi.name,
      servicePrincipalId: mi.objectId,
      flaggedForReview: false,
      isTenantRestricted: false,
      crossTenantAccessType: 'none',
      uniqueTokenIdentifier: token.id,
      incomingTokenType: 'none',
      authenticationProtocol: 'none',
    },
  };
}

/** Claims of an app-only access token issued to a Managed Identity (v1, as the Activity log records them). */
function miClaims(mi: ManagedIdentity, token: Token, audience: Audience): Record<string, string> {
  const iat = String(Math.floor(token.issuedAtMs / 1000));
  return {
    aio: 'k2BgYDjS8f1y/2nU4Pr3mlrBAA==',
    appid: mi.appId,
    appidacr: '2',
    aud: RESOURCE[audience].uri,
    exp: String(Math.floor(token.issuedAtMs / 1000) + 86_399),
    'http://schemas.microsoft.com/identity/claims/identityprovider': STS,
    'http://schemas.microsoft.com/identity/claims/objectidentifier': mi.objectId,
    'http://schemas.microsoft.com/identity/claims/tenantid': TENANT_ID,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': mi.objectId,
    iat,
    idtyp: 'app',
    iss: STS,
    nbf: iat,
    uti: token.id,
    ver: '1.0',
    xms_mirid: mi.resourceId,
    xms_tcdt: '1629812243',
  };
}

export interface ArmOperation {
  readonly operation: string;
  readonly resourceId: string;
}

/** Azure Activity log record (Event Hub shape) of a Managed Identity's ARM call. */
export function activityUse(mi: ManagedIdentity, ms: number, ip: string, token: Token, op: ArmOperation, correlationId: string): Record<string, unknown> {
  return activityRecord(ms, ip, op, correlationId, {
    authorization: {
      action: op.operation.toLowerCase(),
      evidence: { principalId: mi.objectId, principalType: 'ServicePrincipal', role: 'Contributor', roleAssignmentId: correlationId.replace(/^.{4}/, 'ra00'), roleAssignmentScope: `/subscriptions/${SUBSCRIPTION_ID}`, roleDefinitionId: 'b24988ac-6180-42a0-ab88-20f7382dd24c' },
      scope: op.resourceId.toLowerCase(),
    },
    claims: miClaims(mi, token, 'arm'),
  });
}

/** Azure Activity log record of a plain service principal (app registration with a secret): no xms_mirid. */
export function servicePrincipalActivity(sp: { objectId: string; appId: string }, ms: number, ip: string, uti: string, issuedAtMs: number, op: ArmOperation, correlationId: string): Record<string, unknown> {
  const iat = String(Math.floor(issuedAtMs / 1000));
  return activityRecord(ms, ip, op, correlationId, {
    authorization: { action: op.operation.toLowerCase(), evidence: { principalId: sp.objectId, principalType: 'ServicePrincipal', role: 'Contributor' }, scope: op.resourceId.toLowerCase() },
    claims: {
      aio: 'E2ZgYFj1n9+p7rv0qP8uAQ==',
      appid: sp.appId,
      appidacr: '1',
      aud: 'https://management.core.windows.net/',
      exp: String(Number(iat) + 3599),
      'http://schemas.microsoft.com/identity/claims/identityprovider': STS,
      'http://schemas.microsoft.com/identity/claims/objectidentifier': sp.objectId,
      'http://schemas.microsoft.com/identity/claims/tenantid': TENANT_ID,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier': sp.objectId,
      iat,
      idtyp: 'app',
      iss: STS,
      nbf: iat,
      uti,
      ver: '1.0',
    },
  });
}

/** Azure Activity log record of a user (delegated token: upn, name, ipaddr). */
export function userActivity(user: { objectId: string; upn: string; name: string }, ms: number, ip: string, uti: string, op: ArmOperation, correlationId: string): Record<string, unknown> {
  const iat = String(Math.floor(ms / 1000) - 1200);
  return activityRecord(ms, ip, op, correlationId, {
    authorization: { action: op.operation.toLowerCase(), evidence: { principalId: user.objectId, principalType: 'User', role: 'Owner' }, scope: op.resourceId.toLowerCase() },
    claims: {
      acr: '1',
      aio: 'AVQAq/8WAAAA1x3kq0WlQk8Jt2Rk',
      amr: '["pwd","mfa"]',
      appid: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      appidacr: '0',
      aud: 'https://management.core.windows.net/',
      exp: String(Number(iat) + 4800),
      'http://schemas.microsoft.com/identity/claims/identityprovider': STS,
      'http://schemas.microsoft.com/identity/claims/objectidentifier': user.objectId,
      'http://schemas.microsoft.com/identity/claims/scope': 'user_impersonation',
      'http://schemas.microsoft.com/identity/claims/tenantid': TENANT_ID,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name': user.upn,
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': user.upn,
      iat,
      ipaddr: ip,
      name: user.name,
      nbf: iat,
      puid: '10032001A4C2B7F1',
      uti,
      ver: '1.0',
    },
  });
}

function activityRecord(ms: number, ip: string, op: ArmOperation, correlationId: string, identity: Record<string, unknown>): Record<string, unknown> {
  return {
    callerIpAddress: ip,
    category: 'Administrative',
    correlationId,
    durationMs: 0,
    identity,
    level: 'Information',
    location: 'global',
    operationName: op.operation,
    properties: { statusCode: 'OK', serviceRequestId: correlationId.split('').reverse().join(''), eventCategory: 'Administrative', entity: op.resourceId, message: op.operation.toLowerCase(), hierarchy: `${TENANT_ID}/${SUBSCRIPTION_ID}` },
    resourceId: op.resourceId.toUpperCase(),
    resultSignature: 'Succeeded.OK',
    resultType: 'Success',
    time: iso7(ms),
  };
}

/** MicrosoftGraphActivityLogs record (Event Hub shape) of an app-only call. */
export function graphUse(
  caller: { objectId: string; appId: string },
  ms: number,
  ip: string,
  token: Token,
  request: { method: string; uri: string; requestId: string; correlationId: string; location: string; roles: string },
): Record<string, unknown> {
  return {
    Level: 4,
    callerIpAddress: ip,
    category: 'MicrosoftGraphActivityLogs',
    correlationId: request.correlationId,
    durationMs: 183_422,
    location: request.location,
    operationName: 'Microsoft Graph Activity',
    operationVersion: 'v1.0',
    properties: {
      apiVersion: 'v1.0',
      appId: caller.appId,
      atContent: '',
      clientAuthMethod: '2',
      clientRequestId: request.requestId.replace(/^.{2}/, 'cc'),
      durationMs: 183_422,
      identityProvider: STS,
      ipAddress: ip,
      location: request.location,
      operationId: request.correlationId,
      requestId: request.requestId,
      requestMethod: request.method,
      requestUri: request.uri,
      responseSizeBytes: 1841,
      responseStatusCode: 200,
      roles: request.roles,
      scopes: null,
      servicePrincipalId: caller.objectId,
      signInActivityId: token.id,
      tenantId: TENANT_ID,
      timeGenerated: iso7(ms),
      tokenIssuedAt: new Date(token.issuedAtMs).toISOString().replace('.000Z', 'Z'),
      userAgent: 'azsdk-net-Identity/1.12.0 (.NET 8.0.8; Ubuntu 22.04.4 LTS)',
      userId: null,
      wids: '0997a1d0-0d1d-4acb-b408-d5ca73121e90',
    },
    resourceId: `/TENANTS/${TENANT_ID.toUpperCase()}/PROVIDERS/MICROSOFT.AADIAM`,
    resultSignature: '200',
    tenantId: TENANT_ID,
    time: iso7(ms),
  };
}

/**
 * Key Vault `SecretGet` (AuditEvent, Event Hub shape) by a system-assigned identity: the claim
 * names the tenant only in the identity-provider URL and carries no xms_mirid and no token id.
 */
export function keyVaultSecretGet(mi: ManagedIdentity, ms: number, ip: string, ids: { correlationId: string; secretVersion: string }): Record<string, unknown> {
  return keyVaultRecord(ms, ip, ids, {
    'http://schemas.microsoft.com/identity/claims/objectidentifier': mi.objectId,
    appid: mi.appId,
    appidacr: '2',
    'http://schemas.microsoft.com/identity/claims/identityprovider': STS,
  }, 'azsdk-python-keyvault-secrets/4.8.0 Python/3.11.9 (Linux-5.15.0-1064-azure-x86_64-with-glibc2.35)');
}

/** Key Vault `SecretGet` by a user (upn claim): never a Managed Identity use. */
export function keyVaultUserSecretGet(user: { objectId: string; upn: string }, ms: number, ip: string, ids: { correlationId: string; secretVersion: string }): Record<string, unknown> {
  return keyVaultRecord(ms, ip, ids, {
    'http://schemas.microsoft.com/identity/claims/objectidentifier': user.objectId,
    'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': user.upn,
    appid: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
    'http://schemas.microsoft.com/identity/claims/identityprovider': STS,
  }, 'PortalExtensionHost');
}

function keyVaultRecord(ms: number, ip: string, ids: { correlationId: string; secretVersion: string }, claim: Record<string, string>, clientInfo: string): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/SUBSCRIPTIONS/${SUBSCRIPTION_ID.toUpperCase()}/RESOURCEGROUPS/RG-APP/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO-APP`,
    operationName: 'SecretGet',
    operationVersion: '7.4',
    category: 'AuditEvent',
    resultType: 'Success',
    resultSignature: 'OK',
    resultDescription: '',
    durationMs: '8',
    callerIpAddress: ip,
    correlationId: ids.correlationId,
    identity: { claim },
    properties: {
      id: `https://kv-contoso-app.vault.azure.net/secrets/sql-connection/${ids.secretVersion}`,
      clientInfo,
      httpStatusCode: 200,
      requestUri: 'https://kv-contoso-app.vault.azure.net/secrets/sql-connection/?api-version=7.4',
      isAccessPolicyMatch: false,
      isRbacAuthorized: true,
      tlsVersion: 'TLS1_2',
    },
  };
}

/** `[v6]:port` or `v4:port`, as Storage logs write the caller. */
export function withPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** Storage `GetBlob` over OAuth (StorageRead, Event Hub shape) by a Managed Identity. */
export function storageGetBlob(mi: ManagedIdentity, ms: number, callerWithPort: string, token: Token, request: { account: string; blob: string; requestId: string }): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/${request.account}/blobServices/default`,
    category: 'StorageRead',
    operationName: 'GetBlob',
    operationVersion: '2023-11-03',
    schemaVersion: '1.0',
    statusCode: 200,
    statusText: 'Success',
    durationMs: 11,
    callerIpAddress: callerWithPort,
    correlationId: request.requestId,
    identity: {
      authorization: [
        {
          action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
          denyAssignmentId: '',
          principals: [{ id: mi.objectId, type: 'ServicePrincipal' }],
          reason: 'Policy',
          result: 'Granted',
          roleAssignmentId: request.requestId.replace(/^.{4}/, 'ra01'),
          roleDefinitionId: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
          type: 'RBAC',
        },
      ],
      requester: { appId: mi.appId, audience: 'https://storage.azure.com/', objectId: mi.objectId, tenantId: TENANT_ID, tokenIssuer: STS },
      tokenHash: tokenHashOf(token),
      type: 'OAuth',
    },
    location: 'westeurope',
    properties: {
      accountName: request.account,
      userAgentHeader: 'azsdk-net-Storage.Blobs/12.19.1 (.NET 8.0.8; Ubuntu 22.04.4 LTS)',
      clientRequestId: request.requestId.replace(/^.{2}/, 'cc'),
      etag: '"0x8DC39A1B2C3D4E5"',
      serviceType: 'blob',
      objectKey: `/${request.account}/${request.blob}`,
      metricResponseType: 'Success',
      serverLatencyMs: 6,
      requestHeaderSize: 1577,
      responseHeaderSize: 356,
      responseBodySize: 48_213,
      tlsVersion: 'TLS 1.2',
      accessTier: 'Hot',
    },
    uri: `https://${request.account}.blob.core.windows.net:443/${request.blob}`,
    protocol: 'HTTPS',
    resourceType: 'Microsoft.Storage/storageAccounts/blobServices',
  };
}

/** ServicePrincipalSignInLogs (Event Hub shape): a client-credential sign-in, with the caller's IP. */
export function servicePrincipalSignIn(sp: { objectId: string; appId: string; name: string }, ms: number, ip: string, uti: string, ids: { correlationId: string; signInId: string }): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/tenants/${TENANT_ID}/providers/Microsoft.aadiam`,
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category: 'ServicePrincipalSignInLogs',
    tenantId: TENANT_ID,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    callerIpAddress: ip,
    correlationId: ids.correlationId,
    Level: 4,
    location: 'DE',
    properties: {
      id: ids.signInId,
      createdDateTime: new Date(ms).toISOString().replace('Z', '+00:00'),
      appId: sp.appId,
      ipAddress: ip,
      status: { errorCode: 0 },
      location: { city: 'Falkenstein', state: 'Sachsen', countryOrRegion: 'DE', geoCoordinates: { latitude: 50.47, longitude: 12.37 } },
      correlationId: ids.correlationId,
      conditionalAccessStatus: 'notApplied',
      isInteractive: false,
      tokenIssuerType: 'AzureAD',
      resourceDisplayName: 'Windows Azure Service Management API',
      resourceId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
      servicePrincipalName: sp.name,
      servicePrincipalId: sp.objectId,
      servicePrincipalCredentialKeyId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d',
      authenticationProcessingDetails: [{ key: 'Azure AD App Authentication Library', value: '' }],
      uniqueTokenIdentifier: uti,
      incomingTokenType: 'none',
      authenticationProtocol: 'none',
    },
  };
}

/** SignInLogs (interactive user sign-in, Event Hub shape). */
export function userSignIn(user: { objectId: string; upn: string; name: string }, ms: number, ip: string, asn: number, ids: { correlationId: string; signInId: string }): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: `/tenants/${TENANT_ID}/providers/Microsoft.aadiam`,
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category: 'SignInLogs',
    tenantId: TENANT_ID,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    callerIpAddress: ip,
    correlationId: ids.correlationId,
    identity: user.name,
    Level: 4,
    location: 'DE',
    properties: {
      id: ids.signInId,
      createdDateTime: new Date(ms).toISOString().replace('Z', '+00:00'),
      userDisplayName: user.name,
      userPrincipalName: user.upn,
      userId: user.objectId,
      appId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
      appDisplayName: 'Azure Portal',
      ipAddress: ip,
      autonomousSystemNumber: asn,
      status: { errorCode: 0 },
      clientAppUsed: 'Browser',
      isInteractive: true,
      resourceDisplayName: 'Windows Azure Service Management API',
      resourceId: '797f4846-ba00-4fd7-ba43-dac1f8f63013',
      incomingTokenType: 'none',
      authenticationProtocol: 'none',
    },
  };
}
