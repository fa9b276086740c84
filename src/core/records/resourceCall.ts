import { boundId, boundTenantId, boundText } from '../bounds/textBounds';
import { OtherAuditEvent, ResourceRecordKeyParts, TokenUseEvent, type AuditEvent, type TokenUse } from './auditEvent';
import { isObject } from './envelope';
import { hasKeys, NO_FIELDS, objectOf, sharedTenantId, text, textField } from './fields';
import { makeReject, parsedValue, type Parsed, type Reject } from './reject';
import { parseTime } from './time';

const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TID_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid';
const IDP_CLAIM = 'http://schemas.microsoft.com/identity/claims/identityprovider';
const UPN_CLAIMS = ['upn', 'puid', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];

/**
 * An Entra issuer URL with the tenant as its first path segment: `https://sts.windows.net/<tid>/`
 * (v1 tokens, and the `identityprovider` claim), `https://login.microsoftonline.com/<tid>/v2.0`
 * (v2 tokens), the same on the national clouds' hosts. Only a GUID is taken: a tenant written as
 * a domain name (`contoso.onmicrosoft.com`) or anything else in that place is not a tenant id.
 */
const ISSUER_TENANT = /^https:\/\/[^/?#\s]+\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?#]|$)/i;

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
 *
 * Key Vault `AuditEvent` (Event Hub / storage-account shape) names its claims `identity.claim`
 * and often carries no tenant-id claim, only the issuer; the tenant is then taken from the
 * issuer URL (see callerTenantId). Example (abridged):
 * `{"time":"2026-03-01T10:05:00.1234567Z","category":"AuditEvent","operationName":"SecretGet",
 *   "resourceId":"/SUBSCRIPTIONS/<SUB>/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO",
 *   "resultType":"Success","resultSignature":"OK","durationMs":"9","callerIpAddress":"203.0.113.7",
 *   "identity":{"claim":{"oid":"<oid>","appid":"<client id>","xms_mirid":"/subscriptions/…",
 *   "http://schemas.microsoft.com/identity/claims/identityprovider":"https://sts.windows.net/<tid>/"}},
 *   "properties":{"id":"https://kv-contoso.vault.azure.net/secrets/db/…","clientInfo":"…","httpStatusCode":200}}`
 * Verified against Microsoft's Key Vault logging page (MicrosoftDocs/azure-docs
 * `articles/key-vault/general/logging.md`: `{"records":[…]}`, `identity.claim` with the
 * objectidentifier / xmlsoap upn / appid claims, upper-case `resourceId`, `durationMs` as a
 * string, `properties.{clientInfo, requestUri, id, httpStatusCode}`) and a public real SecretGet
 * record (code index, repository not exposed: claim `oid, appid, scp, upn, ipaddr, unique_name`).
 * `xms_mirid` on Key Vault records: the `identity_claim_xms_mirid_s` column of AzureDiagnostics,
 * used by several public Key Vault queries (code index).
 *
 * Storage (`StorageRead` / `StorageWrite` / `StorageDelete`) names the caller in
 * `identity.requester`, never carries `xms_mirid` or a token id, and logs `callerIpAddress` with
 * its port (`192.0.2.10:51234`, `[2001:db8::1]:443`), which the detector's parseIp reads past.
 * Only OAuth requests name a token: `identity.tokenHash` (SHA-256 of the token) then identifies it.
 * Shared-key, SAS and anonymous requests carry no requester and are counted as `storage.not-oauth`.
 * Example (abridged):
 * `{"time":"2026-03-01T10:05:00.1234567Z","category":"StorageRead","operationName":"GetBlob",
 *   "resourceId":"/subscriptions/<sub>/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stcontoso/blobServices/default",
 *   "statusCode":200,"statusText":"Success","callerIpAddress":"192.0.2.10:51234","correlationId":"<guid>",
 *   "identity":{"type":"OAuth","tokenHash":"<sha-256 hex>","authorization":[{"action":"…/blobs/read",
 *   "principals":[{"id":"<oid>","type":"ServicePrincipal"}],"result":"Granted","type":"RBAC"}],
 *   "requester":{"appId":"<client id>","audience":"https://storage.azure.com/","objectId":"<oid>",
 *   "tenantId":"<tid>","tokenIssuer":"https://sts.windows.net/<tid>/"}},
 *   "properties":{"accountName":"stcontoso","serviceType":"blob","objectKey":"/stcontoso/c/b"}}`
 * Verified against Microsoft's "Azure Blob Storage monitoring data reference" (MicrosoftDocs/azure-docs
 * `articles/storage/blobs/monitor-blob-storage-reference.md`: field names valid for storage and
 * Event Hub destinations; `identity.{authorization[], requester.{appId, audience, objectId,
 * tenantId, tokenIssuer, uniqueName}, delegatedResource, type}`) and its field table
 * (`includes/azure-storage-logs-properties-authentication.md`: `identity/type` OAuth, Kerberos,
 * SAS Key, Account Key or Anonymous; `tokenHash` formats `key1(<hash>)`, `key1(<hash>),SasSignature(<hash>)`,
 * OAuth = the SHA-256 of the token, none for other types; `requester/upn`), the StorageBlobLogs
 * table ("CallerIpAddress: the IP address of the requester, including the port number"), and two
 * public real records (code index: `shaN480/Dynatrace` `img/log1.sh`, `identity.type: "AccountKey"`,
 * `callerIpAddress: "10.50.0.204:38208"`; another with `"<Redacted>:62289"`).
 */
