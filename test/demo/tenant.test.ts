import { isIP } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateDemoTenant, LEARNING_PERIOD_MS, type DemoTenant, type PlantedAttack } from '../../src/demo/tenant';
import { lookupAsn } from './asnCsv';

type Json = Record<string, unknown>;

const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const TIME_7 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN_ID = /^[A-Za-z0-9_-]{22}$/;
const MICROSOFT_ASNS = [8075, 8068, 8069, 8070, 8071, 8072, 8073, 8074, 12076, 3598];
const DAY_MS = 86_400_000;

const obj = (value: unknown): Json => {
  expect(typeof value === 'object' && value !== null && !Array.isArray(value), `expected an object, got ${JSON.stringify(value)?.slice(0, 80)}`).toBe(true);
  return value as Json;
};

let tenant: DemoTenant;
let valid: Json[];
let signIns: Json[];
let activity: Json[];
let graph: Json[];
let miSpIds: Set<string>;

beforeAll(() => {
  tenant = generateDemoTenant();
  valid = tenant.bodies.filter((b) => b.name !== tenant.malformed.bodyName).flatMap((b) => b.body.records.map(obj));
  signIns = valid.filter((r) => r['category'] === 'ManagedIdentitySignInLogs');
  activity = valid.filter((r) => r['category'] === 'Administrative');
  graph = valid.filter((r) => r['category'] === 'MicrosoftGraphActivityLogs');
  miSpIds = new Set(tenant.identities.map((i) => i.servicePrincipalId));
});

