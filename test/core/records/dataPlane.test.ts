import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, TokenUse } from '../../../src/core/records/auditEvent';
import { parseAuditRecord } from '../../../src/core/records/auditRecord';
import { decodeMessage } from '../../../src/core/records/envelope';
import type { Parsed } from '../../../src/core/records/reject';
import { tenantIdOfIssuer } from '../../../src/core/records/resourceCall';
import { testClassifier } from '../../support/auditFixtures';

/**
 * The data plane (Key Vault `AuditEvent`, Storage `StorageRead/Write/Delete`) is judged like the
 * Activity log and Graph: token uses with the caller's tenant, ids, address and token.
 * Fixtures under test/fixtures/audit follow Microsoft's documented Event Hub shapes (see the doc
 * comment of parseResourceCall for what was verified where).
 */

const TENANT = '4a5b6c7d-0000-4000-8000-00000000c0de';
const OTHER_TENANT = '9e8d7c6b-0000-4000-8000-0000000000ff';
const OID = '0b1ec7a1-0000-4000-8000-000000000001';
const APP = 'a99c1da1-0000-4000-8000-000000000002';
const MIRID = '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-contoso-orders';
const TID_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid';
const IDP_CLAIM = 'http://schemas.microsoft.com/identity/claims/identityprovider';
const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TOKEN_HASH = '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08';

/** A Key Vault AuditEvent (Event Hub shape) with the given claims. */
function keyVault(claim: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-03-01T10:05:00.1234567Z',
    resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG-CONTOSO/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO',
    operationName: 'SecretGet',
    category: 'AuditEvent',
    resultType: 'Success',
    resultSignature: 'OK',
    durationMs: '9',
    callerIpAddress: '203.0.113.7',
    correlationId: '',
    identity: { claim: { [OID_CLAIM]: OID, appid: APP, ...claim } },
    properties: { id: 'https://kv-contoso.vault.azure.net/secrets/db/0123', clientInfo: 'azsdk-net-Security.KeyVault.Secrets/4.6.0', httpStatusCode: 200, requestUri: 'https://kv-contoso.vault.azure.net/secrets/db/?api-version=7.4' },
    ...extra,
  };
}

/** A Storage GetBlob (Event Hub shape); `identity` replaces the OAuth identity when given. */
function storage(requester: Record<string, unknown> | undefined, identity: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    time: '2026-03-01T10:05:00.1234567Z',
    resourceId: '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourceGroups/rg-contoso/providers/Microsoft.Storage/storageAccounts/stcontoso/blobServices/default',
    category: 'StorageRead',
    operationName: 'GetBlob',
    statusCode: 200,
    statusText: 'Success',
    callerIpAddress: '198.51.100.23:51234',
    correlationId: '8e5f4a2b-701e-0042-3a1c-6b0e7d000001',
    identity: {
      type: 'OAuth',
      tokenHash: TOKEN_HASH,
      authorization: [{ action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', principals: [{ id: OID, type: 'ServicePrincipal' }], result: 'Granted', type: 'RBAC' }],
      ...(requester ? { requester } : {}),
      ...identity,
    },
    properties: { accountName: 'stcontoso', serviceType: 'blob', objectKey: '/stcontoso/c/b' },
    ...extra,
  };
}

const miRequester = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  appId: APP,
  audience: 'https://storage.azure.com/',
  objectId: OID,
  tenantId: TENANT,
  tokenIssuer: `https://sts.windows.net/${TENANT}/`,
  ...extra,
});

function parse(record: unknown): Parsed<AuditEvent> {
  const result = parseAuditRecord(record, 'test');
  if (!result) throw new Error('not routed');
  return result;
}

function use(record: unknown): TokenUse {
  const result = parse(record);
  if (!result.ok) throw new Error(`rejected: ${result.reject.reason}`);
  if (result.value.kind !== 'use') throw new Error(`not a use: ${result.value.kind}`);
  return result.value;
}

describe('tenantIdOfIssuer: only a GUID in the first path segment of an https URL', () => {
  it.each([
    [`https://sts.windows.net/${TENANT}/`, TENANT],
    [`https://login.microsoftonline.com/${TENANT}/v2.0`, TENANT],
    [`https://sts.chinacloudapi.cn/${TENANT}/`, TENANT],
    [`https://sts.windows.net/${TENANT}`, TENANT],
    [`https://sts.windows.net/${TENANT.toUpperCase()}/`, TENANT.toUpperCase()],
    [`https://sts.windows.net/contoso.onmicrosoft.com/`, undefined],
    [`https://sts.windows.net/${TENANT}x/`, undefined],
    [`https://sts.windows.net/${TENANT.slice(0, -1)}/`, undefined],
    [`https://sts.windows.net/common/${TENANT}/`, undefined],
    [`http://sts.windows.net/${TENANT}/`, undefined],
    [`sts.windows.net/${TENANT}/`, undefined],
    [TENANT, undefined],
    ['live.com', undefined],
    ['', undefined],
    [42, undefined],
    [undefined, undefined],
  ])('%j -> %s', (issuer, tenant) => {
    expect(tenantIdOfIssuer(issuer)).toBe(tenant);
  });
});

