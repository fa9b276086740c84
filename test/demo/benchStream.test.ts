import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseEndpointRecord } from '../../src/core/records/endpoint/parseEndpointRecord';
import { benchBodies, generateBenchStream, type BenchBody, type BenchCounts } from '../../src/demo/benchStream';
import { generateDemoTenant } from '../../src/demo/tenant';
import { HOSTING_BLOCKS } from '../../src/demo/networks';
import { lookupAsn } from './asnCsv';

const HOSTING_ASNS = new Set(Object.values(HOSTING_BLOCKS).map((b) => b.asn));

type Json = Record<string, unknown>;
const OBJECT_ID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
const DAY_MS = 86_400_000;
const RECORDS = 200_000;
const IDENTITIES = 5_000;
const WARMUP = { days: 20, records: 30_000 };
/** As the benchmark runs it: the first 6 hours of the measured day show every identity again. */
const DAY_START = { hours: 6, records: 25_000 };

/** Every key path of a record (`properties.location.city`), array elements collapsed to `[]`. */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.flatMap((v) => keyPaths(v, `${prefix}[]`));
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([k, v]) => keyPaths(v, prefix === '' ? k : `${prefix}.${k}`));
}
const shapeOf = (record: unknown) => [...new Set(keyPaths(record))].sort().join('\n');

interface UseSummary {
  readonly principal: string;
  readonly ip: string;
  readonly token: string;
}

function principalOf(r: Json): string {
  const p = r['properties'] as Json | undefined;
  if (r['category'] === 'Administrative') return String(((r['identity'] as Json)['claims'] as Json)[OBJECT_ID_CLAIM]);
  return String(p?.['servicePrincipalId']);
}

function useOf(r: Json): UseSummary | undefined {
  const p = r['properties'] as Json;
  if (r['category'] === 'Administrative') {
    const claims = (r['identity'] as Json)['claims'] as Json;
    return { principal: principalOf(r), ip: String(r['callerIpAddress']), token: String(claims['uti']) };
  }
  if (r['category'] === 'MicrosoftGraphActivityLogs') return { principal: principalOf(r), ip: String(p['ipAddress']), token: String(p['signInActivityId']) };
  return undefined;
}

/** One pass over the stream, keeping only what the assertions need (the text itself is ~430 MB). */
interface Observed {
  bodies: { name: string; phase: string; kind: string; records: number; counts: BenchCounts }[];
  categories: Record<string, number>;
  measuredPrincipals: Set<string>;
  warmupIps: Map<string, Set<string>>;
  dayStartIps: Map<string, Set<string>>;
  measuredIps: Map<string, Set<string>>;
  signInTokens: Set<string>;
  usesWithKnownToken: number;
  measuredUses: number;
  times: { warmupLast: number; dayStartFirst: number; dayStartLast: number; measureFirst: number; measureLast: number; endpointFirst: number; endpointLast: number };
  outOfOrder: number;
  shapes: Map<string, string>;
  endpointRejects: number;
  endpointRecords: number;
}

