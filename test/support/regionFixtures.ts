import { makeIpClassifier } from '../../src/app/ipClassifier';
import { AsnLookup } from '../../src/core/network/asnLookup';
import { CidrSet } from '../../src/core/network/cidrSet';
import { parseIp } from '../../src/core/network/ip';
import type { IpClassifier, ServiceTagsInfo } from '../../src/core/remoteUse/settings';
import { TENANT, TEST_ASN_RANGES, type TestIdentity } from './auditFixtures';

/**
 * Documentation addresses placed in Azure regions, for the region and replay rules: 192.0.2.0/24
 * is AS8075 in the test ASN table (auditFixtures); these blocks split it into regional tags the
 * way `AzureCloud.<region>` tags split Microsoft's space, and add an IPv6 block of each region and
 * an AS8068 block that no regional tag holds.
 */
export const WESTEUROPE_IP = '192.0.2.10';
export const WESTEUROPE_IP_2 = '192.0.2.20';
export const WESTEUROPE_IP_3 = '192.0.2.30';
export const WESTEUROPE_IP6 = '2001:db8:a::10';
export const EASTUS_IP = '192.0.2.140';
export const EASTUS_IP_2 = '192.0.2.150';
/** AS8075 but in no regional tag: judged by its ASN. */
export const UNTAGGED_AZURE_IP = '192.0.2.200';
/** AS8068 (Microsoft), in no regional tag. */
export const OTHER_MICROSOFT_IP6 = '2001:db8:8068::5';

export const REGION_BLOCKS: Readonly<Record<string, readonly string[]>> = {
  westeurope: ['192.0.2.0/25', '2001:db8:a::/48'],
  eastus: ['192.0.2.128/26', '2001:db8:e::/48'],
};

const asnLookup = AsnLookup.fromRanges([
  ...TEST_ASN_RANGES,
  { cidr: '2001:db8:a::/48', asn: 8075, organization: 'Microsoft Corporation' },
  { cidr: '2001:db8:e::/48', asn: 8075, organization: 'Microsoft Corporation' },
  { cidr: '2001:db8:8068::/48', asn: 8068, organization: 'Microsoft Corporation' },
]);
const regionSets = Object.entries(REGION_BLOCKS).map(([region, cidrs]) => [region, CidrSet.from([...cidrs])] as const);

/** The classifier with regions, as service tags give them. */
export function regionClassifier(): IpClassifier {
  const plain = makeIpClassifier({ asnLookup });
  const memo = new Map<string, ReturnType<IpClassifier>>();
  return (raw) => {
    let facts = memo.get(raw);
    if (!facts) {
      const base = plain(raw);
      const ip = parseIp(raw);
      const region = base.scope === 'azure' && ip ? regionSets.find(([, set]) => set.contains(ip))?.[0] ?? '' : '';
      facts = { ...base, region };
      memo.set(raw, facts);
    }
    return facts;
  };
}

/** The same ASN table without regions: Azure addresses are judged by ASN. */
export function asnOnlyClassifier(): IpClassifier {
  return makeIpClassifier({ asnLookup });
}

export const TEST_SERVICE_TAGS: ServiceTagsInfo = { changeNumber: 375, retrievedAtMs: Date.UTC(2026, 2, 1), regionCount: 2 };

const iso7 = (ms: number): string => new Date(ms).toISOString().replace('Z', '0000Z');

/** A Storage `GetBlob` by a Managed Identity over OAuth (StorageRead, Event Hub shape); `ip` may carry a port. */
export function storageUse(id: TestIdentity, ms: number, ip: string, tokenHash: string): Record<string, unknown> {
  return {
    time: iso7(ms),
    resourceId: '/subscriptions/c0ffee00-0000-4000-8000-000000000003/resourceGroups/rg-contoso/providers/Microsoft.Storage/storageAccounts/stcontoso/blobServices/default',
    category: 'StorageRead',
    operationName: 'GetBlob',
    operationVersion: '2023-11-03',
    schemaVersion: '1.0',
    statusCode: 200,
    statusText: 'Success',
    durationMs: 12,
    callerIpAddress: ip,
    correlationId: `c3${ms.toString(16)}`,
    identity: {
      authorization: [{ action: 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', principals: [{ id: id.objectId, type: 'ServicePrincipal' }], result: 'Granted', type: 'RBAC' }],
      requester: { appId: id.appId, audience: 'https://storage.azure.com/', objectId: id.objectId, tenantId: TENANT, tokenIssuer: `https://sts.windows.net/${TENANT}/` },
      tokenHash,
      type: 'OAuth',
    },
    location: 'westeurope',
    properties: { accountName: 'stcontoso', serviceType: 'blob', objectKey: '/stcontoso/data/report.csv' },
    uri: 'https://stcontoso.blob.core.windows.net:443/data/report.csv',
    protocol: 'HTTPS',
  };
}

/** A Key Vault `SecretGet` (AuditEvent, Event Hub shape) whose claims name the tenant by issuer only. */
export function keyVaultUse(id: TestIdentity, ms: number, ip: string, options: { withMirid?: boolean } = {}): Record<string, unknown> {
  const claim: Record<string, string> = {
    'http://schemas.microsoft.com/identity/claims/objectidentifier': id.objectId,
    appid: id.appId,
    'http://schemas.microsoft.com/identity/claims/identityprovider': `https://sts.windows.net/${TENANT}/`,
  };
  if (options.withMirid !== false) claim['xms_mirid'] = id.resourceId;
  return {
    time: iso7(ms),
    resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG-CONTOSO/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO',
    operationName: 'SecretGet',
    operationVersion: '7.4',
    category: 'AuditEvent',
    resultType: 'Success',
    resultSignature: 'OK',
    durationMs: '9',
    callerIpAddress: ip,
    correlationId: `c4${ms.toString(16)}`,
    identity: { claim },
    properties: { id: 'https://kv-contoso.vault.azure.net/secrets/db-password/0011', httpStatusCode: 200, requestUri: 'https://kv-contoso.vault.azure.net/secrets/db-password/?api-version=7.4' },
  };
}