describe('the tenant of a use, first found of tid, the tenant-id claim, iss, identityprovider, the requester, the record', () => {
  const sts = (t: string): string => `https://sts.windows.net/${t}/`;
  it.each([
    ['tid', keyVault({ tid: TENANT }), TENANT],
    ['the tenant-id claim', keyVault({ [TID_CLAIM]: TENANT }), TENANT],
    ['tid before the tenant-id claim', keyVault({ tid: TENANT, [TID_CLAIM]: OTHER_TENANT }), TENANT],
    ['the tenant-id claim before the issuer', keyVault({ [TID_CLAIM]: TENANT, iss: sts(OTHER_TENANT) }), TENANT],
    ['iss (v1)', keyVault({ iss: sts(TENANT) }), TENANT],
    ['iss (v2)', keyVault({ iss: `https://login.microsoftonline.com/${TENANT}/v2.0` }), TENANT],
    ['iss, upper case, as lower case', keyVault({ iss: sts(TENANT.toUpperCase()) }), TENANT],
    ['identityprovider (Key Vault, issuer only)', keyVault({ [IDP_CLAIM]: sts(TENANT) }), TENANT],
    ["iss before identityprovider (a guest's home tenant)", keyVault({ iss: sts(TENANT), [IDP_CLAIM]: sts(OTHER_TENANT) }), TENANT],
    ['identityprovider after a bad iss', keyVault({ iss: 'https://sts.windows.net/contoso.onmicrosoft.com/', [IDP_CLAIM]: sts(TENANT) }), TENANT],
    ['the requester after claims without a tenant', keyVault({ iss: 'not a url' }, { identity: { claim: { [OID_CLAIM]: OID, appid: APP }, requester: { tenantId: TENANT } } }), TENANT],
    ["the record's tenantId after a bad issuer", keyVault({ iss: 'https://sts.windows.net/not-a-guid/', [IDP_CLAIM]: 'live.com' }, { tenantId: TENANT }), TENANT],
    ["the requester's tenantId (Storage)", storage(miRequester()), TENANT],
    ["the requester's tokenIssuer (Storage)", storage(miRequester({ tenantId: undefined })), TENANT],
    ["the record's tenantId (Storage)", storage(miRequester({ tenantId: undefined, tokenIssuer: undefined }), {}, { tenantId: TENANT }), TENANT],
  ])('%s', (_name, record, tenant) => {
    expect(use(record).tenantId).toBe(tenant);
  });

  it.each([
    // Key Vault logs a few claims only (oid, appid, appidacr, xms_mirid): the app judges such a use
    // in the deployment's tenant or rejects it (app/tenantlessRecords.ts), the parser names none.
    ['Key Vault claims naming no tenant', keyVault({ xms_mirid: MIRID, appidacr: '2' })],
    ['a bad issuer URL and nothing else', keyVault({ iss: `https://sts.windows.net/${TENANT}0/` })],
    ['an issuer over http', keyVault({ iss: `http://sts.windows.net/${TENANT}/` })],
  ])('%s is a use in no tenant (never a guessed one)', (_name, record) => {
    expect(use(record)).toMatchObject({ kind: 'use', tenantId: '', objectId: OID });
  });

  it('a Storage requester naming no tenant is rejected as activity.no-tenant', () => {
    expect(parse(storage(miRequester({ tenantId: undefined, tokenIssuer: 'https://sts.windows.net/contoso.com/' })))).toMatchObject({ ok: false, reject: { reason: 'activity.no-tenant' } });
  });

  it("a user's Key Vault read naming no tenant is counted, not rejected: users are never judged", () => {
    const parsed = parse(keyVault({ upn: 'adele.vance@contoso.com' }));
    expect(parsed).toMatchObject({ ok: true, value: { kind: 'other', note: 'use.user-without-tenant', category: 'AuditEvent' } });
  });

  it('an Activity record still takes its tenant from the tenant-id claim', () => {
    const record = { time: '2026-03-01T10:05:00Z', category: 'Administrative', callerIpAddress: '203.0.113.5', operationName: 'X', identity: { claims: { [OID_CLAIM]: OID, appid: APP, [TID_CLAIM]: TENANT.toUpperCase() } } };
    expect(use(record).tenantId).toBe(TENANT);
  });
});