function observe(bodies: Iterable<BenchBody>): Observed {
  const o: Observed = {
    bodies: [],
    categories: {},
    measuredPrincipals: new Set(),
    warmupIps: new Map(),
    dayStartIps: new Map(),
    measuredIps: new Map(),
    signInTokens: new Set(),
    usesWithKnownToken: 0,
    measuredUses: 0,
    times: { warmupLast: 0, dayStartFirst: Infinity, dayStartLast: 0, measureFirst: Infinity, measureLast: 0, endpointFirst: Infinity, endpointLast: 0 },
    outOfOrder: 0,
    shapes: new Map(),
    endpointRejects: 0,
    endpointRecords: 0,
  };
  let lastTime = '';
  for (const body of bodies) {
    o.bodies.push({ name: body.name, phase: body.phase, kind: body.kind, records: body.records, counts: body.counts });
    const records = (JSON.parse(body.text) as { records: Json[] }).records;
    expect(records.length).toBe(body.records);
    if (body.kind === 'endpoint') {
      for (const [i, r] of records.entries()) {
        o.endpointRecords++;
        const parsed = parseEndpointRecord(r, `${body.name} ${i}`);
        if (parsed.ok !== true) o.endpointRejects++;
        else {
          o.times.endpointFirst = Math.min(o.times.endpointFirst, parsed.value.timeMs);
          o.times.endpointLast = Math.max(o.times.endpointLast, parsed.value.timeMs);
        }
      }
      continue;
    }
    for (const r of records) {
      const category = String(r['category']);
      const time = String(r['time']);
      if (time < lastTime) o.outOfOrder++;
      lastTime = time;
      const ms = Date.parse(time);
      if (body.phase === 'warmup') o.times.warmupLast = Math.max(o.times.warmupLast, ms);
      else if (body.phase === 'dayStart') {
        o.times.dayStartFirst = Math.min(o.times.dayStartFirst, ms);
        o.times.dayStartLast = Math.max(o.times.dayStartLast, ms);
      } else {
        o.times.measureFirst = Math.min(o.times.measureFirst, ms);
        o.times.measureLast = Math.max(o.times.measureLast, ms);
        o.categories[category] = (o.categories[category] ?? 0) + 1;
      }
      if (!o.shapes.has(category)) o.shapes.set(category, shapeOf(r));
      if (category === 'ManagedIdentitySignInLogs') {
        const p = r['properties'] as Json;
        o.signInTokens.add(String(p['uniqueTokenIdentifier']));
        if (body.phase === 'measure') o.measuredPrincipals.add(String(p['servicePrincipalId']));
        continue;
      }
      const use = useOf(r)!;
      const ips = body.phase === 'warmup' ? o.warmupIps : body.phase === 'dayStart' ? o.dayStartIps : o.measuredIps;
      if (!ips.has(use.principal)) ips.set(use.principal, new Set());
      ips.get(use.principal)!.add(use.ip);
      if (body.phase === 'measure') {
        o.measuredPrincipals.add(use.principal);
        o.measuredUses++;
        if (o.signInTokens.has(use.token)) o.usesWithKnownToken++;
      }
    }
  }
  return o;
}

let observed: Observed;

beforeAll(() => {
  observed = observe(benchBodies({ records: RECORDS, identities: IDENTITIES, warmup: WARMUP, dayStart: DAY_START, endpointRecords: 20_000 }));
}, 120_000);

const sum = (phase: string, kind: string, key: keyof BenchCounts) =>
  observed.bodies.filter((b) => b.phase === phase && b.kind === kind).reduce((a, b) => a + b.counts[key], 0);

