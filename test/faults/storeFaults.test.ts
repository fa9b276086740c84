import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultAsnDataFile } from '../../src/adapters/asnData';
import { generateDemoTenant, type DemoTenant } from '../../src/demo/tenant';
import { azuriteConnectionString } from '../support/azurite';
import { runWithFaults, tableEndpointOf, type FaultRunOptions, type FaultRunResult } from './faultHarness';
import { FaultProxy, TABLE_PATHS, type Fault, type FaultRule } from './faultProxy';

/**
 * Store faults as regression tests: the smallest demo tenant (12 identities, 40 days, 6,496
 * records with planted attacks and a broken body) through the remote-use handler on two instances,
 * against Azurite behind a fault-injecting proxy. Each scenario must end exactly as the run without
 * faults: the same AlertIds (none lost, none extra), the same state rows and the same dead letters.
 * Every scenario also checks that its faults were injected, so none passes by missing its target.
 */

const batch = (on: readonly number[], fault: Fault): FaultRule => ({ method: 'POST', path: TABLE_PATHS.batch, on, fault });
const query = (on: readonly number[], fault: Fault): FaultRule => ({ method: 'GET', path: TABLE_PATHS.query, on, fault });
const pointRead = (on: readonly number[], fault: Fault): FaultRule => ({ method: 'GET', path: TABLE_PATHS.pointRead, on, fault });

interface Scenario {
  readonly name: string;
  readonly rules: readonly FaultRule[];
  /** Kinds of fault the scenario must have injected at least once. */
  readonly injects: readonly Fault['kind'][];
  readonly run?: Partial<FaultRunOptions>;
  /** Whether the faults must have failed an invocation (so the batch was delivered again). */
  readonly redelivers?: boolean;
}

/** 3 s: the instances' request timeout; a held answer (3.5 s) outlives it. */
const REQUEST_TIMEOUT_MS = 3_000;

const SCENARIOS: readonly Scenario[] = [
  {
    name: 'connections dropped before the request reaches the store',
    rules: [batch([3, 40, 200], { kind: 'drop-before' }), query([2, 25], { kind: 'drop-before' })],
    injects: ['drop-before'],
  },
  {
    name: 'connections dropped after the store applied the write',
    rules: [batch([3, 40, 200, 400], { kind: 'drop-after' })],
    injects: ['drop-after'],
  },
  {
    name: 'slow answers, and an answer held past the client timeout after the write was applied',
    rules: [batch([10, 150], { kind: 'delay', ms: 400 }), query([5], { kind: 'delay', ms: 400 }), batch([60], { kind: 'slow-answer', ms: REQUEST_TIMEOUT_MS + 500 })],
    injects: ['delay', 'slow-answer'],
  },
  {
    name: '500, 503 and 429 instead of the answer (nothing applied)',
    rules: [
      batch([7], { kind: 'status', status: 500 }),
      batch([90, 91], { kind: 'status', status: 429, headers: { 'retry-after': '1' } }),
      query([4], { kind: 'status', status: 503 }),
      pointRead([1], { kind: 'status', status: 503 }),
    ],
    injects: ['status'],
  },
  {
    name: '409 and 412 on $batch after the write was applied',
    rules: [batch([8, 120], { kind: 'status-after', status: 409 }), batch([15, 250], { kind: 'status-after', status: 412 })],
    injects: ['status-after'],
  },
  {
    name: 'a store outage longer than the client retries',
    // About 7 s of client retries (1 + 2 + 4 s): the invocation fails and is delivered again while the store is still down.
    rules: [batch([100], { kind: 'down', ms: 9_000 })],
    injects: ['down'],
    redelivers: true,
  },
  {
    name: 'alert uploads that fail after the rows reached the feed',
    rules: [],
    injects: [],
    run: { failingSends: [2, 4] },
    redelivers: true,
  },
  {
    name: 'both instances delivered the same batches at once, with writes dropped after they were applied',
    rules: [batch([20, 150], { kind: 'drop-after' })],
    injects: ['drop-after'],
    run: { duplicateDelivery: true },
  },
];

describe.skipIf(!existsSync(defaultAsnDataFile()))('store faults', () => {
  let proxy: FaultProxy;
  let tenant: DemoTenant;
  let options: FaultRunOptions;
  let clean: FaultRunResult;

  beforeAll(async () => {
    proxy = new FaultProxy(tableEndpointOf(azuriteConnectionString()));
    const proxyUrl = await proxy.start();
    tenant = generateDemoTenant({ identities: 12, days: 40 });
    // 14 bodies per invocation (3 invocations, handed to the two instances in turn), judged in slices
    // of 2 MB (2 per invocation), so a fault can also land between two slices of one invocation.
    options = { azurite: azuriteConnectionString(), proxyUrl, tenant, bodiesPerInvocation: 14, requestTimeoutMs: REQUEST_TIMEOUT_MS, maxSliceBytes: 2 * 1024 * 1024 };
    proxy.setRules([]);
    clean = await runWithFaults(options);
  }, 120_000);

  afterAll(async () => proxy?.stop());

  it('the run without faults raises the planted alerts and dead-letters the broken body', () => {
    expect(clean.redeliveries).toBe(0);
    expect(clean.alerts.length).toBeGreaterThanOrEqual(tenant.planted.filter((p) => p.expectAlert).length);
    expect(Object.keys(clean.deadLetters)).toHaveLength(tenant.malformed.records);
    expect(Object.keys(clean.state).length).toBeGreaterThan(1_000);
  });

  it.each(SCENARIOS)('$name: no alert lost, none extra, the same state', async (scenario) => {
    proxy.setRules(scenario.rules);
    const faulty = await runWithFaults({ ...options, ...scenario.run });
    const kinds = new Set(proxy.injected.map((f) => f.kind));
    for (const kind of scenario.injects) expect(kinds, `injected ${kind}`).toContain(kind);
    if (scenario.redelivers) expect(faulty.redeliveries).toBeGreaterThan(0);
    expect(faulty.alerts).toEqual(clean.alerts);
    expect(faulty.state, 'state').toEqual(clean.state);
    expect(faulty.deadLetters).toEqual(clean.deadLetters);
  }, 90_000);
});