describe('the caller address: logged with its port, classified as the address', () => {
  it.each([
    ['IPv4 with a port', '198.51.100.23:51234', '198.51.100.23', 64500],
    ['IPv6 with a port', '[2001:db8:2::66]:443', '2001:db8:2::66', 64502],
    ['IPv4 without a port', '198.51.100.23', '198.51.100.23', 64500],
  ])('%s', (_name, logged, address, asn) => {
    const e = use(storage(miRequester(), {}, { callerIpAddress: logged }));
    // Kept as logged (an analyst sees what the log said); a number only for the plain dotted quad.
    expect(e.callerIp).toBe(logged);
    expect(e.callerIpv4 === undefined).toBe(logged !== address);
    // The detector classifies the logged text through the classifier (classifyIp -> parseIp):
    // with and without the port it is one address, one ASN, one baseline entry.
    expect(testClassifier(e.callerIp)).toMatchObject({ ip: address, asn });
    expect(testClassifier(e.callerIp).ip).toBe(testClassifier(address).ip);
  });

  it('a Key Vault caller address is read as logged', () => {
    expect(use(keyVault({ tid: TENANT })).callerIp).toBe('203.0.113.7');
  });
});

describe('tokenHash and the token', () => {
  it.each([
    ['an OAuth Storage request carries identity.tokenHash', storage(miRequester()), TOKEN_HASH, ''],
    ['a Storage request that does not say its type is taken as OAuth when it names a requester', storage(miRequester(), { type: undefined }), TOKEN_HASH, ''],
    ['an OAuth Storage request without a hash carries none', storage(miRequester(), { tokenHash: undefined }), '', ''],
    ['a Key Vault use has a token id, never a hash', keyVault({ tid: TENANT, uti: 'AbCdEf0123456789_-xyzQ' }), '', 'AbCdEf0123456789_-xyzQ'],
  ])('%s', (_name, record, tokenHash, tokenId) => {
    expect(use(record)).toMatchObject({ tokenHash, tokenId });
  });

  it('a requester serialised as JSON text (exporters that flatten nested objects) is read as the object', () => {
    const asObject = use(storage(miRequester()));
    const asText = use(storage(miRequester(), { requester: JSON.stringify(miRequester()) }));
    expect(asText).toMatchObject({ objectId: OID, appId: APP, tenantId: TENANT, tokenHash: TOKEN_HASH, callerIp: asObject.callerIp });
  });

  it('two requests with the same token share the hash; the record key tells the requests apart', () => {
    const a = use(storage(miRequester()));
    const b = use(storage(miRequester(), {}, { correlationId: '8e5f4a2b-701e-0042-3a1c-6b0e7d000002' }));
    expect(a.tokenHash).toBe(b.tokenHash);
    expect(a.recordKey).not.toEqual(b.recordKey);
  });
});

describe('xms_mirid: present on Managed Identity tokens, absent from Storage logs', () => {
  it.each([
    ['Key Vault with xms_mirid', keyVault({ tid: TENANT, xms_mirid: MIRID }), MIRID, 'app'],
    ['Key Vault without xms_mirid (app-only token)', keyVault({ tid: TENANT, appidacr: '2' }), '', 'app'],
    ['Key Vault without xms_mirid or any type hint', keyVault({ tid: TENANT }), '', 'unknown'],
    ['Storage (never xms_mirid), service principal', storage(miRequester()), '', 'app'],
    ['Storage without authorization principals', storage(miRequester(), { authorization: undefined }), '', 'unknown'],
    ['Storage whose role is held through a group', storage(miRequester(), { authorization: [{ principals: [{ id: OID, type: 'Group' }] }] }), '', 'unknown'],
  ])('%s', (_name, record, miResourceId, principalType) => {
    expect(use(record)).toMatchObject({ objectId: OID, appId: APP, miResourceId, principalType });
  });
});

