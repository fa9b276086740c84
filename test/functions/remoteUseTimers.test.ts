import { InvocationContext } from '@azure/functions';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { LogQueryError } from '../../src/adapters/logAnalyticsQuery';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { backfillPartition, handleRemoteUseBackfillTimer, type BackfillTimerDeps } from '../../src/app/remoteUseBackfill';
import { handleRemoteUseSweepTimer, remoteUseSweepPartition } from '../../src/app/remoteUseSweep';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { at, testClassifier } from '../support/auditFixtures';
import { threeWeeks } from '../app/remoteUseScenario';
import { WORKSPACE_ID, workspaceOfRecords } from '../app/workspaceRowFixtures';

vi.mock('@azure/functions', async (original) => {
  const real = await original<typeof import('@azure/functions')>();
  return { ...real, app: { ...real.app, eventHub: vi.fn(), timer: vi.fn() } };
});

const settings = defaultRemoteUseSettings(testClassifier);

function context(name: string, logs: { level: string; text: string }[]): InvocationContext {
  return new InvocationContext({ invocationId: `${name}-1`, functionName: name, logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }) });
}

describe('remote-use timer registrations', () => {
  beforeEach(() => {
    vi.resetModules();
    for (const [k, v] of Object.entries(COLD_IMPORT_ENV)) vi.stubEnv(k, v);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  async function timers(): Promise<Map<string, Record<string, unknown>>> {
    const { app } = await import('@azure/functions');
    vi.mocked(app.timer).mockClear();
    await import('../../functions/index.js');
    return new Map(vi.mocked(app.timer).mock.calls.map(([name, options]) => [name, options as unknown as Record<string, unknown>]));
  }

  it('registers neither timer by default', async () => {
    const registered = await timers();
    expect(registered.has('remoteTokenUseSweep')).toBe(false);
    expect(registered.has('remoteTokenUseBackfill')).toBe(false);
  });

  it('registers the sweep on its schedule setting, with a retry policy, when TOKENWATCH_REMOTE_USE_SWEEP_ENABLED is true', async () => {
    vi.stubEnv('TOKENWATCH_REMOTE_USE_SWEEP_ENABLED', 'true');
    vi.stubEnv('TOKENWATCH_WORKSPACE_ID', WORKSPACE_ID);
    const sweep = (await timers()).get('remoteTokenUseSweep');
    expect(sweep).toMatchObject({ schedule: '%TOKENWATCH_REMOTE_USE_SWEEP_SCHEDULE%', retry: { strategy: 'exponentialBackoff', maxRetryCount: 3 }, handler: expect.any(Function) });
  });

  it('registers the backfill every 10 minutes when TOKENWATCH_BACKFILL_DAYS is above 0, and fails the cold start without a workspace', async () => {
    vi.stubEnv('TOKENWATCH_BACKFILL_DAYS', '0');
    expect((await timers()).has('remoteTokenUseBackfill')).toBe(false);
    vi.resetModules();
    vi.stubEnv('TOKENWATCH_BACKFILL_DAYS', '30');
    vi.stubEnv('TOKENWATCH_WORKSPACE_ID', WORKSPACE_ID);
    expect((await timers()).get('remoteTokenUseBackfill')).toEqual({ schedule: '30 */10 * * * *', handler: expect.any(Function) });
    vi.resetModules();
    vi.stubEnv('TOKENWATCH_WORKSPACE_ID', '');
    await expect(import('../../functions/index.js')).rejects.toThrow(/TOKENWATCH_WORKSPACE_ID must be the Log Analytics workspace \(customer\) id GUID when TOKENWATCH_BACKFILL_DAYS is above 0/);
  });
});

describe('the remoteTokenUseSweep handler', () => {
  it('runs the sweep and logs one line; a failed run logs the error, throws, and leaves the watermark', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const workspace = workspaceOfRecords(threeWeeks(), (t) => t + 120_000);
    let now = at(0, 30);
    const deps = { query: workspace, markStore: store, workspaceId: WORKSPACE_ID, remoteUse: { store, sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings, now: () => now } };
    const logs: { level: string; text: string }[] = [];
    const report = await handleRemoteUseSweepTimer(context('remoteTokenUseSweep', logs), deps);
    expect(report.rows).toBe(3);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!.text)).toMatchObject({ event: 'remoteTokenUseSweep.run', caughtUp: true, rows: 3, alerts: { Low: 0, Medium: 0, High: 0 }, absentTables: expect.arrayContaining(['StorageBlobLogs']) });
    const mark = backend.partitions.get(remoteUseSweepPartition(WORKSPACE_ID));

    now = at(1, 30);
    workspace.failWhen = () => new LogQueryError('logAnalyticsQuery: the query failed (InsufficientAccessError): the identity has no Log Analytics Reader role', 'InsufficientAccessError', undefined, 403);
    const failed: { level: string; text: string }[] = [];
    await expect(handleRemoteUseSweepTimer(context('remoteTokenUseSweep', failed), deps)).rejects.toThrow(LogQueryError);
    expect(failed.map((l) => l.level)).toEqual(['error']);
    expect(JSON.parse(failed[0]!.text)).toMatchObject({ event: 'remoteTokenUseSweep.failed', error: expect.stringContaining('Log Analytics Reader') });
    expect(backend.partitions.get(remoteUseSweepPartition(WORKSPACE_ID))).toBe(mark);
  });
});

