import { describe, expect, it } from 'vitest';
import { countRecords } from '../../src/bench/invocations';
import { runPurePhases } from '../../src/bench/purePhases';
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
    // One ratio per pass. The headline is the ratio of the medians, which for two passes (or an odd number) lies within them.
    expect(figures.pipelineToFloorByPass).toHaveLength(2);
    expect(figures.pipelineToFloorRatio).toBeGreaterThanOrEqual(Math.min(...figures.pipelineToFloorByPass) * 0.999);
    expect(figures.pipelineToFloorRatio).toBeLessThanOrEqual(Math.max(...figures.pipelineToFloorByPass) * 1.001);
    expect(Object.keys(figures.remoteUseStagesUsPerRecord)).toEqual(['parse', 'partitionKeys', 'load', 'detect', 'commit', 'sinks']);
  });
});
