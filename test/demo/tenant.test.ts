import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAuditRecord } from '../../src/core/records/auditRecord';
import { parseAzureCloudRanges } from '../../src/core/network/serviceTags';
import { AUDIENCES, storageTokenHash } from '../../src/demo/azureRecords';
import { ANONYMISER_BLOCKS, AZURE_BLOCKS, AZURE_IPV6_BLOCKS, AZURE_REGIONS, STORY_HOSTING_BLOCKS } from '../../src/demo/networks';
import { generateDemoTenant, LEARNING_PERIOD_MS, type DemoTenant, type PlantedAttack, type PlantedKind } from '../../src/demo/tenant';
import { inBlock, lookupAsn } from './asnCsv';

type Json = Record<string, unknown>;

const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TENANT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/tenantid';
const IDP_CLAIM = 'http://schemas.microsoft.com/identity/claims/identityprovider';
const TIME_7 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN_ID = /^[A-Za-z0-9_-]{22}$/;
const MICROSOFT_ASNS = [8075, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 12076, 3598];
const DAY_MS = 86_400_000;
const FIXTURES = path.resolve(__dirname, '../fixtures/audit');

const obj = (value: unknown): Json => {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`).toBe(true);
  return value as Json;
};

let tenant: DemoTenant;
let valid: Json[];
let signIns: Json[];
let activity: Json[];
let graph: Json[];
let storage: Json[];
let vault: Json[];
let miSpIds: Set<string>;

beforeAll(() => {
  tenant = generateDemoTenant();
  valid = tenant.bodies.filter((b) => b.name !== tenant.malformed.bodyName).flatMap((b) => b.body.records.map(obj));
  signIns = valid.filter((r) => r['category'] === 'ManagedIdentitySignInLogs');
  activity = valid.filter((r) => r['category'] === 'Administrative');
  graph = valid.filter((r) => r['category'] === 'MicrosoftGraphActivityLogs');
  storage = valid.filter((r) => r['category'] === 'StorageRead');
  vault = valid.filter((r) => r['category'] === 'AuditEvent');
  miSpIds = new Set(tenant.identities.map((i) => i.servicePrincipalId));
});

const claimsOf = (r: Json): Json => obj(obj(r['identity'])['claims']);
const vaultClaimOf = (r: Json): Json => obj(obj(r['identity'])['claim']);
const requesterOf = (r: Json): Json => obj(obj(r['identity'])['requester']);
const propsOf = (r: Json): Json => obj(r['properties']);
const isMiActivity = (r: Json) => r['category'] === 'Administrative' && typeof claimsOf(r)['xms_mirid'] === 'string';
const isMiGraph = (r: Json) => r['category'] === 'MicrosoftGraphActivityLogs' && miSpIds.has(String(propsOf(r)['servicePrincipalId']));
/** Every use record of a managed identity: Activity, Graph, Storage and Key Vault. */
const isMiUse = (r: Json) => isMiActivity(r) || isMiGraph(r) || r['category'] === 'StorageRead' || r['category'] === 'AuditEvent';
/** The caller address without Storage's port (`13.80.4.7:51234`, `[2603:1020:200::7]:51234`). */
const withoutPort = (text: string) => text.replace(/^\[(.*)\]:\d+$/, '$1').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
const useIp = (r: Json) => (r['category'] === 'MicrosoftGraphActivityLogs' ? String(propsOf(r)['ipAddress']) : withoutPort(String(r['callerIpAddress'])));
const usePrincipal = (r: Json): string => {
  switch (r['category']) {
    case 'Administrative':
      return String(claimsOf(r)[OBJECT_ID_CLAIM]);
    case 'StorageRead':
      return String(requesterOf(r)['objectId']);
    case 'AuditEvent':
      return String(vaultClaimOf(r)[OBJECT_ID_CLAIM]);
    default:
      return String(propsOf(r)['servicePrincipalId']);
  }
};
/** The token a use names: `uti`, `signInActivityId`, Storage's hash; Key Vault names none (''). */
const useToken = (r: Json): string => {
  switch (r['category']) {
    case 'Administrative':
      return String(claimsOf(r)['uti']);
    case 'StorageRead':
      return String(obj(r['identity'])['tokenHash']);
    case 'AuditEvent':
      return '';
    default:
      return String(propsOf(r)['signInActivityId']);
  }
};
const operationOf = (r: Json) => (r['category'] === 'MicrosoftGraphActivityLogs' ? propsOf(r)['requestUri'] : r['operationName']);
const timeOf = (r: Json) => Date.parse(String(r['time']));

/** The regions of the demo's service-tags document holding the address (read naively, not with the detector's table). */
const regionsOf = (ip: string): string[] =>
  tenant.serviceTags.document.values
    .filter((tag) => tag.properties.region !== '' && tag.properties.addressPrefixes.some((prefix) => inBlock(ip, prefix)))
    .map((tag) => tag.properties.region);

/** Key structure of a record: keys in order, nested objects and the first element of arrays. */
function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return [shapeOf(value[0])];
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.keys(value).sort().map((k) => [k, shapeOf((value as Json)[k])]));
  return typeof value;
}
const fixtureRecord = (file: string): Json => obj((JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as { records: unknown[] }).records[0]);

describe('generateDemoTenant: size and determinism', () => {
  it('is byte-identical for the same seed and different for another seed', () => {
    const again = generateDemoTenant();
    expect(JSON.stringify(again)).toBe(JSON.stringify(tenant));
    const other = generateDemoTenant({ seed: 7 });
    expect(JSON.stringify(other.bodies)).not.toBe(JSON.stringify(tenant.bodies));
  });

  it('spans at least 40 days and at least 24 managed identities of every kind', () => {
    const days = new Set(valid.map((r) => String(r['time']).slice(0, 10)));
    expect(days.size).toBeGreaterThanOrEqual(40);
    expect(tenant.identities.length).toBeGreaterThanOrEqual(24);
    const kinds = new Map<string, number>();
    for (const i of tenant.identities) kinds.set(i.kind, (kinds.get(i.kind) ?? 0) + 1);
    expect([...kinds.keys()].sort()).toEqual(['aksCluster', 'arcMachine', 'functionApp', 'userAssignedIdentity', 'virtualMachine']);
    expect(kinds.get('arcMachine')).toBe(2);
    expect(new Set(tenant.identities.map((i) => i.name)).size).toBe(tenant.identities.length);
  });

  it('has roughly the documented mix of sources', () => {
    expect(signIns.length).toBeGreaterThan(1000);
    expect(activity.length).toBeGreaterThan(signIns.length);
    expect(graph.length).toBeGreaterThan(1000);
    expect(valid.some((r) => r['category'] === 'ServicePrincipalSignInLogs')).toBe(true);
  });

  it.each([
    [{ days: 39 }, /days/],
    [{ identities: 11 }, /identities/],
    [{ start: '1 Sept 2026' }, /start/],
    [{ recordsPerBody: 0 }, /recordsPerBody/],
  ])('rejects %o', (options, message) => {
    expect(() => generateDemoTenant(options)).toThrow(message);
  });
});

describe('generateDemoTenant: bodies', () => {
  it('names bodies so that name order is time order, and keeps records time-ordered', () => {
    const names = tenant.bodies.map((b) => b.name);
    expect([...names].sort()).toEqual(names);
    for (const name of names) expect(name).toMatch(/^day-\d{3}-part-\d{2}(-malformed)?\.json$/);
    const times = valid.map((r) => String(r['time']));
    for (let i = 1; i < times.length; i++) expect(times[i]! >= times[i - 1]!, `record ${i}: ${times[i]} after ${times[i - 1]}`).toBe(true);
    // Each day's body holds only that day's records.
    for (const body of tenant.bodies.filter((b) => b.name !== tenant.malformed.bodyName)) {
      const day = Number(body.name.slice(4, 7));
      const expected = new Date(Date.parse('2026-09-01T00:00:00Z') + day * DAY_MS).toISOString().slice(0, 10);
      for (const r of body.body.records) expect(String(obj(r)['time']).slice(0, 10)).toBe(expected);
    }
  });

  it('keeps bodies between 1 and 300 records (about 200–300 on a normal day)', () => {
    const sizes = tenant.bodies.filter((b) => b.name !== tenant.malformed.bodyName).map((b) => b.body.records.length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(300);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(150);
    expect(generateDemoTenant({ recordsPerBody: 100 }).bodies.every((b) => b.body.records.length <= 100)).toBe(true);
  });

  it('puts every broken record into one separate body, and each one is really broken', () => {
    const broken = tenant.bodies.filter((b) => b.name === tenant.malformed.bodyName);
    expect(broken).toHaveLength(1);
    const records = broken[0]!.body.records;
    expect(records.length).toBe(tenant.malformed.records);
    expect(records.length).toBeGreaterThanOrEqual(5);
    const defects = records.map((r) => {
      if (typeof r === 'string') {
        expect(() => JSON.parse(r)).toThrow();
        return 'not json';
      }
      if (r === null || typeof r !== 'object') return 'not an object';
      const rec = r as Json;
      if (!('time' in rec)) return 'missing time';
      if (typeof rec['time'] !== 'string') return 'time not a string';
      if (typeof rec['properties'] !== 'object') return 'properties not an object';
      if (typeof rec['callerIpAddress'] !== 'string') return 'ip not a string';
      return 'valid';
    });
    expect(defects).not.toContain('valid');
    expect(new Set(defects).size).toBeGreaterThanOrEqual(5);
  });

  it('lands every record of every valid body in the expected shape', () => {
    for (const r of valid) {
      expect(String(r['time'])).toMatch(TIME_7);
      expect(['ManagedIdentitySignInLogs', 'ServicePrincipalSignInLogs', 'Administrative', 'MicrosoftGraphActivityLogs', 'StorageRead', 'AuditEvent']).toContain(r['category']);
    }
  });
});

describe('generateDemoTenant: record shapes', () => {
  it('MI sign-ins register token issuance only: no IP, a fresh 22-character token id', () => {
    const ids = new Set<string>();
    for (const r of signIns) {
      expect(r).not.toHaveProperty('callerIpAddress');
      expect(r).toMatchObject({ operationName: 'Sign-in activity', operationVersion: '1.0', resultType: '0', Level: 4, tenantId: tenant.tenantId });
      expect(String(r['resourceId'])).toBe(`/tenants/${tenant.tenantId}/providers/Microsoft.aadiam`);
      const p = propsOf(r);
      expect(p['ipAddress']).toBe('');
      expect(String(p['uniqueTokenIdentifier'])).toMatch(TOKEN_ID);
      expect(String(p['servicePrincipalId'])).toMatch(GUID);
      expect(String(p['appId'])).toMatch(GUID);
      expect(Object.values(AUDIENCES).map((a) => a.appId)).toContain(p['resourceId']);
      expect(typeof p['servicePrincipalName']).toBe('string');
      expect(p['createdDateTime']).toBe(String(r['time']).replace('Z', '+00:00'));
      expect(obj(p['location'])).toMatchObject({ city: '', countryOrRegion: '' });
      ids.add(String(p['uniqueTokenIdentifier']));
    }
    expect(ids.size).toBe(signIns.length);
  });

  it('every MI sign-in token is used later, by the identity it was issued to', () => {
    // Storage names a token by its hash, Key Vault not at all: its reads are matched by principal and time.
    const issued = new Map(signIns.map((r) => [String(propsOf(r)['uniqueTokenIdentifier']), r]));
    const byHash = new Map(signIns.map((r) => [storageTokenHash({ tokenId: String(propsOf(r)['uniqueTokenIdentifier']) }), r]));
    const used = new Set<string>();
    for (const r of valid.filter((x) => isMiActivity(x) || isMiGraph(x) || x['category'] === 'StorageRead')) {
      const signIn = r['category'] === 'StorageRead' ? byHash.get(useToken(r)) : issued.get(useToken(r));
      expect(signIn, `use at ${String(r['time'])} references a token with no sign-in`).toBeDefined();
      const p = propsOf(signIn!);
      expect(String(r['time']) > String(signIn!['time'])).toBe(true);
      expect(usePrincipal(r)).toBe(p['servicePrincipalId']);
      expect(p['resourceId']).toBe(r['category'] === 'StorageRead' ? AUDIENCES.storage.appId : r['category'] === 'Administrative' ? AUDIENCES.arm.appId : AUDIENCES.graph.appId);
      used.add(String(p['uniqueTokenIdentifier']));
    }
    for (const r of signIns.filter((x) => propsOf(x)['resourceId'] === AUDIENCES.vault.appId)) {
      const issuedAt = timeOf(r);
      const read = vault.find((v) => usePrincipal(v) === propsOf(r)['servicePrincipalId'] && timeOf(v) > issuedAt && timeOf(v) - issuedAt < DAY_MS);
      expect(read, `vault token issued at ${String(r['time'])} is never used`).toBeDefined();
      used.add(String(propsOf(r)['uniqueTokenIdentifier']));
    }
    for (const id of issued.keys()) expect(used.has(id), `token ${id} is never used`).toBe(true);
  });

  it('Activity uses by managed identities carry the documented claims and caller IP', () => {
    const miUses = activity.filter(isMiActivity);
    expect(miUses.length).toBeGreaterThan(1000);
    const identityByResource = new Map(tenant.identities.map((i) => [i.resourceId, i]));
    for (const r of miUses) {
      expect(r).toMatchObject({ category: 'Administrative', level: 'Information', resultType: 'Success' });
      expect(String(r['operationName'])).toMatch(/^MICROSOFT\.[A-Z]+\/[A-Z/]+$/);
      expect(String(r['resourceId'])).toBe(String(r['resourceId']).toUpperCase());
      expect(isIP(String(r['callerIpAddress']))).not.toBe(0);
      const c = claimsOf(r);
      const identity = identityByResource.get(String(c['xms_mirid']));
      expect(identity, String(c['xms_mirid'])).toBeDefined();
      expect(c).toMatchObject({ idtyp: 'app', appid: identity!.appId, [OBJECT_ID_CLAIM]: identity!.servicePrincipalId, ver: '1.0' });
      expect(String(c['uti'])).toMatch(TOKEN_ID);
      expect(String(c['iat'])).toMatch(/^\d{10}$/);
      expect(Number(c['exp']) - Number(c['iat'])).toBe(86_400 + 300);
      expect(obj(obj(obj(r['identity'])['authorization'])['evidence'])['principalType']).toBe('ServicePrincipal');
    }
  });

  it('xms_mirid has the documented form for every kind', () => {
    const patterns: Record<string, RegExp> = {
      virtualMachine: /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.Compute\/virtualMachines\/[^/]+$/,
      userAssignedIdentity: /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/,
      aksCluster: /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.ContainerService\/managedClusters\/[^/]+$/,
      functionApp: /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.Web\/sites\/[^/]+$/,
      arcMachine: /^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/[^/]+\/providers\/Microsoft\.HybridCompute\/machines\/[^/]+$/,
    };
    for (const i of tenant.identities) expect(i.resourceId).toMatch(patterns[i.kind]!);
  });

  it('Graph uses carry ip, service principal, token id and issue time', () => {
    for (const r of graph) {
      const p = propsOf(r);
      expect(r).toMatchObject({ operationName: 'Microsoft Graph Activity', Level: 4 });
      expect(p['ipAddress']).toBe(r['callerIpAddress']);
      expect(String(p['requestUri'])).toMatch(/^https:\/\/graph\.microsoft\.com\/(v1\.0|beta)\//);
      expect(typeof p['responseStatusCode']).toBe('number');
      expect(String(p['signInActivityId'])).toMatch(TOKEN_ID);
      expect(String(p['tokenIssuedAt'])).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(p['timeGenerated']).toBe(r['time']);
      expect(String(p['clientAuthMethod'])).toMatch(/^[012]$/);
    }
    expect(graph.filter(isMiGraph).length).toBeGreaterThan(1000);
  });

  it('Storage reads have the shape of the documented OAuth GetBlob record and parse as token uses', () => {
    expect(storage.length).toBeGreaterThan(100);
    const reference = shapeOf(fixtureRecord('storage/getblob-mi-oauth-ipv4-port.json'));
    const byPrincipal = new Map(tenant.identities.map((i) => [i.servicePrincipalId, i]));
    for (const r of storage) {
      expect(shapeOf(r)).toEqual(reference);
      expect(String(r['callerIpAddress'])).toMatch(/^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d{5}$/);
      expect(String(obj(r['identity'])['tokenHash'])).toMatch(/^[0-9A-F]{64}$/);
      expect(requesterOf(r)).toMatchObject({ audience: 'https://storage.azure.com/', tenantId: tenant.tenantId, tokenIssuer: `https://sts.windows.net/${tenant.tenantId}/` });
      const identity = byPrincipal.get(usePrincipal(r));
      expect(identity, usePrincipal(r)).toBeDefined();
      expect(requesterOf(r)['appId']).toBe(identity!.appId);
      const parsed = parseAuditRecord(r, 'demo');
      expect(parsed?.ok && parsed.value.kind === 'use' ? { tokenHash: parsed.value.tokenHash, objectId: parsed.value.objectId, tenantId: parsed.value.tenantId } : parsed).toEqual({
        tokenHash: obj(r['identity'])['tokenHash'],
        objectId: identity!.servicePrincipalId,
        tenantId: tenant.tenantId,
      });
    }
  });

  it('Key Vault reads have the shape of the documented SecretGet record: tenant in the issuer only, no token id', () => {
    expect(vault.length).toBeGreaterThan(40);
    const reference = shapeOf(fixtureRecord('keyvault/secretget-mi-issuer-only.json'));
    const byPrincipal = new Map(tenant.identities.map((i) => [i.servicePrincipalId, i]));
    for (const r of vault) {
      expect(shapeOf(r)).toEqual(reference);
      expect(String(r['resourceId'])).toBe(String(r['resourceId']).toUpperCase());
      const claim = vaultClaimOf(r);
      expect(claim).not.toHaveProperty(TENANT_ID_CLAIM);
      expect(claim).not.toHaveProperty('uti');
      expect(claim[IDP_CLAIM]).toBe(`https://sts.windows.net/${tenant.tenantId}/`);
      const identity = byPrincipal.get(usePrincipal(r));
      expect(claim).toMatchObject({ appid: identity!.appId, xms_mirid: identity!.resourceId });
      const parsed = parseAuditRecord(r, 'demo');
      expect(parsed?.ok && parsed.value.kind === 'use' ? { tokenId: parsed.value.tokenId, tenantId: parsed.value.tenantId, objectId: parsed.value.objectId } : parsed).toEqual({
        tokenId: '',
        tenantId: tenant.tenantId,
        objectId: identity!.servicePrincipalId,
      });
    }
  });

  it('links tokenIssuedAt and iat to the sign-in that issued the token', () => {
    const issuedAt = new Map(signIns.map((r) => [String(propsOf(r)['uniqueTokenIdentifier']), Date.parse(String(r['time']))]));
    for (const r of graph.filter(isMiGraph).slice(0, 500)) {
      const delta = issuedAt.get(useToken(r))! - Date.parse(String(propsOf(r)['tokenIssuedAt']));
      // iat is back-dated 5 minutes; the sign-in time also has sub-second digits.
      expect(delta).toBeGreaterThanOrEqual(300_000);
      expect(delta).toBeLessThan(301_000);
    }
  });

  it('service principals and the user never look like managed identities', () => {
    const others = new Set(tenant.principals.map((p) => p.objectId));
    const theirs = valid.filter((r) =>
      r['category'] === 'Administrative' ? others.has(String(claimsOf(r)[OBJECT_ID_CLAIM])) : others.has(String(propsOf(r)['servicePrincipalId'] ?? propsOf(r)['userId'])),
    );
    expect(theirs.length).toBeGreaterThan(100);
    for (const r of theirs) {
      if (r['category'] === 'Administrative') expect(claimsOf(r)).not.toHaveProperty('xms_mirid');
      expect(miSpIds.has(String(propsOf(r)['servicePrincipalId']))).toBe(false);
    }
    for (const r of valid.filter((x) => x['category'] === 'ServicePrincipalSignInLogs')) {
      expect(r['callerIpAddress']).toBe(propsOf(r)['ipAddress']);
      expect(isIP(String(r['callerIpAddress']))).toBe(4);
    }
  });
});

