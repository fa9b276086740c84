import { createHash } from 'node:crypto';
import type { Random } from './random';
import { isoOffset, isoSeconds } from './timeFormat';

/**
 * Builders for the Entra ID / Azure Monitor record shapes of the remote-use detector, in the
 * Event Hub (diagnostic settings) form: `ManagedIdentitySignInLogs`, `ServicePrincipalSignInLogs`,
 * the Azure Activity log (`Administrative`), `MicrosoftGraphActivityLogs`, Storage's `StorageRead`
 * and Key Vault's `AuditEvent`. Key names, casing and value types follow the real exports
 * (Elastic's Azure integration test files, Microsoft's schema pages, the redacted samples under
 * test/fixtures/audit); only the values are synthetic.
 */

/** Resource applications whose use records name the token (`uti`, `signInActivityId`): ARM and Graph. */
export type Audience = 'arm' | 'graph';
/** Data-plane resources: Storage logs a token by its hash, Key Vault not at all. */
export type DataPlaneAudience = 'storage' | 'vault';
export type TokenAudience = Audience | DataPlaneAudience;

export const AUDIENCES: Readonly<Record<TokenAudience, { readonly appId: string; readonly displayName: string; readonly aud: string }>> = {
  arm: { appId: '797f4846-ba00-4fd7-ba43-dac1f8f63013', displayName: 'Windows Azure Service Management API', aud: 'https://management.azure.com/' },
  graph: { appId: '00000003-0000-0000-c000-000000000000', displayName: 'Microsoft Graph', aud: 'https://graph.microsoft.com' },
  storage: { appId: 'e406a681-f3d4-42a8-90b6-c2b029497af1', displayName: 'Azure Storage', aud: 'https://storage.azure.com/' },
  vault: { appId: 'cfa8b339-82a2-471a-a3c9-0fc0be7a4093', displayName: 'Azure Key Vault', aud: 'https://vault.azure.net' },
};

/** One token issued by Entra ID: what the sign-in record registers and every use of it repeats. */
export interface TokenGrant {
  /** Sign-in request id (`properties.id`), the GUID the token id derives from. */
  readonly requestId: string;
  /** `uti` / `uniqueTokenIdentifier` / `signInActivityId`. */
  readonly tokenId: string;
  readonly audience: TokenAudience;
  /** Sign-in record time (7 fractional digits). */
  readonly issuedTime: string;
  readonly issuedMs: number;
  /** `iat` = `nbf`: Entra back-dates both by 5 minutes to absorb clock skew. */
  readonly iatSeconds: number;
  /** `exp`: managed identity tokens live 24 hours. */
  readonly expSeconds: number;
  /** `iat` as Graph activity writes it (`tokenIssuedAt`, whole seconds): `2026-09-01T04:54:49Z`. */
  readonly iatTime: string;
  /** The opaque `aio` claim, fixed per token; drawn per record when absent. */
  readonly aio?: string;
}

/** 5 minutes: Entra's clock-skew back-dating of `iat`/`nbf`. */
export const IAT_BACKDATE_SECONDS = 300;
/** 24 hours: lifetime of a managed identity access token. */
export const MI_TOKEN_LIFETIME_SECONDS = 86_400;

export function tokenGrant(requestId: string, tokenId: string, audience: TokenAudience, issuedTime: string, issuedMs: number): TokenGrant {
  const issuedSeconds = Math.floor(issuedMs / 1000);
  return {
    requestId,
    tokenId,
    audience,
    issuedTime,
    issuedMs,
    iatSeconds: issuedSeconds - IAT_BACKDATE_SECONDS,
    expSeconds: issuedSeconds + MI_TOKEN_LIFETIME_SECONDS,
    iatTime: isoSeconds(issuedSeconds - IAT_BACKDATE_SECONDS),
  };
}

/** Who presents a token. Managed identities carry `xms_mirid`; service principals and users do not. */
export type Caller =
  | { readonly kind: 'managedIdentity'; readonly objectId: string; readonly appId: string; readonly name: string; readonly resourceId: string }
  | { readonly kind: 'servicePrincipal'; readonly objectId: string; readonly appId: string; readonly name: string }
  | { readonly kind: 'user'; readonly objectId: string; readonly appId: string; readonly name: string; readonly upn: string; readonly puid: string };

export interface ActivityOperation {
  /** As the Activity log writes it: upper case. */
  readonly operationName: string;
  /** The RBAC action, as `identity.authorization.action` writes it. */
  readonly action: string;
  readonly role: string;
  /** Built-in role definition GUID (without dashes, as Activity evidence writes it). */
  readonly roleDefinitionId: string;
}

