import { describe, expect, it } from 'vitest';
import { countRecords } from '../../src/bench/invocations';
import { runTablePhases, type TablePlan } from '../../src/bench/tablePhases';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { tinyStream } from './tinyStream';

function plan(overrides: Partial<TablePlan>, stream: ReturnType<typeof tinyStream>['stream']): TablePlan {
  return {
    connectionString: azuriteConnectionString(),
    tableName: uniqueTableName('bench'),
    cachePartitions: 20_000,
    auditSteadyRecords: countRecords(stream.audit.steady),
    endpointRecords: countRecords(stream.endpoint.warmUp) + countRecords(stream.endpoint.steady),
    endpointWarmUpShare: 0.3,
    naiveRecords: 0,
    naiveBudgetMs: 60_000,
    ...overrides,
  };
}

describe('runTablePhases against Azurite', () => {
  it('accounts for every record once: warm-up untimed, steady state counted, the tail through the naive reference', async () => {
    const { stream, lazy } = tinyStream();
    const figures = await runTablePhases(lazy, plan({ naiveRecords: 40 }, stream));
    const total = lazy.reduce((sum, b) => sum + b.records, 0);

    expect(figures.truncated).toBe(false);
    expect(figures.naive).toBeDefined();
    expect(figures.warmUpRecords + figures.combined.records + figures.naive!.records).toBe(total);
    expect(figures.warmUpRecords).toBeGreaterThanOrEqual(countRecords(stream.audit.warmUp));
    // The tail is whole bodies covering at least the asked records, split across both detectors.
    expect(figures.naive!.records).toBeGreaterThanOrEqual(40);
    expect(figures.combined.requests).toBe(figures.remoteUse.requests + figures.theft.requests);
    expect(figures.remoteUse.requests).toBeGreaterThan(0);
    expect(figures.naive!.byKind.transaction).toBe(0);
    expect(figures.naive!.requestsPer1kRecords).toBeGreaterThan(figures.combined.requestsPer1kRecords);
  });

  it('counts the day start’s requests on their own, untimed, leaving the steady state’s figures as they were', async () => {
    const { stream, lazy } = tinyStream();
    // The last warm-up day of the tiny stream played as the day start of the measured phase.
    const lastWarmUpDay = lazy.filter((b) => b.phase === 'warmup').slice(-6);
    const asDayStart = lazy.map((b) => (lastWarmUpDay.includes(b) ? { ...b, phase: 'dayStart' as const } : b));
    const plain = await runTablePhases(lazy, plan({}, stream));
    const split = await runTablePhases(asDayStart, plan({}, stream));

    expect(plain.dayStart).toEqual({ records: 0, requests: 0, byTarget: {} });
    expect(split.dayStart.records).toBe(countRecords(lastWarmUpDay));
    expect(split.dayStart.requests).toBeGreaterThan(0);
    expect(Object.values(split.dayStart.byTarget).reduce((a, b) => a + b, 0)).toBe(split.dayStart.requests);
    expect(split.warmUpRecords).toBe(plain.warmUpRecords);
    expect(split.combined.records).toBe(plain.combined.records);
    expect(split.combined.requests).toBe(plain.combined.requests);
  });

  it('stops feeding the steady state when its time budget is spent, and says so', async () => {
    const { stream, lazy } = tinyStream();
    const figures = await runTablePhases(lazy, plan({ steadyBudgetMs: 0 }, stream));
    expect(figures.truncated).toBe(true);
    expect(figures.combined.records).toBe(0);
    expect(figures.combined.requests).toBe(0);
    expect(figures.naive).toBeUndefined();
    expect(figures.warmUpRecords).toBeGreaterThan(0);
  });

  it('gives up on a size whose warm-up outlasts its budget, measuring nothing', async () => {
    const { stream, lazy } = tinyStream();
    const figures = await runTablePhases(lazy, plan({ warmUpBudgetMs: 0, naiveRecords: 40 }, stream));
    expect(figures.warmUpAbandoned).toBe(true);
    expect(figures.combined.records).toBe(0);
    expect(figures.naive).toBeUndefined();
  });
});