describe('generateDemoTenant: network footprint', () => {
  it('Azure-side uses come from Microsoft AS8075 in the identity\'s region; outside-Azure ones only from the documented addresses', () => {
    const byResource = new Map(tenant.identities.map((i) => [i.resourceId, i]));
    const bySp = new Map(tenant.identities.map((i) => [i.servicePrincipalId, i]));
    const plantedIps = new Set(tenant.planted.filter((p) => p.kind !== 'outside-azure-usual-ip' && p.kind !== 'arc-usual-ip').map((p) => `${p.time}|${p.ip}`));
    const checked = new Map<string, { asn: number | undefined; regions: string[] }>();
    for (const r of valid.filter(isMiUse)) {
      const identity = r['category'] === 'Administrative' ? byResource.get(String(claimsOf(r)['xms_mirid'])) : bySp.get(usePrincipal(r));
      const ip = useIp(r);
      if (plantedIps.has(`${String(r['time'])}|${ip}`)) continue;
      if (identity!.azureIps.includes(ip)) {
        if (!checked.has(ip)) checked.set(ip, { asn: lookupAsn(ip)?.asn, regions: regionsOf(ip) });
        expect(checked.get(ip), ip).toEqual({ asn: 8075, regions: [identity!.region] });
      } else {
        expect(ip).toBe(identity!.onPremises?.ip);
      }
    }
  });

  it('identities with an outside-Azure footprint use it during the learning period', () => {
    const activation = Date.parse(tenant.activationTime);
    const withPremises = tenant.identities.filter((i) => i.onPremises !== null);
    expect(withPremises.length).toBeGreaterThanOrEqual(4);
    for (const identity of withPremises) {
      const early = valid.filter(
        (r) => Date.parse(String(r['time'])) < activation && (isMiActivity(r) || isMiGraph(r)) && useIp(r) === identity.onPremises!.ip,
      );
      expect(early.length, identity.name).toBeGreaterThanOrEqual(10);
      expect(lookupAsn(identity.onPremises!.ip)?.asn).toBe(identity.onPremises!.asn);
    }
  });

  it('the workload uses each of its tokens from one network only: its Azure region or its outside-Azure address', () => {
    const networks = new Map<string, Set<string>>();
    const planted = new Set(tenant.planted.map((p) => `${p.time}|${p.ip}`));
    for (const r of valid.filter((x) => isMiUse(x) && x['category'] !== 'AuditEvent')) {
      const ip = useIp(r);
      if (planted.has(`${String(r['time'])}|${ip}`)) continue;
      const network = regionsOf(ip)[0] ?? String(lookupAsn(ip)?.asn);
      const seen = networks.get(useToken(r)) ?? new Set<string>();
      seen.add(network);
      networks.set(useToken(r), seen);
    }
    expect(networks.size).toBeGreaterThan(5000);
    for (const [token, seen] of networks) expect([...seen], token).toHaveLength(1);
  });

  it('activation is 14 days after the earliest record', () => {
    expect(Date.parse(tenant.activationTime) - Date.parse(String(valid[0]!['time']))).toBe(LEARNING_PERIOD_MS);
  });
});

