import { describe, expect, it } from 'vitest';
import { countRecords, toInvocations } from '../../src/bench/invocations';
import { remoteDeps, runPurePhases } from '../../src/bench/purePhases';
import { runRemoteUseStream } from '../../src/bench/pipelines';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { loadAsnData } from '../../src/adapters/asnData';
import { makeIpClassifier } from '../../src/app/ipClassifier';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { tinyStream } from './tinyStream';

describe('runPurePhases on a tiny stream', () => {
  it('runs every steady record through both detectors, counts the stream right and agrees with itself step by step', async () => {
    const { stream } = tinyStream();
    const figures = await runPurePhases(stream, { passes: 2 });
    const auditSteady = countRecords(stream.audit.steady);
    const endpointSteady = countRecords(stream.endpoint.steady);

    expect(figures.records).toEqual({
      auditSteady,
      endpointSteady,
      warmUp: countRecords(stream.audit.warmUp) + countRecords(stream.endpoint.warmUp),
      steady: auditSteady + endpointSteady,
      total: countRecords(stream.audit.warmUp) + countRecords(stream.endpoint.warmUp) + auditSteady + endpointSteady,
    });
    expect(figures.remoteUse.records).toBe(auditSteady);
    expect(figures.theft.records).toBe(endpointSteady);
    // The demo tenant plants remote-use stories after day 30 and thefts on its endpoints.
    expect(figures.remoteUse.alerts).toBeGreaterThan(0);
    expect(figures.memoryState.partitions).toBeGreaterThan(12);
    expect(figures.pipelineToFloorRatio).toBeCloseTo(figures.remoteUseRecordsPerSec / figures.parseFloorRecordsPerSec, 10);
    expect(figures.pipelineToTightLoopFloorRatio).toBeCloseTo(figures.remoteUseRecordsPerSec / figures.parseFloorTightLoopRecordsPerSec, 10);
    expect(figures.parseFloorTightLoopRecordsPerSec).toBeGreaterThan(0);
    // One ratio per pass. The headline is the ratio of the medians, which for two passes (or an odd number) lies within them.
    expect(figures.pipelineToFloorByPass).toHaveLength(2);
    expect(figures.pipelineToFloorRatio).toBeGreaterThanOrEqual(Math.min(...figures.pipelineToFloorByPass) * 0.999);
    expect(figures.pipelineToFloorRatio).toBeLessThanOrEqual(Math.max(...figures.pipelineToFloorByPass) * 1.001);
    // Timed one invocation at a time between floor parses, the stream judges as it does in one run.
    const deps = remoteDeps(new MemoryStateStore(), defaultRemoteUseSettings(makeIpClassifier({ asnLookup: loadAsnData() })));
    await runRemoteUseStream(toInvocations(stream.audit.warmUp), deps, 'warm');
    const whole = await runRemoteUseStream(toInvocations(stream.audit.steady), deps);
    expect(figures.remoteUse).toEqual(whole);
    expect(Object.keys(figures.remoteUseStagesUsPerRecord)).toEqual(['parse', 'partitionKeys', 'load', 'detect', 'commit', 'sinks']);
  });
});
