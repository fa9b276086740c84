/**
 * The suppression ledger: one write-once row per alert candidate that dedup suppressed, in the
 * tenant's hour partition (`sup|<tenant>|<yyyymmddhh>`), so suppressions are counted without a
 * guarded write of the dedup row per batch.
 */
import type { Severity } from '../alerts/alertRow';
import type { TokenUse } from '../records/auditEvent';
import type { RowChange } from '../state/partition';
import { suppressionLedgerKey, suppressionRowKey } from './partitionKeys';
import { WriteOncePartitions } from './writeOncePartitions';

/**
 * Alerts suppressed by dedup: one write-once row per suppressed candidate, keyed by the identity
 * and the candidate's AlertId, holding the dedup key (identity, severity, attribute) and the event
 * time, so the count of an alert is its key's rows between its raise and the next. Every field
 * derives from the record alone, so a redelivered batch rewrites the same rows with the same data
 * and counts nothing twice. Written unguarded and never read by the detector.
 */
export class SuppressionLedger {
  private readonly hours = new WriteOncePartitions();

  constructor(private readonly shards: number) {}

  count(e: TokenUse, objectId: string, severity: Severity, attribute: string, candidateAlertId: string): void {
    const hour = this.hours.get(suppressionLedgerKey(e.tenantId, e.timeMs, objectId, this.shards));
    hour.set(suppressionRowKey(objectId, candidateAlertId), { objectId, severity, attribute, at: e.timeMs, category: e.category });
  }

  changes(): RowChange[] {
    return this.hours.changes();
  }
}
