import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { createTableClient, ensureTable } from '../../src/adapters/tableClient';
import { TableRejectSink } from '../../src/adapters/tableRejectSink';
import { TableStateStore } from '../../src/adapters/tableStateStore';
import { handleRemoteTokenUse } from '../../src/app/remoteUseHandler';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { toStreamRow } from '../../src/core/alerts/sentinelSchema';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, graphUse, identity, miSignIn, ONPREM_IP, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { createRandom } from '../../src/demo/random';

/**
 * Poison records never stop a partition. Real-shaped records (the audit fixtures, the endpoint
 * fixtures of every format) are mutated with what producers and attackers can send: strings of
 * tens of kilobytes to megabytes, nesting thousands of levels deep (in a field or as the whole
 * record), `__proto__` / `constructor` / `prototype` keys, values of the wrong type, lone
 * surrogates, times from 1601 to 9999, caller addresses other parsers take (`01.2.3.4`,
 * `1.2.3.4/32`, `16909060`). They are judged by the Event Hub handlers against Azurite (the memory
 * twin has no size limits), with the dead letters written to Azurite too, in batches of
 * MUTATED_PER_BATCH with unmutated canary records among them. For every batch:
 * - the handler returns (a data problem is never thrown: thrown, the batch would be redelivered
 *   forever);
 * - every record is judged or rejected, and every canary is judged: its alert is there;
 * - nothing needed the store's last line (no `state.*` reject): the core bounded every value;
 * - every alert is sendable and well under the Logs Ingestion API's 1 MB per row;
 * - no prototype was polluted.
 * Fixed seed: a failure names the batch seed that reproduces it.
 */
const SEED = 20_261_206;
/** 15 batches of 100 mutated records per detector: 3,000 cases. POISON_FUZZ_BATCHES=200 for a longer search. */
const BATCHES = Number(process.env['POISON_FUZZ_BATCHES'] ?? 15);
const MUTATED_PER_BATCH = 100;
const NOW = Date.UTC(2026, 10, 23);
/** Per test: a batch takes about half a second against Azurite here; four seconds each leaves room for a loaded machine. */
const TIMEOUT_MS = Math.max(60_000, BATCHES * 4_000);
/** Half the Logs Ingestion limit of 1 MB per row: "well under". */
const ALERT_ROW_BYTES_MAX = 512 * 1024;

type Next = () => number;
const pick = <T>(next: Next, list: readonly T[]): T => list[Math.floor(next() * list.length)]!;

const deepArray = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
const deepObject = (depth: number): unknown => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

/**
 * Strings past Table Storage's 32,768 characters per property, one past 1 MiB per entity (UTF-16)
 * on its own, in other alphabets and as JSON escapes. Sized just past the limits: the theft rules
 * read a command line at about a microsecond per character, and a few thousand cases must run in
 * well under a minute.
 */
const HUGE_STRINGS: readonly (() => string)[] = [
  () => 'x'.repeat(40_000),
  () => 'C:\\Windows\\Temp\\'.repeat(2_500),
  () => 'é'.repeat(40_000),
  () => '\u{1F600}'.repeat(20_000),
  () => `curl http://169.254.169.254/metadata/identity/oauth2/token?resource=https://management.azure.com/ -H Metadata:true ${'A'.repeat(600_000)}`,
  () => '\u0001'.repeat(40_000),
];

const ODD_TIMES: readonly unknown[] = [
  '1601-01-01T00:00:00Z',
  '1601-01-01T00:00:00.0000000Z',
  '0001-01-01T00:00:00Z',
  '2014-12-31T23:59:59Z',
  '9999-12-31T23:59:59.9999999Z',
  '2099-01-01T00:00:00Z',
  new Date(NOW + 3 * 86_400_000).toISOString(),
  '+275760-09-13T00:00:00Z',
  '2026-02-30T25:61:61Z',
  0,
  -1,
  1e16,
  8.64e15,
  '116444736000000000',
  '1/1/1601 12:00:00 AM',
];