export function parseResourceCall(record: unknown, origin: string): Parsed<AuditEvent> {
  // Read directly from the record object: this parser runs for most records of a stream.
  const r: Readonly<Record<string, unknown>> = isObject(record) ? record : NO_FIELDS;
  // Every value kept is bounded (textBounds.ts): ids keep their identity, text is cut with a marker.
  const category = boundText(text(r['category']) ?? '');
  const timeMs = parseTime(r['time']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('activity.bad-time', 'The resource log record has no parseable time.', record, origin) };
  const identityFields = objectOf(r['identity']) ?? NO_FIELDS;
  const claims = claimsOf(identityFields);
  if (claims) return parseClaimsCall(r, record, origin, timeMs, category, claims, identityFields);
  // The requester may arrive as JSON text, as `identity` itself may, from exporters that serialise nested objects.
  const requester = objectOf(identityFields['requester']);
  if (requester !== undefined || isStorageCategory(category)) return parseRequesterCall(r, record, origin, timeMs, category, identityFields, requester ?? NO_FIELDS);
  return parsedValue(new OtherAuditEvent(timeMs, boundTenantId((text(r['tenantId']) ?? '').toLowerCase()), category, 'activity.no-caller-token'));
}

/** Activity log and Key Vault: the caller is the token's claims. */
function parseClaimsCall(
  r: Readonly<Record<string, unknown>>,
  record: unknown,
  origin: string,
  timeMs: number,
  category: string,
  claims: Readonly<Record<string, unknown>>,
  identity: Readonly<Record<string, unknown>>,
): Parsed<AuditEvent> {
  const objectId = boundId((text(claims[OID_CLAIM]) ?? text(claims['oid']))?.toLowerCase() ?? '');
  const appId = boundId((text(claims['appid']) ?? text(claims['azp']))?.toLowerCase() ?? '');
  if (!objectId && !appId) {
    return { ok: false, reject: makeReject('activity.no-caller-id', 'The caller claims carry neither an object id nor an app id.', record, origin) };
  }
  const claimedTenant = callerTenantId(claims, objectOf(identity['requester']), r)?.toLowerCase();
  const tenantId = claimedTenant === undefined ? undefined : boundTenantId(claimedTenant);
  const principalType = principalTypeOf(claims, identity);
  // A user's use is never judged, so naming no tenant loses nothing: Key Vault's user claims
  // (oid, upn, appid) often name none. A workload's use naming none (Key Vault logs only a few
  // claims: oid, appid, appidacr, xms_mirid) is kept with tenant '': state is kept per tenant, and
  // the app judges it in the deployment's tenant or rejects it (app/tenantlessRecords.ts).
  if (!tenantId && principalType === 'user') return parsedValue(new OtherAuditEvent(timeMs, '', category, 'use.user-without-tenant'));
  const callerIp = boundText(text(r['callerIpAddress']) ?? text(claims['ipaddr']) ?? '');
  const operation = boundText(text(r['operationName']) ?? textField(r, 'properties', 'operationName') ?? '');
  const tokenId = boundId(text(claims['uti']) ?? '');
  // The Event Hub shape of the Activity log has no eventDataId: the key is nearly always these
  // values, which Log Analytics keeps too (AzureActivity, AzureDiagnostics, AZKVAuditLogs), so a
  // row and its Event Hub twin give one alert id; the resource id is read without case (see
  // ResourceRecordKeyParts). The result is not among them: whether AzureActivity's
  // ActivityStatusValue holds the Event Hub `resultType` verbatim is not documented (public queries
  // compare it with "Success" and with "Succeeded"), and correlation id, operation, time, caller and
  // token already tell an operation's Start and Success events apart unless they share a millisecond.
  const recordKey = text(r['eventDataId']) ?? new ResourceRecordKeyParts(text(r['correlationId']) ?? '', operation, text(r['resourceId']) ?? '', timeMs, callerIp, tokenId);
  return parsedValue(
    new TokenUseEvent(
      timeMs,
      tenantId ? sharedTenantId(tenantId) : '',
      objectId,
      appId,
      tokenId,
      /* tokenHash */ '',
      callerIp,
      /* miResourceId */ boundId(text(claims['xms_mirid']) ?? ''),
      principalType,
      /* issuedAtMs */ parseTime(claims['iat']),
      category,
      operation,
      recordKey,
    ),
  );
}

