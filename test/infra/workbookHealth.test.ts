import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { StateStoreError } from '../../src/adapters/stateStore';
import { enqueuedLagSeconds, handleRemoteTokenUse } from '../../src/app/remoteUseHandler';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { activityUse, at, ATTACKER_IP, identity, miSignIn, testClassifier } from '../support/auditFixtures';
import { kqlDiagnostics, type KqlColumnType } from '../support/kusto';
import { REPO_ROOT, modules, property, readBicep } from './bicep';

/**
 * The workbook's pipeline-health tiles (batches, rejects by reason, retries, lag) read the one
 * structured line each Event Hub invocation logs, from Application Insights' AppTraces. Checked
 * here: every tile parses against the AppTraces schema, reads the workspace of the app's traces,
 * and every field it reads is one the handlers actually log, under the event names they log.
 */

/** AppTraces columns (Azure Monitor table reference, "AppTraces": Message string, ItemCount int, Properties dynamic, …). */
const APP_TRACES: Record<string, KqlColumnType> = {
  TimeGenerated: 'datetime',
  Message: 'string',
  SeverityLevel: 'int',
  ItemCount: 'int',
  Properties: 'dynamic',
  Measurements: 'dynamic',
  AppRoleName: 'string',
  AppRoleInstance: 'string',
  AppVersion: 'string',
  OperationId: 'string',
  OperationName: 'string',
  ParentId: 'string',
  SDKVersion: 'string',
  ResourceGUID: 'string',
  Type: 'string',
  _ResourceId: 'string',
};

interface WorkbookItem {
  readonly type: number;
  readonly name: string;
  readonly content: { readonly query?: string; readonly crossComponentResources?: string[]; readonly title?: string };
}

const workbook = JSON.parse(readFileSync(join(REPO_ROOT, 'infra/modules/sentinel/workbook.json'), 'utf8')) as { items: WorkbookItem[] };
const health = workbook.items.filter((item) => item.type === 3 && item.name.startsWith('health-'));
const query = (name: string): string => health.find((item) => item.name === name)?.content.query ?? '';
/** The fields of the batch line a query reads (`Batch.<field>`). */
const fieldsRead = (kql: string): string[] => [...new Set([...kql.matchAll(/Batch\.(\w+)/g)].map((m) => m[1] ?? ''))].sort();
/** The event names a query keeps. */
const eventsRead = (kql: string): string[] => [...new Set([...kql.matchAll(/"((?:remoteTokenUse|tokenTheft)\.(?:batch|failed))"/g)].map((m) => m[1] ?? ''))].sort();

/**
 * A logged line as the tiles read it (`parse_json(Message)`): the app redacts inside the line's
 * string values (src/core/redact redactedJson), so the line stays JSON and its counters numbers.
 */
function asTheWorkbookReadsIt(line: string): Record<string, unknown> {
  return JSON.parse(line) as Record<string, unknown>;
}

function contextWith(logs: string[], triggerMetadata: Record<string, unknown>, retryCount = 0): InvocationContext {
  return new InvocationContext({
    invocationId: 'inv-health',
    functionName: 'health',
    triggerMetadata,
    retryContext: { retryCount, maxRetryCount: -1 },
    logHandler: (level, ...args) => logs.push(args.map(String).join(' ')),
  });
}

const NOW = Date.UTC(2026, 2, 22, 12);
const id = identity(71);

/** The structured lines both handlers log for one batch each (the remote-use one with a reject, the theft one retried). */
async function emittedLines(): Promise<Record<string, unknown>[]> {
  const logs: string[] = [];
  const enqueued = [new Date(NOW - 95_000).toISOString(), new Date(NOW - 20_000).toISOString()];
  await handleRemoteTokenUse(
    [{ records: [miSignIn(id, at(0)), activityUse(id, at(0, 5), ATTACKER_IP)] }, 'not json'],
    contextWith(logs, { partitionContext: { partitionId: '1' }, sequenceNumberArray: [10, 11], enqueuedTimeUtcArray: enqueued }),
    { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: defaultRemoteUseSettings(testClassifier), now: () => NOW },
  );
  const fixture = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/endpoint/mde/network-curl-imds-token.json'), 'utf8')) as unknown;
  await handleTokenTheft(
    [{ records: [fixture] }, 'not json'],
    contextWith(logs, { partitionContext: { partitionId: '0' }, sequenceNumberArray: [7, 8] }, 2),
    { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => NOW },
  );
  return logs.map(asTheWorkbookReadsIt);
}