const ODD_IPS: readonly unknown[] = [
  '01.2.3.4',
  '1.2.3.4/32',
  '203.0.113.0/24',
  '16909060',
  16909060,
  '0x7f000001',
  '1.2.3',
  '999.1.1.1',
  '1.2.3.4.5',
  '[1.2.3.4]:443',
  `fe80::1%${'z'.repeat(100)}`,
  '::ffff:203.0.113.7',
  '[2001:db8::66]:443',
  '169.254.169.254',
  '<Redacted>:62289',
  ' 203.0.113.9 ',
];

const SWAPS: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1.5,
  () => Number.MAX_SAFE_INTEGER,
  () => '',
  () => [],
  () => ['a', 1, null],
  () => ({}),
  () => ({ nested: { value: [1, { x: 'y' }] } }),
  () => '\ud800',
  () => 'a\udc00b',
  () => `x\ud83d`,
  () => Array.from({ length: 50_000 }, (_, i) => i),
];

/** `__proto__` and friends as own keys, the way JSON.parse makes them. */
const HOSTILE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** Paths to the values of a JSON tree (object keys and array indexes), down to a depth of 8. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length >= 8) return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.slice(0, 20).map((v, i) => [i, v]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    pathsOf(child, [...prefix, key], out);
  }
  return out;
}

function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** One record, mutated one to three times; sometimes replaced as a whole by a deep array. */
function mutate(record: unknown, next: Next): unknown {
  if (next() < 0.03) return deepArray(2_000 + Math.floor(next() * 20_000));
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  const mutations = 1 + Math.floor(next() * 3);
  for (let m = 0; m < mutations; m++) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const target = pick(next, paths);
    let parent: Record<string | number, unknown> = copy;
    for (const step of target.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
    const last = target[target.length - 1]!;
    const roll = next();
    if (roll < 0.18) setOwn(parent, last, pick(next, HUGE_STRINGS)());
    else if (roll < 0.26) setOwn(parent, last, next() < 0.5 ? deepArray(1_000 + Math.floor(next() * 10_000)) : deepObject(1_000 + Math.floor(next() * 10_000)));
    else if (roll < 0.36) {
      const holder = parent[last] !== null && typeof parent[last] === 'object' && !Array.isArray(parent[last]) ? (parent[last] as Record<string, unknown>) : parent;
      if (!Array.isArray(holder)) setOwn(holder, pick(next, HOSTILE_KEYS), next() < 0.5 ? { polluted: true, toString: 'x' } : 'polluted');
    } else if (roll < 0.56) setOwn(parent, last, pick(next, SWAPS)());
    else if (roll < 0.7) setOwn(parent, last, pick(next, ODD_TIMES));
    else if (roll < 0.84) setOwn(parent, last, pick(next, ODD_IPS));
    else if (roll < 0.92 && typeof parent[last] === 'string') setOwn(parent, last, `${String(parent[last])}\ud800`);
    else if (!Array.isArray(parent)) delete parent[last];
  }
  // Sometimes the known fields themselves, not only a random path.
  if (next() < 0.3 && copy['time'] !== undefined) copy['time'] = pick(next, ODD_TIMES);
  if (next() < 0.3 && copy['callerIpAddress'] !== undefined) copy['callerIpAddress'] = pick(next, ODD_IPS);
  return copy;
}

const FIXTURES = path.join(__dirname, '../fixtures');

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8')) as unknown;
}

/** The audit records: the fixture helpers' three sources, and the Key Vault and Storage fixtures' records. */
function auditBases(): unknown[] {
  const id = identity(7);
  const arc = identity(8, 'arc');
  const fromFiles = ['keyvault', 'storage'].flatMap((dir) =>
    readdirSync(path.join(FIXTURES, 'audit', dir)).flatMap((file) => {
      const body = readJson(path.join(FIXTURES, 'audit', dir, file));
      return typeof body === 'object' && body !== null && 'records' in body && Array.isArray(body.records) ? (body.records as unknown[]) : [body];
    }),
  );
  return [miSignIn(id, at(20)), activityUse(id, at(20, 5), ATTACKER_IP), activityUse(arc, at(20, 6), ONPREM_IP, { withMirid: false }), graphUse(id, at(20, 8), ATTACKER_IP, { issuedAtMs: at(20) }), ...fromFiles];
}

