/**
 * One identity's partition (`mi|<tenant>|<objectId>`) as a batch changes it: its baseline rows,
 * its dedup windows and its expiry. Made on the batch's first write to the identity.
 */
import { dedupStateFromRow, dedupStateToRow } from '../alerts/dedup';
import type { PartitionSnapshot, RowValue } from '../state/partition';
import { num, str, WorkingPartition, type RowData } from '../state/workingPartition';
import { utcDay } from '../records/time';
import { batchLatestMinute, inBaseline, watermarkOf } from './baselineRows';
import { IDENTITY_META_ROW } from './partitionKeys';

/**
 * One identity's partition as a batch changes it: its 30-day ASN/IP baseline and its dedup
 * windows. Made on the batch's first write to the identity; until then uses read the loaded rows.
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

  /**
   * Whether a candidate alert of one dedup key (`dd|<severity>|<attribute>`) is raised, and the
   * key's windows as the decision leaves them (see DedupWindows). `late`: the use is older than the
   * watermark less the lateness allowance, so it teaches nothing: it never moves a window's start.
   */
  decideDedup(rowKey: string, timeMs: number, candidateAlertId: string, windowMs: number, late: boolean): DedupOutcome {
    const row = this.partition.get(rowKey);
    const windows = DedupWindows.of(row);
    const outcome = windows === undefined ? 'raise' : windows.decide(timeMs, candidateAlertId, windowMs, late);
    if (outcome === 'raise') this.partition.set(rowKey, (windows ?? DedupWindows.none()).raised(timeMs, candidateAlertId).toRow(row));
    else if (outcome === 'reanchor') this.partition.set(rowKey, windows!.toRow(row));
    return outcome === 'reanchor' ? 'suppress' : outcome;
  }

  /**
   * Whether the key has a window raised on the UTC day of `timeMs` by a use other than the one
   * whose candidate id is `raiseId`: its alerts then cannot share an AlertId of the day (BatchRun.raise).
   */
  anotherRaiseOnDay(rowKey: string, raiseId: string, timeMs: number): boolean {
    return DedupWindows.of(this.partition.get(rowKey))?.anotherRaiseOnDay(raiseId, timeMs) ?? false;
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
   * Advances the identity's watermark to the batch's latest event (never back), keeping the one it
   * found (see watermarkOf), and drops the rows that can no longer matter, only when the partition
   * is written anyway. "No longer" is measured from the watermark the batch found, less the
   * lateness allowance: not from the batch's own latest event, which would drop rows the batch's
   * earlier uses read (a batch spanning days), so that the batch judged again (a redelivery after
   * a partial commit, a second instance) would judge those uses without them; and not from
   * whichever batch wrote first, so a batch up to the allowance behind the stream still finds
   * every baseline and dedup row it needs. A row past its time is dropped by the next batch.
   */
  finish(batchLatestMs: number, dedupWindowMs: number, latenessAllowanceMs: number): void {
    if (!this.partition.changed) return;
    const stored = num(this.partition.get(IDENTITY_META_ROW), 'wm');
    // Read before the meta row changes: on a batch judged again, the one it found the first time.
    const found = watermarkOf(undefined, this.partition, batchLatestMinute(batchLatestMs));
    const watermark = stored === undefined ? batchLatestMs : Math.max(stored, batchLatestMs);
    // `before`: the watermark this batch found (0 when none), so the batch judged again (a
    // redelivery after a partial commit, a second instance) measures lateness as it first did.
    if (watermark !== stored) this.partition.set(IDENTITY_META_ROW, { wm: watermark, before: stored ?? 0 });
    if (found === undefined) return;
    const horizon = found - latenessAllowanceMs;
    for (const [rowKey, data] of [...this.partition.entries()]) {
      if (identityRowPastItsTime(rowKey, data, horizon, this.windowMs, dedupWindowMs)) this.partition.delete(rowKey);
    }
  }
}

/**
 * Whether a row of an identity partition can no longer matter to a use that is not late, at
 * `horizonMs` (a watermark less the lateness allowance): a dedup row whose window ended before it,
 * any other row but the meta row last used a baseline window before it.
 */
export function identityRowPastItsTime(rowKey: string, data: RowData, horizonMs: number, windowMs: number, dedupWindowMs: number): boolean {
  if (rowKey === IDENTITY_META_ROW) return false;
  if (rowKey.startsWith('dd|') || rowKey.startsWith('hd|')) return (num(data, 'raisedAt') ?? 0) < horizonMs - dedupWindowMs;
  return (num(data, 'last') ?? 0) < horizonMs - windowMs;
}

export type DedupOutcome = 'raise' | 'reemit' | 'suppress';

/** 4 earlier windows: 20 days of a key raised again every 5 days, more than any lag the allowance admits. */
const OLDER_WINDOWS_MAX = 4;
/** 12 hex characters of an earlier window's alert id, as the suppression memory keeps them (dedup.ts). */
const SHORT_ID_CHARS = 12;