describe('workbook pipeline health', () => {
  it('has tiles for batches, rejects by reason, retries and lag', () => {
    expect(health.map((item) => item.name)).toEqual(['health-batches', 'health-summary', 'health-rejects', 'health-retries', 'health-lag']);
    expect(query('health-rejects')).toMatch(/mv-expand kind=array Reject = Batch\.rejectsByReason/);
    expect(query('health-retries')).toMatch(/toint\(Batch\.retry\) > 0/);
    expect(query('health-lag')).toMatch(/percentile\(LagSeconds, 95\)/);
  });

  it.each(health.map((item) => [item.name, item.content.query ?? ''] as const))('%s parses and type-checks against AppTraces', (_name, kql) => {
    expect(kqlDiagnostics(kql, { AppTraces: APP_TRACES })).toEqual([]);
  });

  it('the check can fail: a column AppTraces lacks is an error', () => {
    expect(kqlDiagnostics(query('health-batches').replace('ItemCount', 'Count_'), { AppTraces: APP_TRACES }).length).toBeGreaterThan(0);
  });

  it('reads the batch line as the JSON it is, as the test reads the handlers\' lines', () => {
    for (const item of health) expect(item.content.query).toContain('| extend Batch = parse_json(Message)\n');
  });

  it('weights counts by ItemCount: Application Insights samples traces', () => {
    for (const item of health.filter((i) => i.name !== 'health-lag')) expect(item.content.query).toMatch(/ItemCount/);
  });

  it("reads the workspace of the app's traces, which sentinel.bicep fills in (the Sentinel workspace unless main.bicep names another)", () => {
    expect(health.every((item) => JSON.stringify(item.content.crossComponentResources) === '["__APP_INSIGHTS_WORKSPACE_RESOURCE_ID__"]')).toBe(true);
    const sentinel = readBicep('infra/modules/sentinel.bicep').text;
    expect(sentinel).toMatch(/'__APP_INSIGHTS_WORKSPACE_RESOURCE_ID__',\s*empty\(appInsightsWorkspaceResourceId\) \? workspace\.id : appInsightsWorkspaceResourceId/);
    const main = readBicep('infra/main.bicep');
    const module = modules(main).find((m) => m.symbol === 'sentinel');
    expect(property(property(module?.body, 'params'), 'appInsightsWorkspaceResourceId')?.text).toBe(
      'empty(appInsightsWorkspaceResourceId) ? workspace.outputs.resourceId : appInsightsWorkspaceResourceId',
    );
  });

  it('reads only fields and event names the handlers log', async () => {
    const lines = await emittedLines();
    const remote = lines.find((line) => line['event'] === 'remoteTokenUse.batch');
    const theft = lines.find((line) => line['event'] === 'tokenTheft.batch');
    expect(remote).toBeDefined();
    expect(theft).toBeDefined();
    for (const item of health) {
      const kql = item.content.query ?? '';
      const remoteOnly = /Event == "remoteTokenUse\.batch"/.test(kql);
      const missing = fieldsRead(kql).filter((field) => !(field in remote!) || (!remoteOnly && !['lagSeconds', 'sinkFailures'].includes(field) && !(field in theft!)));
      expect({ tile: item.name, missing }).toEqual({ tile: item.name, missing: [] });
      expect(eventsRead(kql).length).toBeGreaterThan(0);
    }
    expect(eventsRead(query('health-batches'))).toEqual(['remoteTokenUse.batch', 'remoteTokenUse.failed', 'tokenTheft.batch', 'tokenTheft.failed']);
    // The values the tiles chart.
    expect(remote).toMatchObject({ records: expect.any(Number), rejects: 1, rejectsByReason: { 'body.invalid-json': 1 }, retry: 0, conflictRetries: 0, sinkFailures: 0, lagSeconds: 95 });
    expect(theft).toMatchObject({ rejectsByReason: { 'body.invalid-json': 1 }, retry: 2 });
  });

  it('logs a failed invocation as remoteTokenUse.failed, which the batches tile counts', async () => {
    const logs: string[] = [];
    const backend = new MemoryStateBackend();
    backend.failNext = new StateStoreError('table state: unreachable');
    await expect(
      handleRemoteTokenUse([{ records: [activityUse(id, at(0), ATTACKER_IP)] }], contextWith(logs, { partitionContext: { partitionId: '1' }, sequenceNumberArray: [1] }), {
        store: new MemoryStateStore(backend),
        sink: new MemoryAlertSink(),
        deadLetter: new MemoryRejectSink(),
        settings: defaultRemoteUseSettings(testClassifier),
        now: () => NOW,
      }),
    ).rejects.toBeInstanceOf(StateStoreError);
    expect(logs.map((line) => (JSON.parse(line) as { event: string }).event)).toEqual(['remoteTokenUse.failed']);
  });
});

describe('enqueuedLagSeconds', () => {
  const lag = (meta: Record<string, unknown> | undefined): number | null => enqueuedLagSeconds(new InvocationContext({ triggerMetadata: meta }), NOW);

  it('measures from the oldest enqueue time of the batch, in whole seconds', () => {
    expect(lag({ enqueuedTimeUtcArray: [new Date(NOW - 3_000).toISOString(), new Date(NOW - 61_400), 'not a time'] })).toBe(61);
  });

  it('is null without enqueue times, and never negative (clock skew)', () => {
    expect(lag(undefined)).toBeNull();
    expect(lag({ enqueuedTimeUtcArray: [] })).toBeNull();
    expect(lag({ enqueuedTimeUtcArray: 'x' })).toBeNull();
    expect(lag({ enqueuedTimeUtcArray: [new Date(NOW + 5_000).toISOString()] })).toBe(0);
  });
});