describe('benchBodies: counts and coverage', () => {
  it('yields exactly the requested records, in bodies of the requested size', () => {
    const measured = observed.bodies.filter((b) => b.phase === 'measure' && b.kind === 'remote-use');
    expect(measured.reduce((a, b) => a + b.records, 0)).toBe(RECORDS);
    expect(observed.bodies.filter((b) => b.phase === 'warmup').reduce((a, b) => a + b.records, 0)).toBe(WARMUP.records);
    expect(observed.bodies.filter((b) => b.phase === 'dayStart').reduce((a, b) => a + b.records, 0)).toBe(DAY_START.records);
    expect(observed.endpointRecords).toBe(20_000);
    for (const body of observed.bodies.slice(0, -1).filter((b, i, all) => all[i + 1]?.kind === b.kind && all[i + 1]?.phase === b.phase)) expect(body.records).toBe(500);
  });

  it('mixes about 10 % sign-ins, 60 % Activity and 30 % Graph, and its counts say so', () => {
    const c = observed.categories;
    expect(c['ManagedIdentitySignInLogs']! / RECORDS).toBeGreaterThan(0.09);
    expect(c['ManagedIdentitySignInLogs']! / RECORDS).toBeLessThan(0.11);
    expect(c['Administrative']! / RECORDS).toBeGreaterThan(0.57);
    expect(c['Administrative']! / RECORDS).toBeLessThan(0.63);
    expect(c['MicrosoftGraphActivityLogs']! / RECORDS).toBeGreaterThan(0.27);
    expect(c['MicrosoftGraphActivityLogs']! / RECORDS).toBeLessThan(0.33);
    expect(sum('measure', 'remote-use', 'signIn')).toBe(c['ManagedIdentitySignInLogs']);
    expect(sum('measure', 'remote-use', 'activity')).toBe(c['Administrative']);
    expect(sum('measure', 'remote-use', 'graph')).toBe(c['MicrosoftGraphActivityLogs']);
  });

  it('uses every identity in the measured phase', () => {
    expect(observed.measuredPrincipals.size).toBe(IDENTITIES);
  });

  it('keeps each identity on a small stable set of addresses, almost all of them Microsoft’s', () => {
    const asn = new Map<string, number | undefined>();
    let azure = 0;
    let all = 0;
    for (const [, ips] of observed.measuredIps) {
      const known = [...ips].filter((ip) => {
        if (!asn.has(ip)) asn.set(ip, lookupAsn(ip)?.asn);
        return ![14061, 16276, 24940].includes(asn.get(ip)!);
      });
      expect(known.length).toBeLessThanOrEqual(4);
      all += ips.size;
      azure += [...ips].filter((ip) => asn.get(ip) === 8075).length;
    }
    expect(azure / all).toBeGreaterThan(0.97);
    expect(sum('measure', 'remote-use', 'external')).toBeGreaterThan(0);
    expect(sum('measure', 'remote-use', 'novel')).toBeGreaterThan(0);
  });

  it('the warm-up days and again the day start show every identity with every address the measured phase uses (novel ones aside)', () => {
    for (const seen of [observed.warmupIps, observed.dayStartIps]) {
      for (const [principal, ips] of observed.measuredIps) {
        const warm = seen.get(principal);
        expect(warm, principal).toBeDefined();
        for (const ip of ips) {
          // Novel uses come from the hosting networks, whichever of them the stream drew.
          if (HOSTING_ASNS.has(lookupAsn(ip)?.asn ?? 0)) continue;
          expect(warm!.has(ip), `${principal} ${ip}`).toBe(true);
        }
      }
    }
    expect(sum('warmup', 'remote-use', 'novel')).toBe(0);
    expect(sum('dayStart', 'remote-use', 'novel')).toBe(0);
  });

  it('links most uses to a sign-in earlier in the stream', () => {
    expect(observed.usesWithKnownToken / observed.measuredUses).toBeGreaterThan(0.9);
  });
});

describe('benchBodies: time and shape', () => {
  it('is time-ordered; the day start opens the day after the warm-up days, the measured phase (and endpoint telemetry) the rest of it', () => {
    expect(observed.outOfOrder).toBe(0);
    const start = Date.parse('2026-09-01T00:00:00Z');
    const dayEnd = start + WARMUP.days * DAY_MS + DAY_START.hours * 3_600_000;
    expect(observed.times.warmupLast).toBeLessThan(start + WARMUP.days * DAY_MS);
    expect(observed.times.dayStartFirst).toBeGreaterThanOrEqual(start + WARMUP.days * DAY_MS);
    expect(observed.times.dayStartLast).toBeLessThan(dayEnd);
    expect(observed.times.measureFirst).toBeGreaterThanOrEqual(dayEnd);
    expect(observed.times.measureLast).toBeLessThan(start + (WARMUP.days + 1) * DAY_MS);
    expect(observed.times.endpointFirst).toBeGreaterThanOrEqual(dayEnd);
    expect(observed.times.endpointLast).toBeLessThan(start + (WARMUP.days + 1) * DAY_MS);
    const names = observed.bodies.map((b) => b.name);
    for (const kind of ['bench-warmup-', 'bench-daystart-', 'bench-0', 'endpoint-']) {
      const ofKind = names.filter((n) => n.startsWith(kind));
      expect([...ofKind].sort()).toEqual(ofKind);
    }
  });

  it('has exactly the key structure of the demo tenant’s records of the same source', () => {
    const tenant = generateDemoTenant({ days: 40, identities: 12 });
    const reference = new Map<string, string>();
    for (const body of tenant.bodies) {
      for (const r of body.body.records as Json[]) {
        if (r === null || typeof r !== 'object' || typeof r['time'] !== 'string') continue;
        const category = String(r['category']);
        const isMi = category === 'ManagedIdentitySignInLogs' || (category === 'Administrative' && 'xms_mirid' in ((r['identity'] as Json)['claims'] as Json)) || (category === 'MicrosoftGraphActivityLogs' && tenant.identities.some((i) => i.servicePrincipalId === principalOf(r)));
        if (isMi && !reference.has(category)) reference.set(category, shapeOf(r));
      }
    }
    expect([...observed.shapes.keys()].sort()).toEqual(['Administrative', 'ManagedIdentitySignInLogs', 'MicrosoftGraphActivityLogs']);
    for (const [category, shape] of observed.shapes) expect(shape, category).toBe(reference.get(category));
  });

  it('endpoint bodies are all understood by the project’s endpoint parsers', () => {
    expect(observed.endpointRejects).toBe(0);
  });
});