function endpointBases(): unknown[] {
  const root = path.join(FIXTURES, 'endpoint');
  return readdirSync(root).flatMap((format) => readdirSync(path.join(root, format)).map((file) => readJson(path.join(root, format, file))));
}

/** A fresh identity per batch and canary, used from outside Azure: always an alert (Low while learning, higher after). */
function auditCanaries(batch: number): { records: unknown[]; objectIds: string[] } {
  const records: unknown[] = [];
  const objectIds: string[] = [];
  for (let k = 0; k < 3; k++) {
    const id = identity(1_000 + batch * 10 + k);
    records.push(miSignIn(id, at(21, k)), activityUse(id, at(21, k + 5), ATTACKER_IP));
    objectIds.push(id.objectId);
  }
  return { records, objectIds };
}

/** The ECS curl request for a GCP token, on a host of its own per batch: always an alert. */
function endpointCanary(batch: number): { record: unknown; host: string } {
  const record = readJson(path.join(FIXTURES, 'endpoint/ecs/process-curl-gcp-token.json')) as Record<string, Record<string, unknown>>;
  const host = `lnx-canary-${batch}.contoso.com`;
  record['host'] = { ...record['host'], name: host, hostname: host, id: `6c1f5d0a-0000-4000-8000-${String(batch).padStart(12, '0')}` };
  record['event'] = { ...record['event'], id: `canary-${batch}` };
  return { record, host };
}

function context(batch: number): InvocationContext {
  return new InvocationContext({ invocationId: `fuzz-${batch}`, functionName: 'fuzz', triggerMetadata: { partitionContext: { partitionId: '0' }, sequenceNumberArray: [batch] }, logHandler: () => undefined });
}

/** What the prototypes hold before the run: a mutation must never add to them. */
function prototypeKeys(): string[] {
  return [Object.prototype, Array.prototype, Function.prototype, String.prototype].map((p) => Object.getOwnPropertyNames(p).sort().join(','));
}

function expectUnpolluted(before: readonly string[], seed: number): void {
  expect(prototypeKeys(), `seed ${seed}: a prototype gained a property`).toEqual(before);
  const probe: Record<string, unknown> = {};
  expect(probe['polluted'], `seed ${seed}`).toBeUndefined();
}

function expectSendable(alerts: readonly AlertRow[], seed: number): void {
  for (const alert of alerts) {
    const sent = toStreamRow(alert);
    if (!sent.ok) throw new Error(`seed ${seed}: alert ${alert.AlertId} not sendable: ${sent.reason}`);
    expect(Buffer.byteLength(JSON.stringify(sent.row)), `seed ${seed}: alert ${alert.AlertId} row size`).toBeLessThan(ALERT_ROW_BYTES_MAX);
  }
}

function expectNoStateRejects(rejectsByReason: Record<string, number>, seed: number): void {
  expect(Object.keys(rejectsByReason).filter((reason) => reason.startsWith('state.')), `seed ${seed}: a value reached the store unbounded`).toEqual([]);
}

async function azuriteDeps() {
  const conn = azuriteConnectionString();
  const stateTable = uniqueTableName('fuzzstate');
  const rejectTable = uniqueTableName('fuzzrejects');
  await Promise.all([ensureTable(conn, stateTable), ensureTable(conn, rejectTable)]);
  return {
    store: new TableStateStore(createTableClient({ connectionString: conn }, stateTable), { cachePartitions: 1_000 }),
    deadLetter: new TableRejectSink(createTableClient({ connectionString: conn }, rejectTable), () => new Date(NOW)),
    sink: new MemoryAlertSink(),
    now: () => NOW,
  };
}