describe('users', () => {
  it.each([
    ['Key Vault, upn claim', keyVault({ tid: TENANT, upn: 'adele.vance@contoso.com' })],
    ['Key Vault, xmlsoap upn claim', keyVault({ tid: TENANT, 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn': 'adele.vance@contoso.com' })],
    ['Storage, requester upn', storage(miRequester({ upn: 'adele.vance@contoso.com' }))],
    ['Storage, requester uniqueName (Microsoft example)', storage(miRequester({ uniqueName: 'adele.vance@contoso.com' }))],
    ['Storage, principal of type User', storage(miRequester(), { authorization: [{ principals: [{ id: OID, type: 'User' }] }] })],
  ])('%s is a user', (_name, record) => {
    expect(use(record).principalType).toBe('user');
  });
});

describe('Storage requests without a token are counted, never rejected', () => {
  it.each([
    ['shared key', storage(undefined, { type: 'AccountKey', tokenHash: 'key1(3A6FEB12342672AFD40072B70D4A91B05CDF797EC56BF82B2C3635CE5A1E3430)', authorization: undefined })],
    ['SAS', storage(undefined, { type: 'SAS', tokenHash: 'key1(0A0E),SasSignature(04D6)', authorization: undefined })],
    ['anonymous', storage(undefined, { type: 'Anonymous', tokenHash: undefined, authorization: undefined })],
    ['Kerberos (Azure Files), naming a domain user', storage(miRequester({ appId: undefined }), { type: 'Kerberos', tokenHash: undefined }, { category: 'StorageWrite' })],
    ['OAuth with a requester naming no id', storage({ audience: 'https://storage.azure.com/', tenantId: TENANT })],
    ['no identity at all', storage(undefined, {}, { identity: undefined, category: 'StorageDelete' })],
  ])('%s', (_name, record) => {
    expect(parse(record)).toMatchObject({ ok: true, value: { kind: 'other', note: 'storage.not-oauth' } });
  });

  it('keeps the tenant the requester names', () => {
    expect(parse(storage(miRequester({ appId: undefined }), { type: 'Kerberos' }))).toMatchObject({ ok: true, value: { kind: 'other', tenantId: TENANT } });
  });
});

const FIXTURES = path.resolve(__dirname, '../../fixtures/audit');

function fixtureRecords(file: string): readonly unknown[] {
  const decoded = decodeMessage(readFileSync(path.join(FIXTURES, file), 'utf8'), file);
  expect(decoded.rejects).toEqual([]);
  return decoded.records;
}

const common = { tenantId: TENANT, kind: 'use' } as const;

/** Each fixture file and what its one record parses to. */
const FIXTURE_CASES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  [
    'keyvault/secretget-user-assigned-mi.json',
    { ...common, category: 'AuditEvent', operation: 'SecretGet', objectId: OID, appId: APP, callerIp: '203.0.113.7', callerIpv4: 0xcb00_7107, tokenHash: '', miResourceId: MIRID, principalType: 'app' },
  ],
  [
    'keyvault/secretget-system-assigned-mi-no-mirid.json',
    { ...common, operation: 'SecretGet', objectId: '0b1ec7b2-0000-4000-8000-000000000001', appId: 'a99c1db2-0000-4000-8000-000000000002', callerIp: '192.0.2.44', miResourceId: '', principalType: 'app' },
  ],
  [
    'keyvault/secretget-mi-issuer-only.json',
    {
      ...common,
      objectId: '0b1ec7c3-0000-4000-8000-000000000001',
      callerIp: '198.51.100.23',
      miResourceId: '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourcegroups/rg-contoso/providers/Microsoft.Web/sites/func-contoso-billing',
      principalType: 'app',
    },
  ],
  ['keyvault/secretget-user-upn.json', { ...common, objectId: '0b1ec7d4-0000-4000-8000-000000000001', callerIp: '198.51.100.77', miResourceId: '', principalType: 'user' }],
  [
    'storage/getblob-mi-oauth-ipv4-port.json',
    {
      ...common,
      category: 'StorageRead',
      operation: 'GetBlob',
      objectId: '0b1ec7e5-0000-4000-8000-000000000001',
      appId: 'a99c1de5-0000-4000-8000-000000000002',
      tokenId: '',
      tokenHash: TOKEN_HASH,
      callerIp: '198.51.100.23:51234',
      callerIpv4: undefined,
      miResourceId: '',
      principalType: 'app',
      issuedAtMs: undefined,
    },
  ],
  [
    'storage/getblob-mi-oauth-ipv6-port.json',
    { ...common, objectId: '0b1ec7e5-0000-4000-8000-000000000001', tokenHash: '2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE', callerIp: '[2001:db8:2::66]:50432', miResourceId: '', principalType: 'app' },
  ],
  ['storage/getblob-user-oauth.json', { ...common, objectId: '0b1ec7f6-0000-4000-8000-000000000001', callerIp: '198.51.100.77:61020', principalType: 'user' }],
  ['storage/getblob-account-key.json', { kind: 'other', note: 'storage.not-oauth', category: 'StorageRead' }],
  ['storage/getblob-sas.json', { kind: 'other', note: 'storage.not-oauth' }],
  ['storage/getblob-anonymous.json', { kind: 'other', note: 'storage.not-oauth' }],
];

describe('fixtures (Event Hub bodies): every record parses with zero rejects', () => {
  it.each(FIXTURE_CASES)('%s', (file, expected) => {
    const parsed = fixtureRecords(file).map((r) => parse(r));
    expect(parsed).toHaveLength(1);
    expect(parsed.filter((p) => !p.ok)).toEqual([]);
    expect(parsed[0]).toMatchObject({ ok: true, value: expected });
  });

  it('every fixture file has a case', () => {
    const files = ['keyvault', 'storage'].flatMap((dir) => readdirSync(path.join(FIXTURES, dir)).map((f) => `${dir}/${f}`));
    expect(files.sort()).toEqual(FIXTURE_CASES.map(([file]) => file).sort());
  });
});