describe('generateDemoTenant: service tags', () => {
  it('is named for the first day and shaped like the weekly download', () => {
    const { fileName, document } = tenant.serviceTags;
    expect(fileName).toBe('ServiceTags_Public_20260901.json');
    expect(document).toMatchObject({ cloud: 'Public', changeNumber: expect.any(Number) });
    expect(document.values.map((v) => v.name)).toEqual(['AzureCloud', ...AZURE_REGIONS.map((r) => `AzureCloud.${r}`).sort()]);
    for (const tag of document.values) {
      expect(tag.id).toBe(tag.name);
      expect(tag.properties).toMatchObject({ platform: 'Azure', systemService: '', networkFeatures: ['API', 'NSG'] });
      expect(tag.properties.region).toBe(tag.name === 'AzureCloud' ? '' : tag.name.slice('AzureCloud.'.length));
    }
    expect(generateDemoTenant({ start: '2027-02-03' }).serviceTags.fileName).toBe('ServiceTags_Public_20270203.json');
  });

  it('puts each region\'s blocks in its regional tag and all of them in AzureCloud, and the detector reads it', () => {
    const { document } = tenant.serviceTags;
    const tagOf = (name: string) => document.values.find((v) => v.name === name)!.properties.addressPrefixes;
    for (const region of AZURE_REGIONS) {
      expect([...tagOf(`AzureCloud.${region}`)].sort()).toEqual([...AZURE_BLOCKS[region].map((b) => b.cidr), AZURE_IPV6_BLOCKS[region].cidr].sort());
    }
    expect([...tagOf('AzureCloud')].sort()).toEqual(document.values.slice(1).flatMap((v) => v.properties.addressPrefixes).sort());
    const parsed = parseAzureCloudRanges(JSON.parse(JSON.stringify(document)));
    expect(parsed).toMatchObject({ regionCount: AZURE_REGIONS.length, changeNumber: document.changeNumber, cloud: 'Public', tags: ['AzureCloud'] });
    expect(parsed.ipv6PrefixCount).toBe(AZURE_REGIONS.length);
  });
});