describe('poison records are rejects, never retries (fuzz, against Azurite)', () => {
  let before: string[];
  beforeAll(() => {
    before = prototypeKeys();
  });
  afterAll(() => {
    expect(prototypeKeys()).toEqual(before);
  });

  it(`remote use: ${BATCHES} batches of ${MUTATED_PER_BATCH} mutated records`, async () => {
    const deps = { ...(await azuriteDeps()), settings: defaultRemoteUseSettings(testClassifier) };
    const bases = auditBases();
    const reasons = new Set<string>();
    for (let batch = 0; batch < BATCHES; batch++) {
      const seed = SEED + batch;
      // The demo's seeded generator (mulberry32), so a failure names the seed that reproduces it.
      const next = createRandom(seed).next;
      const mutated = Array.from({ length: MUTATED_PER_BATCH }, () => mutate(pick(next, bases), next));
      const canaries = auditCanaries(batch);
      // Canaries spread through the batch: a poison record before or after one changes nothing for it.
      const records = [...mutated.slice(0, 50), ...canaries.records, ...mutated.slice(50)];
      const alertsBefore = deps.sink.rows.length;
      const report = await handleRemoteTokenUse([{ records }], context(batch), deps).catch((error: unknown) => {
        throw new Error(`seed ${seed}: the batch failed: ${String(error)}`);
      });
      expect(report.records, `seed ${seed}`).toBe(records.length);
      // Every record is an event (judged or counted) or a reject.
      const d = report.detection;
      const otherEvents = Object.values(d.other).reduce((a, b) => a + b, 0);
      expect(d.issuances + d.uses + otherEvents + report.rejects, `seed ${seed}: records neither judged nor rejected`).toBe(report.records);
      for (const count of Object.values(report.byCategory)) expect(typeof count, `seed ${seed}: byCategory`).toBe('number');
      const alerts = deps.sink.rows.slice(alertsBefore);
      for (const objectId of canaries.objectIds) expect(alerts.some((a) => a.IdentityObjectId === objectId), `seed ${seed}: canary ${objectId} not judged`).toBe(true);
      expectNoStateRejects(report.rejectsByReason, seed);
      expectSendable(alerts, seed);
      expectUnpolluted(before, seed);
      for (const reason of Object.keys(report.rejectsByReason)) reasons.add(reason);
    }
    // The mutations reach the new reject reasons, not only harmless fields.
    for (const reason of ['record.too-deep', 'record.bad-ip', 'record.time-out-of-window']) expect(reasons, reason).toContain(reason);
  }, TIMEOUT_MS);

  it(`token theft: ${BATCHES} batches of ${MUTATED_PER_BATCH} mutated records`, async () => {
    const deps = { ...(await azuriteDeps()), settings: loadTheftSettings(undefined) };
    const bases = endpointBases();
    const reasons = new Set<string>();
    for (let batch = 0; batch < BATCHES; batch++) {
      const seed = SEED + 100_000 + batch;
      // The demo's seeded generator (mulberry32), so a failure names the seed that reproduces it.
      const next = createRandom(seed).next;
      const mutated = Array.from({ length: MUTATED_PER_BATCH }, () => mutate(pick(next, bases), next));
      const canary = endpointCanary(batch);
      const records = [...mutated.slice(0, 50), canary.record, ...mutated.slice(50)];
      const alertsBefore = deps.sink.rows.length;
      const report = await handleTokenTheft([{ records }], context(batch), deps).catch((error: unknown) => {
        throw new Error(`seed ${seed}: the batch failed: ${String(error)}`);
      });
      expect(report.records, `seed ${seed}`).toBe(records.length);
      const s = report.summary;
      const ignored = Object.values(s.ignored).reduce((a, b) => a + b, 0);
      const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
      expect(s.parsed + ignored + rejected, `seed ${seed}: records neither judged, ignored nor rejected`).toBe(report.records);
      const alerts = deps.sink.rows.slice(alertsBefore);
      expect(alerts.some((a) => a.HostName === canary.host), `seed ${seed}: canary on ${canary.host} not judged`).toBe(true);
      expectNoStateRejects(report.rejectsByReason, seed);
      expectSendable(alerts, seed);
      expectUnpolluted(before, seed);
      for (const reason of Object.keys(report.rejectsByReason)) reasons.add(reason);
    }
    for (const reason of ['record.too-deep', 'record.time-out-of-window']) expect(reasons, reason).toContain(reason);
  }, TIMEOUT_MS);
});
