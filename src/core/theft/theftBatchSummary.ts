import type { Reject } from '../records/reject';
import type { EndpointEvent, EndpointParsed } from '../records/endpoint/endpointEvent';
import type { TheftDetectionSummary } from './detectTheft';

/**
 * The one structured line a theft batch logs: what the parsers made of the records and what the
 * detector made of the events. No record content, no command lines.
 */
export interface TheftBatchSummary {
  readonly records: number;
  readonly parsed: number;
  /** Ignored-by-kind counts (`sysmon.event-12`: 292). */
  readonly ignored: Readonly<Record<string, number>>;
  /** Rejected-by-reason counts (`endpoint.unknown-shape`: 1). */
  readonly rejected: Readonly<Record<string, number>>;
  readonly detection: TheftDetectionSummary;
}

/** Splits parser outcomes into the events to judge, the rejects to dead-letter and the ignored counts. */
export function splitEndpointOutcomes(outcomes: readonly EndpointParsed[]): {
  events: EndpointEvent[];
  rejects: Reject[];
  ignored: Record<string, number>;
} {
  const events: EndpointEvent[] = [];
  const rejects: Reject[] = [];
  const ignored: Record<string, number> = {};
  for (const outcome of outcomes) {
    if (outcome.ok === true) events.push(outcome.value);
    else if (outcome.ok === false) rejects.push(outcome.reject);
    else ignored[outcome.kind] = (ignored[outcome.kind] ?? 0) + 1;
  }
  return { events, rejects, ignored };
}
