import { INITIAL_SIZING, parseReplayPosition, type ReplayPosition } from './replayPosition';

/**
 * The backfill's watermark (one row of the state table, partition `backfill|<workspace>`): the
 * range it replays, how far it got, and its running totals. The CLI and the remoteTokenUseBackfill
 * timer share it, so either resumes what the other started.
 *
 * The range ends at the start of live processing: the time of the first run less the ingestion
 * margin, fixed then and recorded, so a resumed run (days later) still stops where live
 * processing (Event Hubs or the sweep) took over, and rows younger than the margin, which may not
 * be in the workspace yet, are left to it. Rows on both sides of that edge are harmless: the
 * detector is idempotent, and history never suppresses a live alert.
 */
export interface BackfillMark {
  readonly version: 1;
  readonly days: number;
  /** First TimeGenerated replayed (epoch ms): liveStartMs less `days`. */
  readonly startMs: number;
  /** Where the backfill ends and live processing begins (epoch ms, exclusive). */
  readonly liveStartMs: number;
  readonly position: ReplayPosition;
  /** Windows (slices) completed and rows fed, over every run. */
  readonly slices: number;
  readonly rows: number;
  readonly startedAtMs: number;
  readonly updatedAtMs: number;
  /** When the last slice completed; undefined while the backfill runs. */
  readonly finishedAtMs?: number | undefined;
  /** Alerts the history would have raised, over every run (a slice repeated after a failure counts its alerts again). */
  readonly wouldHaveRaised: { readonly total: number; readonly bySeverity: Readonly<Record<string, number>>; readonly byRule: Readonly<Record<string, number>> };
}

/** 30 days: the baseline's training window; older history would age out of the baseline at once. */
export const MAX_BACKFILL_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * 5 minutes of ingestion delay left to live processing: Azure resource and Entra logs typically reach
 * the workspace 20 seconds to 3 minutes after they happen (learn.microsoft.com/azure/azure-monitor/logs/data-ingestion-time),
 * and a row becomes queryable at its ingestion_time().
 */
export const INGESTION_MARGIN_MS = 5 * 60 * 1000;

export function planBackfill(nowMs: number, days: number, marginMs = INGESTION_MARGIN_MS): BackfillMark {
  if (!Number.isInteger(days) || days < 1 || days > MAX_BACKFILL_DAYS) throw new RangeError(`planBackfill: days must be 1 to ${MAX_BACKFILL_DAYS}, not ${days}`);
  const liveStartMs = nowMs - marginMs;
  const startMs = liveStartMs - days * DAY_MS;
  return {
    version: 1,
    days,
    startMs,
    liveStartMs,
    position: { throughMs: startMs, sizing: INITIAL_SIZING },
    slices: 0,
    rows: 0,
    startedAtMs: nowMs,
    updatedAtMs: nowMs,
    finishedAtMs: undefined,
    wouldHaveRaised: { total: 0, bySeverity: {}, byRule: {} },
  };
}

export function isBackfillDone(mark: BackfillMark): boolean {
  return mark.position.throughMs >= mark.liveStartMs && mark.position.partial === undefined;
}

/** The share of the range replayed, 0 to 1. */
export function backfillProgress(mark: BackfillMark): number {
  const span = mark.liveStartMs - mark.startMs;
  return span <= 0 ? 1 : Math.min(1, Math.max(0, (mark.position.throughMs - mark.startMs) / span));
}

/** A stored mark, validated; undefined when absent or malformed (the backfill then starts afresh). */
export function parseBackfillMark(json: unknown): BackfillMark | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const m = json as Record<string, unknown>;
  const position = parseReplayPosition(m['position']);
  const numbers = ['days', 'startMs', 'liveStartMs', 'slices', 'rows', 'startedAtMs', 'updatedAtMs'] as const;
  if (m['version'] !== 1 || position === undefined || numbers.some((k) => typeof m[k] !== 'number' || !Number.isFinite(m[k]))) return undefined;
  const raised = m['wouldHaveRaised'] as Record<string, unknown> | undefined;
  const counts = (value: unknown): Record<string, number> =>
    typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).filter((e): e is [string, number] => typeof e[1] === 'number')) : {};
  return {
    version: 1,
    days: m['days'] as number,
    startMs: m['startMs'] as number,
    liveStartMs: m['liveStartMs'] as number,
    position,
    slices: m['slices'] as number,
    rows: m['rows'] as number,
    startedAtMs: m['startedAtMs'] as number,
    updatedAtMs: m['updatedAtMs'] as number,
    finishedAtMs: typeof m['finishedAtMs'] === 'number' ? m['finishedAtMs'] : undefined,
    wouldHaveRaised: { total: typeof raised?.['total'] === 'number' ? raised['total'] : 0, bySeverity: counts(raised?.['bySeverity']), byRule: counts(raised?.['byRule']) },
  };
}