export interface GraphRequest {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** Full URI, e.g. `https://graph.microsoft.com/v1.0/users`. */
  readonly uri: string;
  /** Application permissions of the caller (space separated), as the `roles` claim lists them. */
  readonly roles: string;
  readonly status: number;
}

const AADIAM = (tenantId: string): string => `/tenants/${tenantId}/providers/Microsoft.aadiam`;
const STS = (tenantId: string): string => `https://sts.windows.net/${tenantId}/`;
const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TENANT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid';
const IDP_CLAIM = 'http://schemas.microsoft.com/identity/claims/identityprovider';
const NAME_ID_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';
const UPN_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';

const emptyLocation = () => ({ city: '', state: '', countryOrRegion: '', geoCoordinates: { latitude: 0.0, longitude: 0.0 } });

export interface PlaceOfAccess {
  readonly ip: string;
  readonly city: string;
  readonly state: string;
  readonly countryOrRegion: string;
  readonly latitude: number;
  readonly longitude: number;
}

interface SignedInPrincipal {
  readonly objectId: string;
  readonly appId: string;
  readonly name: string;
}

/**
 * The sign-in record both principal kinds share. Managed identity sign-ins carry no caller IP and no
 * location (see log-formats §0); service principal sign-ins carry both, plus the credential used.
 */
function signInRecord(
  category: 'ManagedIdentitySignInLogs' | 'ServicePrincipalSignInLogs',
  tenantId: string,
  principal: SignedInPrincipal,
  grant: TokenGrant,
  place: PlaceOfAccess | null,
  credentialKeyId: string | null,
  random: Random,
): Record<string, unknown> {
  const correlationId = random.guid();
  const resource = AUDIENCES[grant.audience];
  const caller = place === null ? {} : { callerIpAddress: place.ip };
  return {
    time: grant.issuedTime,
    resourceId: AADIAM(tenantId),
    operationName: 'Sign-in activity',
    operationVersion: '1.0',
    category,
    tenantId,
    resultType: '0',
    resultSignature: 'None',
    durationMs: 0,
    ...caller,
    correlationId,
    Level: 4,
    ...(place === null ? {} : { location: place.countryOrRegion }),
    properties: {
      id: grant.requestId,
      createdDateTime: isoOffset(grant.issuedTime),
      userId: null,
      appId: principal.appId,
      ipAddress: place?.ip ?? '',
      status: { errorCode: 0 },
      location:
        place === null
          ? emptyLocation()
          : { city: place.city, state: place.state, countryOrRegion: place.countryOrRegion, geoCoordinates: { latitude: place.latitude, longitude: place.longitude } },
      correlationId,
      conditionalAccessStatus: 'notApplied',
      appliedConditionalAccessPolicies: [],
      isInteractive: false,
      tokenIssuerType: 'AzureAD',
      ...(place === null ? {} : { authenticationProcessingDetails: [{ key: 'Azure AD App Authentication Library', value: '' }] }),
      processingTimeInMilliseconds: random.int(0, 60),
      riskDetail: 'none',
      riskLevelAggregated: 'low',
      riskLevelDuringSignIn: 'low',
      riskState: 'none',
      resourceDisplayName: resource.displayName,
      resourceId: resource.appId,
      servicePrincipalName: principal.name,
      servicePrincipalId: principal.objectId,
      flaggedForReview: false,
      isTenantRestricted: false,
      crossTenantAccessType: 'none',
      ...(credentialKeyId === null ? {} : { servicePrincipalCredentialKeyId: credentialKeyId }),
      uniqueTokenIdentifier: grant.tokenId,
      incomingTokenType: 'none',
      authenticationProtocol: 'none',
    },
  };
}

/** Token issuance to a managed identity (`ManagedIdentitySignInLogs`): `ipAddress` is always ''. */
export function managedIdentitySignInRecord(tenantId: string, identity: SignedInPrincipal, grant: TokenGrant, random: Random): Record<string, unknown> {
  return signInRecord('ManagedIdentitySignInLogs', tenantId, identity, grant, null, null, random);
}