const claimsOf = (r: Json): Json => obj(obj(r['identity'])['claims']);
const propsOf = (r: Json): Json => obj(r['properties']);
const isMiActivity = (r: Json) => r['category'] === 'Administrative' && typeof claimsOf(r)['xms_mirid'] === 'string';
const isMiGraph = (r: Json) => r['category'] === 'MicrosoftGraphActivityLogs' && miSpIds.has(String(propsOf(r)['servicePrincipalId']));
const useIp = (r: Json) => String(r['category'] === 'Administrative' ? r['callerIpAddress'] : propsOf(r)['ipAddress']);
const usePrincipal = (r: Json) => String(r['category'] === 'Administrative' ? claimsOf(r)[OBJECT_ID_CLAIM] : propsOf(r)['servicePrincipalId']);
const useToken = (r: Json) => String(r['category'] === 'Administrative' ? claimsOf(r)['uti'] : propsOf(r)['signInActivityId']);

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
      expect(['ManagedIdentitySignInLogs', 'ServicePrincipalSignInLogs', 'Administrative', 'MicrosoftGraphActivityLogs']).toContain(r['category']);
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
      expect(String(p['resourceId'])).toMatch(/^(797f4846-ba00-4fd7-ba43-dac1f8f63013|00000003-0000-0000-c000-000000000000)$/);
      expect(typeof p['servicePrincipalName']).toBe('string');
      expect(p['createdDateTime']).toBe(String(r['time']).replace('Z', '+00:00'));
      expect(obj(p['location'])).toMatchObject({ city: '', countryOrRegion: '' });
      ids.add(String(p['uniqueTokenIdentifier']));
    }
    expect(ids.size).toBe(signIns.length);
  });

  it('every MI sign-in token is used later, by the identity it was issued to', () => {
    const issued = new Map(signIns.map((r) => [String(propsOf(r)['uniqueTokenIdentifier']), r]));
    const used = new Set<string>();
    for (const r of valid.filter((x) => isMiActivity(x) || isMiGraph(x))) {
      const signIn = issued.get(useToken(r));
      expect(signIn, `use at ${String(r['time'])} references a token with no sign-in`).toBeDefined();
      const p = propsOf(signIn!);
      expect(String(r['time']) > String(signIn!['time'])).toBe(true);
      expect(usePrincipal(r)).toBe(p['servicePrincipalId']);
      used.add(useToken(r));
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
  it('Azure-side uses come from Microsoft AS8075; outside-Azure ones only from the documented addresses', () => {
    const byResource = new Map(tenant.identities.map((i) => [i.resourceId, i]));
    const bySp = new Map(tenant.identities.map((i) => [i.servicePrincipalId, i]));
    const plantedIps = new Set(tenant.planted.filter((p) => p.kind !== 'outside-azure-usual-ip' && p.kind !== 'arc-usual-ip').map((p) => `${p.time}|${p.ip}`));
    const asnCache = new Map<string, number | undefined>();
    for (const r of valid.filter((x) => isMiActivity(x) || isMiGraph(x))) {
      const identity = r['category'] === 'Administrative' ? byResource.get(String(claimsOf(r)['xms_mirid'])) : bySp.get(String(propsOf(r)['servicePrincipalId']));
      const ip = useIp(r);
      if (plantedIps.has(`${String(r['time'])}|${ip}`)) continue;
      if (identity!.azureIps.includes(ip)) {
        if (!asnCache.has(ip)) asnCache.set(ip, lookupAsn(ip)?.asn);
        expect(asnCache.get(ip), ip).toBe(8075);
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

  it('activation is 14 days after the earliest record', () => {
    expect(Date.parse(tenant.activationTime) - Date.parse(String(valid[0]!['time']))).toBe(LEARNING_PERIOD_MS);
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

  it('every planted story is a record in the bodies, after activation, carrying the token it names', () => {
    const activation = Date.parse(tenant.activationTime);
    expect(tenant.planted.length).toBeGreaterThanOrEqual(12);
    expect(new Set(tenant.planted.map((p) => p.id)).size).toBe(tenant.planted.length);
    for (const p of tenant.planted) {
      const r = find(p);
      // Only the Lows of the usual outside-Azure footprint also fall in the learning period.
      if (p.kind !== 'outside-azure-usual-ip') expect(Date.parse(p.time), p.id).toBeGreaterThanOrEqual(activation);
      expect(useToken(r)).toBe(p.tokenId);
      expect(r['category'] === 'Administrative' ? r['operationName'] : propsOf(r)['requestUri']).toBe(p.operation);
      expect(lookupAsn(p.ip)?.asn, `${p.id} ${p.ip}`).toBe(p.asn);
    }
  });

  it('stolen tokens were issued to the victim before the attack and were still valid', () => {
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

  it('Highs come from a non-Microsoft network the victim never used, one of them over IPv6', () => {
    const highs = alerts('High');
    expect(highs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(highs.map((h) => h.identityName)).size).toBe(highs.length);
    for (const h of highs) {
      expect(h.kind).toBe('stolen-token-new-asn');
      expect(MICROSOFT_ASNS).not.toContain(lookupAsn(h.ip)!.asn);
      const victim = identityOf(h)!;
      const earlierAsns = valid
        .filter((r) => r['time']! < h.time && (isMiActivity(r) || isMiGraph(r)) && usePrincipal(r) === victim.servicePrincipalId)
        .map(useIp);
      expect(earlierAsns.length).toBeGreaterThan(20);
      for (const ip of new Set(earlierAsns)) expect(lookupAsn(ip)?.asn).not.toBe(h.asn);
    }
    expect(highs.some((h) => isIP(h.ip) === 6)).toBe(true);
    expect(highs.some((h) => h.category === 'MicrosoftGraphActivityLogs')).toBe(true);
  });

  it('a repeated High inside 5 days is planted as suppressed', () => {
    const repeats = tenant.planted.filter((p) => p.kind === 'stolen-token-repeat');
    expect(repeats.length).toBeGreaterThanOrEqual(1);
    for (const repeat of repeats) {
      const original = tenant.planted.find((p) => p.id === repeat.duplicateOf)!;
      expect(repeat).toMatchObject({ expectedSeverity: 'High', expectAlert: false, identityName: original.identityName, asn: original.asn });
      expect(Date.parse(repeat.time) - Date.parse(original.time)).toBeLessThan(5 * DAY_MS);
      expect(repeat.tokenId).not.toBe(original.tokenId);
    }
  });

  it('Mediums use a new address inside the ASN of the identity’s own outside-Azure address', () => {
    const mediums = alerts('Medium');
    expect(mediums.length).toBeGreaterThanOrEqual(2);
    for (const m of mediums) {
      const identity = identityOf(m)!;
      expect(identity.onPremises).not.toBeNull();
      expect(m.ip).not.toBe(identity.onPremises!.ip);
      expect(lookupAsn(m.ip)!.asn).toBe(lookupAsn(identity.onPremises!.ip)!.asn);
      expect(valid.some((r) => r['time']! < m.time && useIp(r) === m.ip)).toBe(false);
    }
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
