import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { StateStoreError } from '../../src/adapters/stateStore';
import { handleTokenTheft } from '../../src/app/theftHandler';
import { loadTheftSettings } from '../../src/app/theftSettings';

const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '../fixtures/endpoint', name), 'utf8'));

function context(logs: string[]): InvocationContext {
  return new InvocationContext({
    invocationId: 'inv-t',
    functionName: 'tokenTheft',
    triggerMetadata: { partitionContext: { partitionId: '0' }, sequenceNumberArray: [7, 8, 9] },
    logHandler: (level, ...args) => logs.push(`${level} ${args.map(String).join(' ')}`),
  });
}

describe('tokenTheft handler', () => {
  it('alerts on a token request, trusts the guest agent, rejects unknown shapes and dead-letters them', async () => {
    const logs: string[] = [];
    const deps = { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => Date.UTC(2026, 10, 23) };
    const messages = [
      { records: [fixture('mde/network-curl-imds-token.json'), fixture('mde/network-guest-agent-trusted.json'), fixture('mde/registry-ignored.json')] },
      Buffer.from(JSON.stringify({ records: [{ something: 'else' }] })),
      'not json',
    ];
    const report = await handleTokenTheft(messages, context(logs), deps);
    expect(deps.sink.rows.map((a) => [a.Severity, a.Vector, a.ProcessName])).toEqual([['High', 'TokenEndpoint', 'curl']]);
    expect(deps.sink.rows[0]!.ProcessCommandLine).toContain('169.254.169.254');
    expect(report.rejectsByReason).toEqual({ 'endpoint.unknown-shape': 1, 'body.invalid-json': 1 });
    expect(deps.deadLetter.rejects).toHaveLength(2);
    expect(logs).toHaveLength(1);
    expect(JSON.parse(logs[0]!.replace(/^warning /, ''))).toMatchObject({ event: 'tokenTheft.batch', records: 4, rejects: 2, trusted: 1 });
  });

  it('judges a record nested deeper than the call stack, and turns a record its parser throws on into one reject', async () => {
    // The fingerprint of a record without an id walks the record: 50,000 levels used to overflow the
    // stack, fail the invocation and, under the unlimited retry policy, stop the partition.
    const depth = 50_000;
    const deep = { ...(fixture('sysmon-flat/event3-public-folder-imds.json') as Record<string, unknown>), RecordNumber: undefined, Extra: JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown };
    // No JSON makes a parser throw today; a field whose read throws stands in for a parser bug.
    const throwing = { EventID: 3, Provider: 'Microsoft-Windows-Sysmon', get Computer(): string { throw new TypeError('unexpected shape'); } };
    const deps = { store: new MemoryStateStore(), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => Date.UTC(2026, 10, 23) };
    const report = await handleTokenTheft([{ records: [throwing, deep] }, { records: [fixture('mde/network-curl-imds-token.json')] }], context([]), deps);
    expect(report.rejectsByReason).toEqual({ 'record.unreadable': 1 });
    expect(deps.deadLetter.rejects[0]).toMatchObject({ reason: 'record.unreadable', origin: 'partition 0 seq 7 record 0' });
    expect(deps.deadLetter.rejects[0]!.detail).toContain('TypeError: unexpected shape');
    expect(deps.sink.rows.map((a) => [a.Severity, a.ProcessName]).sort()).toEqual([['High', 'curl'], ['Medium', 'svchost.exe']]);
  });

  it('throws on a store outage so the batch is redelivered', async () => {
    const backend = new MemoryStateBackend();
    backend.failNext = new StateStoreError('table state: ECONNRESET');
    const deps = { store: new MemoryStateStore(backend), sink: new MemoryAlertSink(), deadLetter: new MemoryRejectSink(), settings: loadTheftSettings(undefined), now: () => 0 };
    await expect(handleTokenTheft([{ records: [fixture('mde/network-curl-imds-token.json')] }], context([]), deps)).rejects.toBeInstanceOf(StateStoreError);
    expect(deps.sink.rows).toHaveLength(0);
  });
});