/** One dedup window of a key: the alert raised for it, and the earliest use it covers. */
interface DedupWindow {
  /** The earliest use of the window judged so far: the window covers [from, from + dedup window). */
  from: number;
  /** Event time of the use whose alert was raised for the window (from <= raisedAt < from + window). */
  readonly raisedAt: number;
  /** Its AlertId (the latest window's in full, earlier ones' first SHORT_ID_CHARS). */
  readonly alertId: string;
}

/**
 * The dedup windows of one alert key, so that the alerts a key raises do not depend on the order
 * its uses are judged in (Event Hub partitions lag one another; instances commit in any order).
 *
 * In event-time order a key raises on its first use and then on the first use at least a window
 * (5 days) after the last raise; every raise opens a window, and the windows are what dedup is.
 * Judged out of order, a later use can be judged before an earlier use of the same window: it
 * raises, and the window then starts at the earlier use when that comes (`from` moves back, the
 * alert stands, the earlier use is suppressed), so the next window opens where it would have in
 * order. A use before a window's start but inside the window of an earlier raise belongs to that
 * earlier window: the key keeps its latest window and up to OLDER_WINDOWS_MAX earlier ones
 * (`older`), so no use raises again inside a window that already raised, however late it comes.
 *
 * Stored on the key's `dd|` row: the latest window as `raisedAt`/`alertId` (dedup.ts' fields,
 * `suppressed` and `recent` kept as they were), `from` only when it differs from `raisedAt`, and
 * `older` (`from:raisedAt:shortId`, newest first) only when there are earlier windows: a key
 * judged in order writes the row it always did.
 */
export class DedupWindows {
  private constructor(
    /** Newest first (by raisedAt). */
    private readonly windows: DedupWindow[],
  ) {}

  static none(): DedupWindows {
    return new DedupWindows([]);
  }

  static of(row: RowData | undefined): DedupWindows | undefined {
    const state = dedupStateFromRow(row);
    if (state === undefined) return undefined;
    const windows: DedupWindow[] = [{ from: Math.min(num(row, 'from') ?? state.lastRaisedAt, state.lastRaisedAt), raisedAt: state.lastRaisedAt, alertId: state.lastAlertId }];
    const older = str(row, 'older');
    if (older !== '') {
      for (const part of older.split(',')) {
        const [from, raisedAt, alertId] = part.split(':');
        const window = { from: Number(from), raisedAt: Number(raisedAt), alertId: alertId ?? '' };
        if (Number.isFinite(window.from) && Number.isFinite(window.raisedAt)) windows.push(window);
      }
    }
    return new DedupWindows(windows);
  }

  /** 'reanchor': suppressed, and a window's start moved back to the use (the row changes). */
  decide(timeMs: number, candidateAlertId: string, windowMs: number, late: boolean): DedupOutcome | 'reanchor' {
    const shortId = candidateAlertId.slice(0, SHORT_ID_CHARS);
    // A redelivered use that raised its window's alert raises it again (same AlertId), whichever window.
    for (const w of this.windows) if (w.alertId === candidateAlertId || (w.alertId.length === SHORT_ID_CHARS && w.alertId === shortId)) return 'reemit';
    for (const w of this.windows) if (w.from <= timeMs && timeMs < w.from + windowMs) return 'suppress';
    // Before a window's start but less than a window before its raise: the use opens that window in
    // event-time order (the raise that opened it came first only because of the lag).
    for (const w of this.windows) {
      if (timeMs < w.from && timeMs > w.raisedAt - windowMs) {
        if (late) return 'suppress';
        w.from = timeMs;
        return 'reanchor';
      }
    }
    return 'raise';
  }

  /** Whether a window not raised by `raiseId` was raised on the UTC day of `timeMs`. */
  anotherRaiseOnDay(raiseId: string, timeMs: number): boolean {
    const day = utcDay(timeMs);
    const shortId = raiseId.slice(0, SHORT_ID_CHARS);
    return this.windows.some((w) => w.alertId !== raiseId && w.alertId !== shortId && utcDay(w.raisedAt) === day);
  }

  /** The windows with a new one raised by the use at `timeMs`. */
  raised(timeMs: number, alertId: string): DedupWindows {
    const windows = [...this.windows, { from: timeMs, raisedAt: timeMs, alertId }].sort((a, b) => b.raisedAt - a.raisedAt);
    return new DedupWindows(windows.slice(0, OLDER_WINDOWS_MAX + 1));
  }

  /** The `dd|` row: dedup.ts' fields for the latest window, `from` and `older` only when needed. */
  toRow(previous: RowData | undefined): Record<string, RowValue> {
    const [latest, ...older] = this.windows;
    const state = dedupStateFromRow(previous);
    const sameWindow = state !== undefined && state.lastAlertId === latest!.alertId;
    const row: Record<string, RowValue> = dedupStateToRow({
      lastRaisedAt: latest!.raisedAt,
      lastAlertId: latest!.alertId,
      suppressedCount: sameWindow ? state.suppressedCount : 0,
      recentlySuppressed: state?.recentlySuppressed ?? [],
    });
    if (latest!.from !== latest!.raisedAt) row['from'] = latest!.from;
    if (older.length > 0) row['older'] = older.map((w) => `${w.from}:${w.raisedAt}:${w.alertId.slice(0, SHORT_ID_CHARS)}`).join(',');
    return row;
  }
}