describe('generateDemoTenant: planted stories', () => {
  const find = (p: PlantedAttack): Json => {
    const hit = valid.find((r) => r['time'] === p.time && useIp(r) === p.ip && r['category'] === p.category);
    expect(hit, `${p.id} record`).toBeDefined();
    return hit!;
  };
  const identityOf = (p: PlantedAttack) => tenant.identities.find((i) => i.name === p.identityName);
  const alerts = (severity: string) => tenant.planted.filter((p) => p.expectedSeverity === severity && p.expectAlert);
  const ofKind = (kind: PlantedKind) => tenant.planted.filter((p) => p.kind === kind);
  const only = (kind: PlantedKind): PlantedAttack => {
    const stories = ofKind(kind);
    expect(stories, kind).toHaveLength(1);
    return stories[0]!;
  };
  /** The identity's use records before `p` (Key Vault reads included), without `p` itself. */
  const earlierUses = (p: PlantedAttack) => valid.filter((r) => String(r['time']) < p.time && isMiUse(r) && usePrincipal(r) === p.principalId);
  /** The uses of `p`'s token other than `p` itself. */
  const otherUsesOfToken = (p: PlantedAttack) => {
    const token = p.category === 'StorageRead' ? p.tokenHash : p.tokenId;
    return valid.filter((r) => isMiUse(r) && useToken(r) === token && !(r['time'] === p.time && useIp(r) === p.ip));
  };

  it('every planted story is a record in the bodies carrying the token it names, after activation but for the learning-period ones', () => {
    const activation = Date.parse(tenant.activationTime);
    expect(tenant.planted.length).toBeGreaterThanOrEqual(19);
    expect(new Set(tenant.planted.map((p) => p.id)).size).toBe(tenant.planted.length);
    for (const p of tenant.planted) {
      const r = find(p);
      // The Lows of the usual outside-Azure footprint and the replay in the learning period fall before activation.
      if (p.kind === 'replay-during-learning') expect(Date.parse(p.time), p.id).toBeLessThan(activation);
      else if (p.kind !== 'outside-azure-usual-ip') expect(Date.parse(p.time), p.id).toBeGreaterThanOrEqual(activation);
      expect(useToken(r)).toBe(p.category === 'StorageRead' ? p.tokenHash : p.category === 'AuditEvent' ? '' : p.tokenId);
      if (p.category === 'StorageRead') expect(p.tokenHash).toBe(storageTokenHash(p));
      else expect(p.tokenHash).toBe('');
      expect(operationOf(r)).toBe(p.operation);
      expect(lookupAsn(p.ip)?.asn, `${p.id} ${p.ip}`).toBe(p.asn);
    }
  });

  it('every managed identity story uses a token issued to its identity less than a day before', () => {
    const issued = new Map(signIns.map((r) => [String(propsOf(r)['uniqueTokenIdentifier']), r]));
    for (const p of tenant.planted.filter((x) => x.identityResourceId !== '')) {
      const signIn = issued.get(p.tokenId);
      expect(signIn, p.id).toBeDefined();
      expect(propsOf(signIn!)['servicePrincipalId']).toBe(p.principalId);
      expect(signIn!['time']).toBe(p.tokenIssuedAt);
      expect(Date.parse(p.time) - Date.parse(p.tokenIssuedAt)).toBeGreaterThan(0);
      expect(Date.parse(p.time) - Date.parse(p.tokenIssuedAt)).toBeLessThan(DAY_MS);
    }
  });

  it('stolen-token Highs replay a token the victim used first, from a non-Microsoft network it never used, one over IPv6', () => {
    const highs = ofKind('stolen-token-new-asn');
    expect(highs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(highs.map((h) => h.identityName)).size).toBe(highs.length);
    for (const h of highs) {
      expect(h).toMatchObject({ expectedSeverity: 'High', expectAlert: true });
      expect(MICROSOFT_ASNS).not.toContain(lookupAsn(h.ip)!.asn);
      const earlier = earlierUses(h).map(useIp);
      expect(earlier.length).toBeGreaterThan(20);
      for (const ip of new Set(earlier)) expect(lookupAsn(ip)?.asn).not.toBe(h.asn);
      const first = otherUsesOfToken(h).map(timeOf).sort((a, b) => a - b)[0];
      expect(first, `${h.id}: the victim used the token before the thief`).toBeLessThan(Date.parse(h.time));
    }
    expect(highs.some((h) => isIP(h.ip) === 6)).toBe(true);
    expect(highs.some((h) => h.category === 'MicrosoftGraphActivityLogs')).toBe(true);
  });

  it('a repeated High inside 5 days is planted as suppressed', () => {
    const repeats = ofKind('stolen-token-repeat');
    expect(repeats.length).toBeGreaterThanOrEqual(1);
    for (const repeat of repeats) {
      const original = tenant.planted.find((p) => p.id === repeat.duplicateOf)!;
      expect(repeat).toMatchObject({ expectedSeverity: 'High', expectAlert: false, identityName: original.identityName, asn: original.asn });
      expect(Date.parse(repeat.time) - Date.parse(original.time)).toBeLessThan(5 * DAY_MS);
      expect(repeat.tokenId).not.toBe(original.tokenId);
    }
  });

  it('Mediums of a known ASN use a token of the identity\'s outside-Azure session from a new address of the same ISP', () => {
    const mediums = ofKind('new-ip-known-asn');
    expect(mediums.length).toBeGreaterThanOrEqual(2);
    for (const m of mediums) {
      expect(m).toMatchObject({ expectedSeverity: 'Medium', expectAlert: true });
      const identity = identityOf(m)!;
      expect(identity.onPremises).not.toBeNull();
      expect(m.ip).not.toBe(identity.onPremises!.ip);
      expect(lookupAsn(m.ip)!.asn).toBe(lookupAsn(identity.onPremises!.ip)!.asn);
      expect(valid.some((r) => r['time']! < m.time && useIp(r) === m.ip)).toBe(false);
      // The token's other uses all come from the outside-Azure address: one network, no replay.
      const others = otherUsesOfToken(m);
      expect(others.length, m.id).toBeGreaterThan(0);
      for (const r of others) expect(useIp(r)).toBe(identity.onPremises!.ip);
    }
  });

  it('the replay in the learning period is a current Azure token of the VM, replayed from a hosting ASN', () => {
    const p = only('replay-during-learning');
    const identity = identityOf(p)!;
    expect(p).toMatchObject({ expectedSeverity: 'High', expectAlert: true, asn: STORY_HOSTING_BLOCKS.vultr.asn, category: 'Administrative' });
    expect(identity.kind).toBe('virtualMachine');
    expect(Date.parse(p.time) - Date.parse(String(valid[0]!['time']))).toBeLessThan(LEARNING_PERIOD_MS);
    const first = otherUsesOfToken(p).sort((a, b) => timeOf(a) - timeOf(b))[0]!;
    expect(timeOf(first)).toBeLessThan(Date.parse(p.time));
    expect(identity.azureIps).toContain(useIp(first));
  });

  it('the replay from another region uses an Azure address of a region the token was not first used from', () => {
    const p = only('replay-other-region');
    const identity = identityOf(p)!;
    expect(p).toMatchObject({ expectedSeverity: 'High', expectAlert: true, asn: 8075 });
    if (tenant.identities.some((i) => i.region === 'westeurope' && i.kind !== 'arcMachine')) expect(identity.region).toBe('westeurope');
    const [region] = regionsOf(p.ip);
    expect(region).toBeDefined();
    expect(region).not.toBe(identity.region);
    const first = otherUsesOfToken(p).sort((a, b) => timeOf(a) - timeOf(b))[0]!;
    expect(timeOf(first)).toBeLessThan(Date.parse(p.time));
    expect(regionsOf(useIp(first))).toEqual([identity.region]);
  });

  it('the own token in an unusual region is its only use, from a region the identity never used', () => {
    const p = only('unusual-region-own-token');
    const identity = identityOf(p)!;
    expect(p).toMatchObject({ expectedSeverity: 'Medium', expectAlert: true, asn: 8075 });
    expect(identity.kind).toBe('userAssignedIdentity');
    expect(otherUsesOfToken(p)).toEqual([]);
    expect(Date.parse(p.time) - Date.parse(p.tokenIssuedAt)).toBeLessThan(15 * 60_000);
    const [region] = regionsOf(p.ip);
    expect(region).toBeDefined();
    const earlierRegions = new Set(earlierUses(p).flatMap((r) => regionsOf(useIp(r))));
    expect(earlierRegions.size).toBeGreaterThan(0);
    expect(earlierRegions.has(region!)).toBe(false);
  });

  it('the Storage token replayed from Tor is the VM\'s daily blob-reading token, first used from its own address', () => {
    const p = only('storage-token-from-tor');
    const identity = identityOf(p)!;
    expect(p).toMatchObject({ expectedSeverity: 'High', expectAlert: true, category: 'StorageRead', operation: 'GetBlob', asn: ANONYMISER_BLOCKS.torExit.asn });
    expect(identity.kind).toBe('virtualMachine');
    expect(inBlock(p.ip, ANONYMISER_BLOCKS.torExit.cidr)).toBe(true);
    expect(String(find(p)['callerIpAddress'])).toMatch(new RegExp(`^${p.ip.replace(/\./g, '\\.')}:\\d+$`));
    const others = otherUsesOfToken(p);
    expect(others.length).toBeGreaterThan(0);
    for (const r of others) {
      expect(identity.azureIps).toContain(useIp(r));
      expect(timeOf(r)).toBeLessThan(Date.parse(p.time));
    }
    // The VM reads blobs every day.
    const days = new Set(storage.filter((r) => usePrincipal(r) === p.principalId).map((r) => String(r['time']).slice(0, 10)));
    expect(days.size).toBeGreaterThanOrEqual(40);
  });

  it('the Key Vault read from a hosting ASN follows daily reads from the identity\'s Azure addresses', () => {
    const p = only('keyvault-read-hosting');
    const identity = identityOf(p)!;
    expect(p).toMatchObject({ expectedSeverity: 'High', expectAlert: true, category: 'AuditEvent', operation: 'SecretGet', asn: STORY_HOSTING_BLOCKS.scaleway.asn });
    const reads = vault.filter((r) => usePrincipal(r) === p.principalId && String(r['time']) < p.time);
    expect(new Set(reads.map((r) => String(r['time']).slice(0, 10))).size).toBeGreaterThanOrEqual(30);
    for (const r of reads) expect(identity.azureIps).toContain(useIp(r));
    for (const r of earlierUses(p)) expect(lookupAsn(useIp(r))?.asn).not.toBe(p.asn);
    expect(vaultClaimOf(find(p))).not.toHaveProperty(TENANT_ID_CLAIM);
  });

  it('the benign twins use one token from several addresses of the identity\'s own region and expect no alert', () => {
    const pool = only('same-region-address-pool');
    const dual = only('same-region-dual-stack');
    for (const p of [pool, dual]) {
      expect(p).toMatchObject({ expectedSeverity: null, expectAlert: false, asn: 8075 });
      const identity = identityOf(p)!;
      const ips = new Set([p.ip, ...otherUsesOfToken(p).map(useIp)]);
      expect(ips.size, p.id).toBeGreaterThanOrEqual(2);
      for (const ip of ips) expect(regionsOf(ip), `${p.id} ${ip}`).toEqual([identity.region]);
    }
    expect(identityOf(pool)!.kind).toBe('functionApp');
    expect(new Set([pool.ip, ...otherUsesOfToken(pool).map(useIp)]).size).toBe(3);
    expect(identityOf(dual)!.kind).toBe('virtualMachine');
    expect(isIP(dual.ip)).toBe(6);
    expect(otherUsesOfToken(dual).some((r) => isIP(useIp(r)) === 4)).toBe(true);
  });

  it('gives every story its own identity in the default catalog', () => {
    const stories = tenant.planted.filter((p) => p.identityResourceId !== '' && !['outside-azure-usual-ip', 'stolen-token-repeat'].includes(p.kind));
    expect(new Set(stories.map((p) => p.identityName)).size).toBe(stories.length);
  });

  it('Lows are the usual outside-Azure address, at most one per identity per 5 days, and none missing', () => {
    const lows = alerts('Low');
    const activation = Date.parse(tenant.activationTime);
    expect(lows.filter((l) => Date.parse(l.time) >= activation).length).toBeGreaterThanOrEqual(2);
    for (const identity of tenant.identities.filter((i) => i.onPremises !== null && i.kind !== 'arcMachine')) {
      const raised = lows.filter((l) => l.identityName === identity.name).map((l) => Date.parse(l.time));
      expect(raised.length, identity.name).toBeGreaterThanOrEqual(2);
      for (let i = 1; i < raised.length; i++) expect(raised[i]! - raised[i - 1]!).toBeGreaterThanOrEqual(5 * DAY_MS);
      // Every later use from that address falls inside the window of the Low before it.
      const uses = valid
        .filter((r) => (isMiActivity(r) || isMiGraph(r)) && useIp(r) === identity.onPremises!.ip)
        .map((r) => Date.parse(String(r['time'])));
      expect(uses[0]).toBe(raised[0]);
      for (const t of uses) {
        const last = Math.max(...raised.filter((x) => x <= t));
        expect(t - last).toBeLessThan(5 * DAY_MS);
      }
    }
    for (const low of lows) expect(low.ip).toBe(identityOf(low)!.onPremises!.ip);
  });

  it('the Arc machine at its usual address and the non-managed principals are planted as no alert', () => {
    const arc = tenant.planted.filter((p) => p.kind === 'arc-usual-ip');
    expect(arc).toHaveLength(1);
    expect(identityOf(arc[0]!)!.kind).toBe('arcMachine');
    expect(arc[0]!.ip).toBe(identityOf(arc[0]!)!.onPremises!.ip);
    const others = tenant.planted.filter((p) => p.kind === 'not-a-managed-identity');
    expect(others.length).toBeGreaterThanOrEqual(2);
    for (const p of [...arc, ...others]) expect(p).toMatchObject({ expectedSeverity: null, expectAlert: false });
    for (const p of others) expect(p.identityResourceId).toBe('');
  });
});