/** Token issuance to an app registration's service principal (`ServicePrincipalSignInLogs`), with caller IP. */
export function servicePrincipalSignInRecord(
  tenantId: string,
  principal: SignedInPrincipal & { readonly credentialKeyId: string },
  grant: TokenGrant,
  place: PlaceOfAccess,
  random: Random,
): Record<string, unknown> {
  return signInRecord('ServicePrincipalSignInLogs', tenantId, principal, grant, place, principal.credentialKeyId, random);
}

/** The `identity.claims` object of an Activity record: the access token's claims as ARM saw them. */
export function activityClaims(tenantId: string, caller: Caller, grant: TokenGrant, ip: string, random: Random): Record<string, string> {
  const common = {
    aio: grant.aio ?? `k2BgYGD${random.hex(24)}AA==`,
    appid: caller.appId,
    aud: AUDIENCES.arm.aud,
    exp: String(grant.expSeconds),
    [IDP_CLAIM]: STS(tenantId),
    [OBJECT_ID_CLAIM]: caller.objectId,
    [TENANT_ID_CLAIM]: tenantId,
    iat: String(grant.iatSeconds),
    iss: STS(tenantId),
    nbf: String(grant.iatSeconds),
    uti: grant.tokenId,
    ver: '1.0',
  };
  switch (caller.kind) {
    case 'managedIdentity':
      return {
        ...common,
        appidacr: '2',
        idtyp: 'app',
        [NAME_ID_CLAIM]: caller.objectId,
        xms_mirid: caller.resourceId,
        // Tenant creation time (epoch seconds), a claim every managed identity token carries.
        xms_tcdt: '1546300800',
      };
    case 'servicePrincipal':
      return { ...common, appidacr: '1', idtyp: 'app', [NAME_ID_CLAIM]: caller.objectId, xms_tcdt: '1546300800' };
    case 'user':
      return {
        ...common,
        acr: '1',
        amr: 'pwd mfa',
        appidacr: '0',
        ipaddr: ip,
        name: caller.name,
        puid: caller.puid,
        scp: 'user_impersonation',
        [NAME_ID_CLAIM]: random.hex(43),
        [UPN_CLAIM]: caller.upn,
        'http://schemas.microsoft.com/claims/authnmethodsreferences': 'pwd,mfa',
      };
  }
}

/** What every use record says: who presented which token, from where, when. */
export interface TokenUse {
  readonly tenantId: string;
  readonly caller: Caller;
  readonly grant: TokenGrant;
  readonly ip: string;
  readonly time: string;
  readonly random: Random;
}

export interface ActivityUse extends TokenUse {
  readonly subscriptionId: string;
  /** The role assignment that grants the operation (fixed per principal and role); drawn per record when absent. */
  readonly roleAssignmentId?: string;
  /** ARM id of the resource operated on (mixed case; the record's top-level `resourceId` is upper case). */
  readonly target: string;
  readonly operation: ActivityOperation;
}

/** One ARM operation in the Activity log, as diagnostic settings stream it to Event Hub. */
export function activityRecord(args: ActivityUse): Record<string, unknown> {
  const { caller, random } = args;
  const correlationId = random.guid();
  const principalType = caller.kind === 'user' ? 'User' : 'ServicePrincipal';
  return {
    callerIpAddress: args.ip,
    category: 'Administrative',
    correlationId,
    durationMs: 0,
    identity: {
      authorization: {
        action: args.operation.action,
        evidence: {
          principalId: caller.objectId.replace(/-/g, ''),
          principalType,
          role: args.operation.role,
          roleAssignmentId: args.roleAssignmentId ?? random.hex(32),
          roleAssignmentScope: `/subscriptions/${args.subscriptionId}`,
          roleDefinitionId: args.operation.roleDefinitionId,
        },
        scope: args.target,
      },
      claims: activityClaims(args.tenantId, caller, args.grant, args.ip, random),
    },
    level: 'Information',
    location: 'global',
    operationName: args.operation.operationName,
    properties: {
      entity: args.target,
      eventCategory: 'Administrative',
      hierarchy: `${args.tenantId}/${args.subscriptionId}`,
      message: args.operation.action,
      serviceRequestId: random.guid(),
      statusCode: 'OK',
    },
    resourceId: args.target.toUpperCase(),
    resultSignature: 'Succeeded.OK',
    resultType: 'Success',
    tenantId: args.tenantId,
    time: args.time,
  };
}

export interface GraphUse extends TokenUse {
  readonly request: GraphRequest;
  /** Azure region display name of the Graph front end (`West Europe`). */
  readonly location: string;
  readonly userAgent: string;
}

