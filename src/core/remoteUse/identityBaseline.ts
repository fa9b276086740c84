/**
 * One identity's partition (`mi|<tenant>|<objectId>`) as a batch changes it: its baseline rows,
 * its dedup states and its expiry. Made on the batch's first write to the identity.
 */
import { dedupStateFromRow, dedupStateToRow, type DedupState } from '../alerts/dedup';
import type { PartitionSnapshot } from '../state/partition';
import { num, WorkingPartition } from '../state/workingPartition';
import { inBaseline } from './baselineRows';
import { IDENTITY_META_ROW } from './partitionKeys';

/**
 * One identity's partition as a batch changes it: its 30-day ASN/IP baseline and its dedup
 * states. Made on the batch's first write to the identity; until then uses read the loaded rows.
 */
/** An identity's baseline at a time, as an alert's evidence gives it. */
export interface BaselineSummary {
  readonly asns: readonly number[];
  readonly regions: readonly string[];
  readonly ipCount: number;
}

export class IdentityBaseline {
  readonly partition: WorkingPartition;

  constructor(partitionKey: string, snapshot: PartitionSnapshot | undefined, private readonly windowMs: number) {
    this.partition = new WorkingPartition(partitionKey, snapshot);
  }

  has(rowKey: string, timeMs: number): boolean {
    return inBaseline(this.partition.get(rowKey), timeMs, this.windowMs);
  }

  dedup(rowKey: string): DedupState | undefined {
    return dedupStateFromRow(this.partition.get(rowKey));
  }

  setDedup(rowKey: string, state: DedupState): void {
    this.partition.set(rowKey, dedupStateToRow(state));
  }

  /** Baseline facts for the alert's Evidence. */
  describe(timeMs: number): BaselineSummary {
    const asns: number[] = [];
    const regions: string[] = [];
    let ipCount = 0;
    for (const [rowKey] of this.partition.entries()) {
      if (!this.has(rowKey, timeMs)) continue;
      if (rowKey.startsWith('asn|')) asns.push(Number(rowKey.slice(4)));
      else if (rowKey.startsWith('ip|')) ipCount++;
      else if (rowKey.startsWith('rg|')) regions.push(rowKey.slice(3));
    }
    return { asns: asns.sort((a, b) => a - b), regions: regions.sort(), ipCount };
  }

  /**
   * Advances the identity's watermark to the batch's latest event (never back) and drops the rows
   * that can no longer matter, only when the partition is written anyway. "No longer" is measured
   * from the watermark less the lateness allowance, not from the batch: which batch of two writes
   * first must not decide what the other finds, so a batch up to the allowance behind the stream
   * still finds every baseline and dedup row it needs, and a redelivery finds what it found.
   */
  finish(batchLatestMs: number, dedupWindowMs: number, latenessAllowanceMs: number): void {
    if (!this.partition.changed) return;
    const stored = num(this.partition.get(IDENTITY_META_ROW), 'wm');
    const watermark = stored === undefined ? batchLatestMs : Math.max(stored, batchLatestMs);
    if (watermark !== stored) this.partition.set(IDENTITY_META_ROW, { wm: watermark });
    const horizon = watermark - latenessAllowanceMs;
    for (const [rowKey, data] of [...this.partition.entries()]) {
      if (rowKey === IDENTITY_META_ROW) continue;
      if (rowKey.startsWith('dd|') || rowKey.startsWith('hd|')) {
        if ((num(data, 'raisedAt') ?? 0) < horizon - dedupWindowMs) this.partition.delete(rowKey);
      } else if ((num(data, 'last') ?? 0) < horizon - this.windowMs) {
        this.partition.delete(rowKey);
      }
    }
  }
}
