import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import type { StateStore } from '../../src/adapters/stateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { handleRemoteTokenUse } from '../../src/app/remoteUseHandler';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';
import { toStreamRow } from '../../src/core/alerts/sentinelSchema';
import { wellFormed, wellFormedJson } from '../../src/core/records/wellFormed';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, ATTACKER_IP, at, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP, testClassifier } from '../support/auditFixtures';
import { createRandom } from '../../src/demo/random';

/**
 * Under the Event Hub retry policy (no limit) an invocation that throws is redelivered forever and
 * its partition stops, so no record, however malformed, may make a handler throw: it is judged or
 * it is a counted reject. These batches are real-shaped records with one to three fields replaced
 * by values producers and attackers can send (wrong types, times out of range, addresses that are
 * not addresses, huge and deeply nested values, removed fields), from a fixed seed.
 */

const deep = (depth: number): unknown => JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);

const HOSTILE_VALUES: readonly (() => unknown)[] = [
  () => null,
  () => true,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e16,
  () => -1e308,
  () => 1e308,
  () => '',
  () => ' ',
  () => '\u0000\u202e',
  () => '\ud800',
  () => 'x'.repeat(20_000),
  () => '1e16',
  () => '99999999999999999999',
  () => '9999-12-31T23:59:59.9999999Z',
  () => '0000-00-00T00:00:00Z',
  () => '2026-02-30T25:61:61Z',
  () => '169.254.169.254:80',
  () => '[::ffff:a9fe:a9fe]:443',
  () => '999.1.1.1',
  () => '::',
  () => '0x7f.1',
  () => 'http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/',
  () => '/var/run/secrets/kubernetes.io/serviceaccount/token',
  () => 'C:\\Users\\a\\AppData\\Local\\Temp\\..\\..\\.azure\\msal_token_cache.json',
  () => [],
  () => ['a', 1, null],
  () => ({}),
  () => ({ nested: { value: [1, { x: 'y' }] } }),
  () => deep(40_000),
];

/** Paths to the values of a JSON tree (object keys and array indexes), down to a depth of 12. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (prefix.length >= 12) return out;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : value !== null && typeof value === 'object' ? Object.entries(value) : [];
  for (const [key, child] of entries) {
    out.push([...prefix, key]);
    pathsOf(child, [...prefix, key], out);
  }
  return out;
}

function mutate(record: unknown, next: () => number): unknown {
  const copy = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
  const mutations = 1 + Math.floor(next() * 3);
  for (let m = 0; m < mutations; m++) {
    const paths = pathsOf(copy);
    if (paths.length === 0) break;
    const target = paths[Math.floor(next() * paths.length)]!;
    let parent: Record<string | number, unknown> = copy;
    for (const step of target.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
    const last = target[target.length - 1]!;
    if (next() < 0.15 && !Array.isArray(parent)) delete parent[last];
    else parent[last] = HOSTILE_VALUES[Math.floor(next() * HOSTILE_VALUES.length)]!();
  }
  return copy;
}

/**
 * The memory twin, checking every key a batch writes the way Table Storage would take it: no
 * forbidden character, and text the SDK can put into a request URL (a lone surrogate cannot be).
 */