/**
 * Storage (and any other log naming its caller in `identity.requester`): no claims, no token id,
 * no `xms_mirid`; an OAuth request's token is told apart by `identity.tokenHash`.
 */
function parseRequesterCall(
  r: Readonly<Record<string, unknown>>,
  record: unknown,
  origin: string,
  timeMs: number,
  category: string,
  identity: Readonly<Record<string, unknown>>,
  requester: Readonly<Record<string, unknown>>,
): Parsed<AuditEvent> {
  const objectId = boundId(text(requester['objectId'])?.toLowerCase() ?? '');
  const appId = boundId(text(requester['appId'])?.toLowerCase() ?? '');
  const oauth = isOAuth(identity, r);
  if (isStorageCategory(category) && ((!objectId && !appId) || !oauth)) {
    // Shared key, SAS and anonymous requests present no token (and name no requester); Kerberos
    // (Azure Files over SMB) names a domain user. None is a Managed Identity token's use.
    return parsedValue(new OtherAuditEvent(timeMs, boundTenantId((callerTenantId(undefined, requester, r) ?? '').toLowerCase()), category, 'storage.not-oauth'));
  }
  if (!objectId && !appId) {
    return { ok: false, reject: makeReject('activity.no-caller-id', 'The requester carries neither an object id nor an app id.', record, origin) };
  }
  const requesterTenant = callerTenantId(undefined, requester, r)?.toLowerCase();
  const tenantId = requesterTenant === undefined ? undefined : boundTenantId(requesterTenant);
  // State is kept per tenant: a use that names none cannot be judged against any baseline.
  if (!tenantId) return { ok: false, reject: noTenant(record, origin) };
  const callerIp = boundText(text(r['callerIpAddress']) ?? '');
  const operation = boundText(text(r['operationName']) ?? '');
  const tokenHash = oauth ? boundId(text(identity['tokenHash']) ?? '') : '';
  // Storage's correlationId is the request id (x-ms-request-id): unique per request. The resource
  // id is read without case: StorageBlobLogs keeps only the lower-case `_ResourceId`.
  const recordKey = new ResourceRecordKeyParts(text(r['correlationId']) ?? '', operation, text(r['resourceId']) ?? '', timeMs, text(r['statusCode']) ?? '', callerIp, tokenHash);
  return parsedValue(
    new TokenUseEvent(
      timeMs,
      sharedTenantId(tenantId),
      objectId,
      appId,
      /* tokenId */ '',
      tokenHash,
      callerIp,
      /* miResourceId: Storage logs never carry xms_mirid */ '',
      requesterPrincipalType(requester, identity),
      /* issuedAtMs */ undefined,
      category,
      operation,
      recordKey,
    ),
  );
}

/** The reject of a use whose tenant is named nowhere and cannot be inferred (see app/tenantlessRecords.ts). */
export function noTenant(record: unknown, origin: string): Reject {
  return makeReject(
    'activity.no-tenant',
    'Neither the caller (tid, tenant-id claim, issuer, requester) nor the record names a tenant, and none is configured (TOKENWATCH_HOME_TENANT_ID; replay: --tenant).',
    record,
    origin,
  );
}

/**
 * The caller's tenant, first found of: `tid`, the tenant-id claim, the GUID in the `iss` or the
 * `identityprovider` URL (Key Vault records often carry only these), the requester's `tenantId`
 * and then its `tokenIssuer` URL (Storage), the record's `tenantId`. The issuer comes before the
 * identity provider: for a guest the identity provider is the guest's home tenant, the issuer the
 * tenant that issued the token. Activity records carry the tenant-id claim, so they stop there.
 */
