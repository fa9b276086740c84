/**
 * Which rows a sweep run judges, so each row is judged once although Log Analytics ingests late and
 * out of order.
 *
 * The choice: windows on ingestion_time() (monotonic per row, unlike TimeGenerated, which a late row
 * carries from the past), each window starting `overlapMs` before the last watermark, plus a seen-set
 * of the identities of rows ingested inside that overlap. The overlap absorbs ingestion-time skew
 * between ingestion nodes and rows becoming queryable a little after their ingestion time; the
 * seen-set stops the overlap from judging a row twice. Only rows inside the overlap are remembered,
 * so the set stays small. A window cut short by the row limit continues from its last row.
 */
export interface SweepWatermark {
  /** Everything ingested at or before this time (epoch ms) has been read. */
  readonly throughMs: number;
  /** Rows already judged whose ingestion time falls inside the overlap before throughMs. */
  readonly seen: readonly { readonly id: string; readonly ingestedAtMs: number }[];
}

/** 10 minutes of overlap between consecutive windows. */
export const SWEEP_OVERLAP_MS = 10 * 60 * 1000;
/** The first run reads the last hour. */
export const SWEEP_INITIAL_LOOKBACK_MS = 60 * 60 * 1000;

/**
 * 6 hours of ingestion time at most per window. After an outage the sweep catches up one window
 * per run (72 times real time at the 5-minute schedule) instead of asking Log Analytics for the
 * whole gap at once: a query over weeks of a large table can time out, and the timer would repeat
 * that same query, and its failure, on every run.
 */
export const SWEEP_MAX_SPAN_MS = 6 * 60 * 60 * 1000;

/** The ingestion-time window a run reads: from the watermark less the overlap (or the initial lookback) to now, at most `maxSpanMs` long. */
export function sweepWindow(
  previous: SweepWatermark | undefined,
  nowMs: number,
  overlapMs = SWEEP_OVERLAP_MS,
  initialLookbackMs = SWEEP_INITIAL_LOOKBACK_MS,
  maxSpanMs = SWEEP_MAX_SPAN_MS,
): { fromMs: number; toMs: number } {
  const fromMs = previous === undefined ? nowMs - initialLookbackMs : previous.throughMs - overlapMs;
  return { fromMs, toMs: Math.max(fromMs, Math.min(nowMs, fromMs + maxSpanMs)) };
}

export interface SweepRowStamp {
  readonly id: string;
  readonly ingestedAtMs: number;
}

export function advanceWatermark(
  previous: SweepWatermark | undefined,
  window: { readonly fromMs: number; readonly toMs: number },
  rows: readonly SweepRowStamp[],
  truncated: boolean,
  overlapMs = SWEEP_OVERLAP_MS,
): { next: SweepWatermark; fresh: number[] } {
  const known = new Set(previous?.seen.map((s) => s.id) ?? []);
  const fresh: number[] = [];
  rows.forEach((row, i) => {
    if (known.has(row.id)) return;
    known.add(row.id);
    fresh.push(i);
  });
  const lastRow = rows.reduce((max, r) => Math.max(max, r.ingestedAtMs), Number.NEGATIVE_INFINITY);
  // A full window was read up to its end; a truncated one only up to its last row.
  const throughMs = Math.max(previous?.throughMs ?? Number.NEGATIVE_INFINITY, truncated && Number.isFinite(lastRow) ? lastRow : window.toMs);
  const keepFrom = throughMs - overlapMs;
  const seen = new Map<string, number>();
  for (const s of [...(previous?.seen ?? []), ...rows]) if (s.ingestedAtMs > keepFrom) seen.set(s.id, Math.max(seen.get(s.id) ?? s.ingestedAtMs, s.ingestedAtMs));
  return {
    next: { throughMs, seen: [...seen].map(([id, ingestedAtMs]) => ({ id, ingestedAtMs })).sort((a, b) => a.ingestedAtMs - b.ingestedAtMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) },
    fresh,
  };
}

/** A stored watermark (JSON), validated; undefined when absent or malformed (the sweep then starts afresh). */
export function parseSweepWatermark(json: unknown): SweepWatermark | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const { throughMs, seen } = json as { throughMs?: unknown; seen?: unknown };
  if (typeof throughMs !== 'number' || !Number.isFinite(throughMs) || !Array.isArray(seen)) return undefined;
  const entries: { id: string; ingestedAtMs: number }[] = [];
  for (const s of seen) {
    if (typeof s !== 'object' || s === null) return undefined;
    const { id, ingestedAtMs } = s as { id?: unknown; ingestedAtMs?: unknown };
    if (typeof id !== 'string' || typeof ingestedAtMs !== 'number') return undefined;
    entries.push({ id, ingestedAtMs });
  }
  return { throughMs, seen: entries };
}