describe('the remoteTokenUseBackfill handler', () => {
  it('advances the backfill one time budget per run until it reaches the start of live processing, then does nothing', async () => {
    const backend = new MemoryStateBackend();
    const store = new MemoryStateStore(backend);
    const workspace = workspaceOfRecords(threeWeeks());
    let clock = at(21);
    const deps: BackfillTimerDeps = {
      query: workspace,
      markStore: store,
      store,
      deadLetter: new MemoryRejectSink(),
      settings,
      workspaceId: WORKSPACE_ID,
      now: () => (clock += 1000),
      batchRecords: 5,
      budgetMs: 15_000,
    };
    const events: string[] = [];
    let runs = 0;
    for (; runs < 60; runs++) {
      const logs: { level: string; text: string }[] = [];
      await handleRemoteUseBackfillTimer(context('remoteTokenUseBackfill', logs), deps, 30);
      events.push(...logs.map((l) => (JSON.parse(l.text) as { event: string }).event));
      if (events.at(-1) === 'remoteTokenUseBackfill.done') break;
    }
    expect(runs).toBeGreaterThan(1);
    expect(events.slice(0, -1).every((e) => e === 'remoteTokenUseBackfill.run')).toBe(true);

    // Done: a run reads the watermark row, queries nothing, writes nothing and logs nothing.
    const queries = workspace.queries.length;
    const version = backend.partitions.get(backfillPartition(WORKSPACE_ID))?.version;
    const logs: { level: string; text: string }[] = [];
    const report = await handleRemoteUseBackfillTimer(context('remoteTokenUseBackfill', logs), deps, 30);
    expect(report.status).toBe('finished-before');
    expect(workspace.queries).toHaveLength(queries);
    expect(backend.partitions.get(backfillPartition(WORKSPACE_ID))?.version).toBe(version);
    expect(logs).toEqual([]);
  });

  it('logs and throws a failure; the next run resumes', async () => {
    const store = new MemoryStateStore();
    const workspace = workspaceOfRecords(threeWeeks());
    workspace.failWhen = (_spec, n) => (n === 5 ? new LogQueryError('logAnalyticsQuery: the query failed (ServiceUnavailable): busy', 'ServiceUnavailable', undefined, 503) : undefined);
    const deps: BackfillTimerDeps = { query: workspace, markStore: store, store, deadLetter: new MemoryRejectSink(), settings, workspaceId: WORKSPACE_ID, now: () => at(21) };
    const logs: { level: string; text: string }[] = [];
    await expect(handleRemoteUseBackfillTimer(context('remoteTokenUseBackfill', logs), deps, 30)).rejects.toThrow(/ServiceUnavailable/);
    expect(JSON.parse(logs[0]!.text)).toMatchObject({ event: 'remoteTokenUseBackfill.failed', workspace: WORKSPACE_ID });
    const next: { level: string; text: string }[] = [];
    const report = await handleRemoteUseBackfillTimer(context('remoteTokenUseBackfill', next), deps, 30);
    expect(report).toMatchObject({ status: 'resumed', done: true });
    expect(JSON.parse(next[0]!.text)).toMatchObject({ event: 'remoteTokenUseBackfill.done', totals: { wouldHaveRaised: { total: 2 } } });
  });
});
