import { MemoryAlertSink } from '../../src/adapters/alertSink';
import { MemoryStateBackend, MemoryStateStore } from '../../src/adapters/memoryStateStore';
import { MemoryRejectSink } from '../../src/adapters/rejectSink';
import { decodeMessages } from '../../src/app/decodeMessages';
import { runRemoteUseBatch, type RemoteUseBatchReport } from '../../src/app/remoteUseRunner';
import type { AlertRow } from '../../src/core/alerts/alertRow';
import { defaultRemoteUseSettings, type RemoteUseSettings } from '../../src/core/remoteUse/settings';
import { testClassifier } from './auditFixtures';

/** Replays records through the real runner with the in-memory store, in batches of `batchSize` records. */
export async function replayRecords(
  records: readonly unknown[],
  options: { batchSize?: number; settings?: Partial<RemoteUseSettings>; backend?: MemoryStateBackend } = {},
): Promise<{ alerts: AlertRow[]; reports: RemoteUseBatchReport[]; backend: MemoryStateBackend; rejects: MemoryRejectSink }> {
  const backend = options.backend ?? new MemoryStateBackend();
  const store = new MemoryStateStore(backend);
  const sink = new MemoryAlertSink();
  const deadLetter = new MemoryRejectSink();
  const settings = defaultRemoteUseSettings(testClassifier, options.settings);
  const size = options.batchSize ?? records.length;
  const reports: RemoteUseBatchReport[] = [];
  for (let i = 0; i < records.length; i += Math.max(1, size)) {
    const batch = records.slice(i, i + Math.max(1, size));
    const decoded = decodeMessages([{ records: batch }], (n) => `batch ${i} message ${n}`);
    reports.push(await runRemoteUseBatch(decoded.records, decoded.rejects, { store, sink, deadLetter, settings }, `batch-${i}`));
  }
  return { alerts: sink.rows, reports, backend, rejects: deadLetter };
}

export function alertKeys(alerts: readonly AlertRow[]): string[] {
  return [...new Set(alerts.map((a) => `${a.Severity} ${a.IdentityName} ${a.IPAddress} ${a.EventTime} ${a.AlertId}`))].sort();
}