/** One Microsoft Graph request, as `MicrosoftGraphActivityLogs` streams it to Event Hub. */
export function graphActivityRecord(args: GraphUse): Record<string, unknown> {
  const { caller, random } = args;
  const requestId = random.guid();
  const durationMs = random.int(40_000, 900_000);
  const apiVersion = args.request.uri.includes('/beta/') ? 'beta' : 'v1.0';
  const appOnly = caller.kind !== 'user';
  return {
    Level: 4,
    callerIpAddress: args.ip,
    category: 'MicrosoftGraphActivityLogs',
    correlationId: requestId,
    durationMs,
    location: args.location,
    operationName: 'Microsoft Graph Activity',
    operationVersion: apiVersion,
    properties: {
      apiVersion,
      appId: caller.appId,
      atContent: '',
      // 0 public client, 1 client secret, 2 certificate (managed identities authenticate with a certificate).
      clientAuthMethod: caller.kind === 'user' ? '0' : caller.kind === 'servicePrincipal' ? '1' : '2',
      clientRequestId: random.guid(),
      durationMs,
      identityProvider: STS(args.tenantId),
      ipAddress: args.ip,
      location: args.location,
      operationId: requestId,
      requestId,
      requestMethod: args.request.method,
      requestUri: args.request.uri,
      responseSizeBytes: random.int(180, 48_000),
      responseStatusCode: args.request.status,
      roles: appOnly ? args.request.roles : null,
      scopes: appOnly ? null : 'User.Read Directory.Read.All openid profile email',
      servicePrincipalId: appOnly ? caller.objectId : null,
      signInActivityId: args.grant.tokenId,
      tenantId: args.tenantId,
      timeGenerated: args.time,
      tokenIssuedAt: args.grant.iatTime,
      userAgent: args.userAgent,
      userId: appOnly ? null : caller.objectId,
      wids: appOnly ? '0997a1d0-0d1d-4acb-b408-d5ca73121e90' : 'b79fbf4d-3ef9-4689-8143-76b194e85509',
    },
    resourceId: AADIAM(args.tenantId).toUpperCase(),
    resultSignature: String(args.request.status),
    tenantId: args.tenantId,
    time: args.time,
  };
}

/**
 * The `identity.tokenHash` Storage logs an OAuth request's token by: the SHA-256 of the token, in
 * upper-case hex. The demo has no token bytes, so it hashes the token id instead: one hash per
 * token, and a test can tell which sign-in issued the token a Storage record names.
 */
export function storageTokenHash(grant: Pick<TokenGrant, 'tokenId'>): string {
  return createHash('sha256').update(grant.tokenId).digest('hex').toUpperCase();
}