function tableLikeStore(): StateStore {
  const memory = new MemoryStateStore();
  return {
    load: (keys) => memory.load(keys),
    readRows: (addresses) => {
      for (const address of addresses) expect(() => encodeURIComponent(address.partitionKey + address.rowKey)).not.toThrow();
      return memory.readRows(addresses);
    },
    commit: (changes, judgedOn) => {
      for (const change of changes) {
        for (const key of [change.partitionKey, change.rowKey]) {
          expect(key, 'a key Table Storage forbids').not.toMatch(/[/\\#?\u0000-\u001f\u007f-\u009f]/);
          expect(() => encodeURIComponent(key), `key ${JSON.stringify(key)}`).not.toThrow();
        }
      }
      return memory.commit(changes, judgedOn);
    },
  };
}

/** Sinks the fuzzed batches are judged into, checked after every batch. */
interface FuzzSinks {
  readonly sink: MemoryAlertSink;
  readonly deadLetter: MemoryRejectSink;
}

/** What leaves the process (alert rows as sent, dead letters) is text strict JSON readers take. */
function expectWellFormedOutput(deps: FuzzSinks, seed: number): void {
  for (const reject of deps.deadLetter.rejects) expect(wellFormed(`${reject.sample}${reject.detail}`), `seed ${seed}: ${reject.reason}`).toBe(`${reject.sample}${reject.detail}`);
  for (const alert of deps.sink.rows) {
    const sent = toStreamRow(alert);
    if (!sent.ok) throw new Error(`seed ${seed}: alert ${alert.AlertId} not sendable: ${sent.reason}`);
    expect(wellFormedJson(sent.row), `seed ${seed}: alert ${alert.AlertId}`).toEqual(sent.row);
  }
}

function context(): InvocationContext {
  return new InvocationContext({ invocationId: 'fuzz', functionName: 'fuzz', triggerMetadata: { partitionContext: { partitionId: '0' } }, logHandler: () => undefined });
}

const auditRecords = (): unknown[] => {
  const id = identity(7);
  const arc = identity(8, 'arc');
  return [
    miSignIn(id, at(20)),
    activityUse(id, at(20, 5), ATTACKER_IP),
    activityUse(arc, at(20, 6), ONPREM_IP, { withMirid: false }),
    graphUse(id, at(20, 7), AZURE_IP),
    graphUse(id, at(20, 8), ATTACKER_IP, { issuedAtMs: at(20) }),
  ];
};

const endpointRecords = (): unknown[] => {
  const root = path.join(__dirname, '../fixtures/endpoint');
  return readdirSync(root).flatMap((format) => readdirSync(path.join(root, format)).map((file) => JSON.parse(readFileSync(path.join(root, format, file), 'utf8')) as unknown));
};

/**
 * Sends `batches` batches of mutated records (seeds firstSeed, firstSeed + 1, …) through `handle`:
 * every batch must return, count every record, and leave well-formed output. Returns the rejects.
 */
async function fuzz(bases: readonly unknown[], batches: number, firstSeed: number, sinks: FuzzSinks, handle: (messages: unknown[]) => Promise<{ records: number; rejects: number }>): Promise<number> {
  let rejects = 0;
  for (let seed = firstSeed; seed < firstSeed + batches; seed++) {
    // The demo's seeded generator (mulberry32), so a failure names the seed that reproduces it.
    const next = createRandom(seed).next;
    const records = Array.from({ length: RECORDS_PER_BATCH }, () => mutate(bases[Math.floor(next() * bases.length)], next));
    const report = await handle([{ records }]).catch((error: unknown) => {
      throw new Error(`seed ${seed}: the batch failed: ${String(error)}`);
    });
    expect(report.records, `seed ${seed}`).toBe(RECORDS_PER_BATCH);
    expectWellFormedOutput(sinks, seed);
    rejects += report.rejects;
  }
  return rejects;
}

const RECORDS_PER_BATCH = 25;

describe('malformed records never fail a batch', () => {
  // 40 batches of 25 per detector in CI; FUZZ_BATCHES=2000 npx vitest run test/app/malformedRecords.test.ts for a longer search.
  const BATCHES = Number(process.env['FUZZ_BATCHES'] ?? 40);

  it('remote use: every mutated record is judged or rejected, and the handler returns', async () => {
    const deps = { store: tableLikeStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier), now: () => Date.UTC(2026, 10, 23) };
    const rejects = await fuzz(auditRecords(), BATCHES, 1, deps, (messages) => handleRemoteTokenUse(messages, context(), deps));
    // The mutations do reach the parsers' reject paths (not only harmless fields).
    expect(rejects).toBeGreaterThan(BATCHES);
  });

  it('token theft: every mutated record is judged, ignored or rejected, and the handler returns', async () => {
    const deps = { store: tableLikeStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => Date.UTC(2026, 10, 23) };
    const rejects = await fuzz(endpointRecords(), BATCHES, 1_001, deps, (messages) => handleTokenTheft(messages, context(), deps));
    expect(rejects).toBeGreaterThan(BATCHES);
  });
});
