import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { judgeEndpointOutcomes, judgeScreenedBatch, parseEndpointMessages, screenEndpointMessages, type TheftDeps } from '../../src/app/theftRunner';
import { loadTheftSettings } from '../../src/app/theftSettings';

const FIXTURES = path.join(__dirname, '../fixtures/endpoint');

/** Every endpoint fixture as one Event Hub body, in a stable order, plus a body that is not JSON and a record of no known shape. */
function messages(): string[] {
  const bodies: string[] = [];
  for (const format of readdirSync(FIXTURES).sort()) {
    for (const file of readdirSync(path.join(FIXTURES, format)).sort()) bodies.push(readFileSync(path.join(FIXTURES, format, file), 'utf8'));
  }
  bodies.push('not json at all', JSON.stringify({ records: [{ hello: 'world' }] }));
  return bodies;
}

function deps(): TheftDeps & { sink: MemoryAlertSink; deadLetter: MemoryRejectSink } {
  return { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), processedAt: Date.parse('2026-03-02T00:00:00Z') };
}

describe('theft runner: screening records as they are parsed', () => {
  it('gives the report, alerts and dead letters of parsing the whole batch first, twice over (the second time a redelivery)', async () => {
    const bodies = messages();
    const originOf = (i: number): string => `message ${i}`;
    const whole = deps();
    const screened = deps();
    for (const round of [1, 2]) {
      const parsed = parseEndpointMessages(bodies, originOf, whole.processedAt);
      const expected = await judgeEndpointOutcomes(parsed.outcomes, whole, `batch-${round}`, parsed.rejects);
      const { batch, rejects } = screenEndpointMessages(bodies, originOf, screened.settings, screened.processedAt);
      const actual = await judgeScreenedBatch(batch, screened, `batch-${round}`, rejects);
      expect(actual).toEqual(expected);
      // The fixtures exercise every outcome: alerts, trusted agents, ignored kinds, parse and message rejects.
      expect(expected.alerts.length).toBeGreaterThan(3);
      expect(expected.summary.detection.trusted).toBeGreaterThan(2);
      expect(Object.keys(expected.summary.ignored).length).toBeGreaterThan(3);
      expect(expected.rejectsByReason).toMatchObject({ 'body.invalid-json': 1, 'endpoint.unknown-shape': 1 });
    }
    expect(screened.sink.rows).toEqual(whole.sink.rows);
    expect(screened.deadLetter.rejects).toEqual(whole.deadLetter.rejects);
  });

  it('keeps only the events that may alert', () => {
    const { batch } = screenEndpointMessages(messages(), (i) => `message ${i}`, loadTheftSettings(undefined));
    const screened = batch.screened();
    expect(screened.trusted).toBeGreaterThan(0);
    expect(screened.candidates.length).toBeGreaterThan(0);
    expect(screened.candidates.length).toBeLessThan(screened.events);
    for (const candidate of screened.candidates) expect(candidate.suspects.length).toBeGreaterThan(0);
    expect(batch.records).toBe(messages().length - 1);
  });
});