describe('benchBodies: options and determinism', () => {
  const digest = (options: Parameters<typeof benchBodies>[0], bodies: number) => {
    const hash = createHash('sha256');
    let n = 0;
    for (const body of benchBodies(options)) {
      hash.update(body.text);
      if (++n === bodies) break;
    }
    return hash.digest('hex');
  };

  it('is byte-identical for the same seed and different for another (first 40 bodies)', () => {
    const options = { records: RECORDS, identities: IDENTITIES };
    expect(digest(options, 40)).toBe(digest(options, 40));
    expect(digest({ ...options, seed: 99 }, 40)).not.toBe(digest(options, 40));
  });

  it.each([
    [{ records: 199_999, identities: 5_000 }, /records/],
    [{ records: 200_000, identities: 4_999 }, /identities/],
    [{ records: 200_000, identities: 5_000, recordsPerBody: 0 }, /recordsPerBody/],
    [{ records: 200_000, identities: 5_000, warmup: { days: 0, records: 10 } }, /warmup\.days/],
    [{ records: 200_000, identities: 5_000, externalShare: 2 }, /externalShare/],
    [{ records: 200_000, identities: 5_000, dayStart: { hours: 24, records: 10 } }, /dayStart\.hours/],
    [{ records: 200_000, identities: 5_000, dayStart: { hours: 6, records: 0 } }, /dayStart\.records/],
    [{ records: 200_000, identities: 5_000, start: 'soon' }, /start/],
  ])('rejects %o before generating anything', (options, message) => {
    expect(() => benchBodies(options)).toThrow(message);
  });

  it('generateBenchStream collects the same bodies and totals', () => {
    const stream = generateBenchStream({ records: RECORDS, identities: IDENTITIES, endpointRecords: 1_000, recordsPerBody: 2_000 });
    expect(stream.bodies.reduce((a, b) => a + b.records, 0)).toBe(RECORDS);
    expect(stream.totals.measure.signIn + stream.totals.measure.activity + stream.totals.measure.graph).toBe(RECORDS);
    expect(stream.totals.endpoint.endpoint).toBe(1_000);
    expect(stream.warmupBodies).toEqual([]);
    expect(stream.bodies.every((b) => b.records <= 2_000)).toBe(true);
  }, 60_000);

  it('generateBenchStream puts the day start after the warm-up days among the untimed bodies', () => {
    const stream = generateBenchStream({ records: RECORDS, identities: IDENTITIES, endpointRecords: 0, recordsPerBody: 2_000, warmup: { days: 15, records: 6_000 }, dayStart: DAY_START });
    expect(stream.warmupBodies.map((b) => b.phase)).toEqual([...Array<string>(3).fill('warmup'), ...Array<string>(13).fill('dayStart')]);
    const t = stream.totals.warmup;
    expect(t.signIn + t.activity + t.graph).toBe(6_000 + DAY_START.records);
    expect(stream.bodies.reduce((a, b) => a + b.records, 0)).toBe(RECORDS);
  }, 60_000);
});