function callerTenantId(claims: Readonly<Record<string, unknown>> | undefined, requester: unknown, r: Readonly<Record<string, unknown>>): string | undefined {
  if (claims) {
    const fromClaims = text(claims['tid']) ?? text(claims[TID_CLAIM]) ?? tenantIdOfIssuer(claims['iss']) ?? tenantIdOfIssuer(claims[IDP_CLAIM]);
    if (fromClaims !== undefined) return fromClaims;
  }
  if (isObject(requester)) {
    const fromRequester = text(requester['tenantId']) ?? tenantIdOfIssuer(requester['tokenIssuer']);
    if (fromRequester !== undefined) return fromRequester;
  }
  return text(r['tenantId']);
}

/** The tenant GUID of an Entra issuer URL (see ISSUER_TENANT), or undefined. */
export function tenantIdOfIssuer(value: unknown): string | undefined {
  const url = text(value);
  return url === undefined ? undefined : ISSUER_TENANT.exec(url)?.[1];
}

/** The Storage categories (StorageBlobLogs, and the queue, table and file logs alike). */
function isStorageCategory(category: string): boolean {
  return category === 'StorageRead' || category === 'StorageWrite' || category === 'StorageDelete';
}

/**
 * `identity.type` (`OAuth`, `Kerberos`, `SAS`, `AccountKey`, `Anonymous`), or a top-level
 * `authenticationType` (the Log Analytics column's name; not in Microsoft's Event Hub example,
 * read in case an exporter flattens it). A record that says neither is taken as OAuth: its caller
 * then has to name a requester, which only token requests carry.
 */
function isOAuth(identity: Readonly<Record<string, unknown>>, r: Readonly<Record<string, unknown>>): boolean {
  const type = text(identity['type']) ?? text(r['authenticationType']);
  return type === undefined || type.toLowerCase() === 'oauth';
}

/**
 * A requester with a user principal name (`upn`, or `uniqueName` as in Microsoft's example) is a
 * user; otherwise the first authorizing principal's type says it (`User`, `ServicePrincipal`).
 * A `Group` principal says nothing: an identity may hold its role through a group.
 */
function requesterPrincipalType(requester: Readonly<Record<string, unknown>>, identity: Readonly<Record<string, unknown>>): TokenUse['principalType'] {
  if (text(requester['upn']) !== undefined || text(requester['uniqueName']) !== undefined) return 'user';
  const type = firstPrincipalType(identity)?.toLowerCase();
  if (type === 'user') return 'user';
  if (type === 'serviceprincipal') return 'app';
  return 'unknown';
}

/** `identity.authorization[0].principals[0].type`, read without copying the arrays. */
function firstPrincipalType(identity: Readonly<Record<string, unknown>>): string | undefined {
  const authorization = identity['authorization'];
  const first: unknown = Array.isArray(authorization) ? authorization[0] : undefined;
  const principals = isObject(first) ? first['principals'] : undefined;
  const principal: unknown = Array.isArray(principals) ? principals[0] : undefined;
  return isObject(principal) ? text(principal['type']) : undefined;
}

/**
 * The caller's token claims; undefined when there are none. Key Vault spells it `claim`, the
 * Activity log `claims`. Empty claims name no caller (platform-initiated Administrative and Policy
 * events; AzureActivity stores them so for Service Health too), as a record without them does.
 */
function claimsOf(identity: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const claims = objectOf(identity['claims'] ?? identity['claim']);
  return claims !== undefined && hasKeys(claims) ? claims : undefined;
}

function principalTypeOf(claims: Readonly<Record<string, unknown>>, identity: Readonly<Record<string, unknown>>): TokenUse['principalType'] {
  const idtyp = text(claims['idtyp'])?.toLowerCase();
  if (idtyp === 'app') return 'app';
  if (idtyp === 'user') return 'user';
  if (UPN_CLAIMS.some((c) => text(claims[c]) !== undefined)) return 'user';
  const evidence = textField(identity, 'authorization', 'evidence', 'principalType')?.toLowerCase();
  if (evidence === 'serviceprincipal') return 'app';
  if (evidence === 'user' || evidence === 'group') return 'user';
  if (text(claims['xms_mirid'])) return 'app';
  if (text(claims['appidacr']) !== undefined && text(claims['scp']) === undefined) return 'app';
  return 'unknown';
}
