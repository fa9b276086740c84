import type { EndpointParsed } from './endpoint/endpointEvent';
import { makeReject, type Reject } from './reject';
import { isoTime } from './time';

/**
 * The event times a detector accepts. A time outside it is no event's: the year 1601 (a Windows
 * FILETIME of zero), 0001 or 9999 (a .NET DateTime's MinValue and MaxValue), a clock set a year
 * ahead. Judged as it is, such a time does harm: an event dated 1601 would start its tenant's
 * learning period centuries ago (so the tenant is never in it), and one dated 9999 would move an
 * identity's watermark past every real event (so every later use is late and teaches nothing).
 * Such a record is a counted reject, `record.time-out-of-window`.
 *
 * The pure core reads no clock: the latest time comes from the processing time the caller passes
 * in, the handler's, or when a replay started (a replay reads the past: a record dated after it is
 * as impossible as one dated after live processing). Backfills pass none and keep only the lower
 * bound (their rows come from a workspace's time-bounded query).
 */
export interface EventTimeWindow {
  readonly earliestMs: number;
  readonly latestMs: number;
}

/**
 * 2015-01-01T00:00:00Z: before any of the logs read here existed (Entra managed identities came in
 * 2017, the Activity log's Event Hub export in 2016), and early enough for any backfill of real logs.
 */
export const EARLIEST_EVENT_MS = Date.UTC(2015, 0, 1);

/** One day: how far ahead of processing an event may be dated (clock skew, time zones written as UTC). */
export const MAX_EVENT_LEAD_MS = 86_400_000;

/** The window of a batch processed at `processedAt` (epoch ms); without it, only the lower bound. */
export function eventTimeWindow(processedAt?: number): EventTimeWindow {
  return { earliestMs: EARLIEST_EVENT_MS, latestMs: processedAt === undefined ? Number.POSITIVE_INFINITY : processedAt + MAX_EVENT_LEAD_MS };
}

/** Only the lower bound: what a parser applies when its caller names no processing time. */
export const OPEN_EVENT_TIME_WINDOW: EventTimeWindow = eventTimeWindow();

export function isWithinWindow(timeMs: number, window: EventTimeWindow): boolean {
  return timeMs >= window.earliestMs && timeMs <= window.latestMs;
}

/** The reject of a record dated `timeMs`, outside `window`. */
export function timeOutOfWindowReject(timeMs: number, window: EventTimeWindow, record: unknown, origin: string): Reject {
  const bounds = Number.isFinite(window.latestMs) ? `between ${isoTime(window.earliestMs)} and ${isoTime(window.latestMs)} (a day after processing)` : `from ${isoTime(window.earliestMs)} on`;
  return makeReject('record.time-out-of-window', `The record's time ${isoTime(timeMs)} is outside the plausible window: ${bounds}.`, record, origin);
}

/**
 * An endpoint parser's outcome with the window applied: an event dated outside it becomes a
 * `record.time-out-of-window` reject; ignored records and rejects pass as they are.
 */
export function endpointWithinWindow(parsed: EndpointParsed, window: EventTimeWindow, record: unknown, origin: string): EndpointParsed {
  if (parsed.ok !== true || isWithinWindow(parsed.value.timeMs, window)) return parsed;
  return { ok: false, reject: timeOutOfWindowReject(parsed.value.timeMs, window, record, origin) };
}