/** `callerIpAddress` as Storage logs it, with the client's port: `13.80.4.7:51234`, `[2603:1020:200::7]:51234`. */
export function withPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** `lastModifiedTime` as Storage logs write it: US month/day/year, 12-hour clock (`3/1/2026 9:58:02 AM`). */
function usDateTime(ms: number): string {
  const d = new Date(ms);
  const hours = d.getUTCHours();
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hours % 12 === 0 ? 12 : hours % 12}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${hours < 12 ? 'AM' : 'PM'}`;
}

/** 2a2b9908-…: the built-in role "Storage Blob Data Reader". */
const STORAGE_BLOB_DATA_READER = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1';

export interface StorageUse extends TokenUse {
  /** ARM id of the storage account (`/subscriptions/…/storageAccounts/stcontosodata01`). */
  readonly accountId: string;
  /** Region of the storage account, the record's `location`. */
  readonly location: string;
  /** Container and blob name: `reports/2026/09/01/orders.csv`. */
  readonly blobPath: string;
  /** The client's source port (Storage logs the caller address with it). */
  readonly port: number;
  readonly userAgent: string;
  /** The role assignment that grants the read (fixed per principal); drawn per record when absent. */
  readonly roleAssignmentId?: string;
}

/**
 * A blob read over OAuth by a service principal or managed identity (`StorageRead`, `GetBlob`), as
 * diagnostic settings stream StorageBlobLogs to Event Hub: the caller is `identity.requester`, the
 * token is only its hash (`identity.tokenHash`), and `callerIpAddress` carries the client's port.
 * Shape of test/fixtures/audit/storage/getblob-mi-oauth-ipv4-port.json (Microsoft's "Azure Blob
 * Storage monitoring data reference").
 */
export function storageRecord(args: StorageUse): Record<string, unknown> {
  const { caller, random } = args;
  const account = args.accountId.slice(args.accountId.lastIndexOf('/') + 1);
  const ms = Date.parse(args.time.replace(/(\.\d{3})\d+Z$/, '$1Z'));
  const serverLatencyMs = random.int(3, 40);
  return {
    time: args.time,
    resourceId: `${args.accountId}/blobServices/default`,
    category: 'StorageRead',
    operationName: 'GetBlob',
    operationVersion: '2023-11-03',
    schemaVersion: '1.0',
    statusCode: 200,
    statusText: 'Success',
    durationMs: serverLatencyMs + random.int(1, 30),
    callerIpAddress: withPort(args.ip, args.port),
    correlationId: random.guid(),
    identity: {
      authorization: [
        {
          action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
          denyAssignmentId: '',
          principals: [{ id: caller.objectId, type: caller.kind === 'user' ? 'User' : 'ServicePrincipal' }],
          reason: 'Policy',
          result: 'Granted',
          roleAssignmentId: args.roleAssignmentId ?? random.guid(),
          roleDefinitionId: STORAGE_BLOB_DATA_READER,
          type: 'RBAC',
        },
      ],
      requester: {
        appId: caller.appId,
        audience: AUDIENCES.storage.aud,
        objectId: caller.objectId,
        tenantId: args.tenantId,
        tokenIssuer: STS(args.tenantId),
      },
      tokenHash: storageTokenHash(args.grant),
      type: 'OAuth',
    },
    location: args.location,
    properties: {
      accountName: account,
      userAgentHeader: args.userAgent,
      clientRequestId: random.guid(),
      etag: `"0x8DC${random.hex(12).toUpperCase()}"`,
      serviceType: 'blob',
      objectKey: `/${account}/${args.blobPath}`,
      lastModifiedTime: usDateTime(ms - random.int(1, 20) * 3_600_000),
      metricResponseType: 'Success',
      serverLatencyMs,
      requestHeaderSize: random.int(1400, 1700),
      responseHeaderSize: random.int(300, 420),
      responseBodySize: random.int(2_000, 900_000),
      tlsVersion: 'TLS 1.2',
      accessTier: 'Hot',
    },
    uri: `https://${account}.blob.core.windows.net:443/${args.blobPath}`,
    protocol: 'HTTPS',
    resourceType: 'Microsoft.Storage/storageAccounts/blobServices',
  };
}

export interface KeyVaultUse extends TokenUse {
  /** ARM id of the vault (`/subscriptions/…/vaults/kv-contoso-app`); the record writes it upper case. */
  readonly vaultId: string;
  readonly secretName: string;
  /** The secret's current version (32 hex digits): fixed per secret, not per read. */
  readonly secretVersion: string;
  /** The SDK's `clientInfo` (its user agent). */
  readonly clientInfo: string;
}

/**
 * A secret read (`SecretGet`) in the Key Vault `AuditEvent` log, Event Hub shape: the caller's
 * claims are `identity.claim` (object id, app id, the identity provider URL that names the
 * tenant, `xms_mirid` for managed identities), with no tenant-id claim and no token id at all.
 * Shape of test/fixtures/audit/keyvault/secretget-mi-issuer-only.json (Microsoft's Key Vault
 * logging page).
 */
export function keyVaultRecord(args: KeyVaultUse): Record<string, unknown> {
  const { caller, random } = args;
  const vault = args.vaultId.slice(args.vaultId.lastIndexOf('/') + 1);
  const claim: Record<string, string> = {
    [OBJECT_ID_CLAIM]: caller.objectId,
    appid: caller.appId,
    [IDP_CLAIM]: STS(args.tenantId),
  };
  if (caller.kind === 'managedIdentity') claim['xms_mirid'] = caller.resourceId;
  return {
    time: args.time,
    resourceId: args.vaultId.toUpperCase(),
    operationName: 'SecretGet',
    operationVersion: '7.4',
    category: 'AuditEvent',
    resultType: 'Success',
    resultSignature: 'OK',
    resultDescription: '',
    durationMs: String(random.int(4, 40)),
    callerIpAddress: args.ip,
    correlationId: random.guid(),
    identity: { claim },
    properties: {
      id: `https://${vault}.vault.azure.net/secrets/${args.secretName}/${args.secretVersion}`,
      clientInfo: args.clientInfo,
      httpStatusCode: 200,
      requestUri: `https://${vault}.vault.azure.net/secrets/${args.secretName}/?api-version=7.4`,
      isAccessPolicyMatch: true,
    },
  };
}
