import { wellFormed } from './wellFormed';

/**
 * A record that could not be used, as a value: counted by reason, logged once per batch with a
 * short reason and handed to the dead-letter sink. Bad input never throws and never loses the
 * rest of the batch.
 */
export interface Reject {
  /** Short machine-readable reason, used as the counter key (for example `body.invalid-json`). */
  readonly reason: string;
  /** One human sentence: what was wrong. */
  readonly detail: string;
  /** The offending input, truncated for the dead-letter sink. */
  readonly sample: string;
  /** Where it came from: `message 3`, `file.ndjson:17`. */
  readonly origin: string;
}

/** 4 KiB: enough to see what a bad record was, small enough for a table row or a log line. */
export const REJECT_SAMPLE_CHARS = 4096;

export function makeReject(reason: string, detail: string, input: unknown, origin: string): Reject {
  return { reason, detail: wellFormed(detail), sample: sampleOf(input), origin };
}

function sampleOf(input: unknown): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else if (input instanceof Uint8Array) text = Buffer.from(input).toString('utf8');
  else {
    try {
      text = JSON.stringify(input) ?? String(input);
    } catch {
      text = String(input);
    }
  }
  // Well-formed after the cut too: the cut may split a surrogate pair.
  return wellFormed(text.length > REJECT_SAMPLE_CHARS ? `${text.slice(0, REJECT_SAMPLE_CHARS)}…` : text);
}

/**
 * Runs a parser, turning a throw into a `record.unreadable` reject with the error: a record shaped
 * beyond what the parser handles, or a parser bug. Parsers return values and never throw by
 * design; this guards their entry points for what the design missed. A throw would fail the
 * invocation, and under the Event Hub retry policy (no limit) the same batch would be redelivered
 * forever and its partition would stop; as a reject the record is counted and dead-lettered and
 * the rest of the batch goes on.
 */
export function parseGuarded<R, T>(record: R, origin: string, parse: (record: R, origin: string) => T): T | { readonly ok: false; readonly reject: Reject } {
  try {
    return parse(record, origin);
  } catch (error) {
    const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { ok: false, reject: makeReject('record.unreadable', `The parser failed on this record (${what}).`, record, origin) };
  }
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reject: Reject };

/**
 * A parsed value. A class instance rather than a `{ ok: true, value }` literal: V8 may pretenure a
 * literal whose objects tend to survive (see TokenUseEvent), and a dead wrapper in the old
 * generation would keep its young value alive until the next full collection.
 */
class ParsedValue<T> {
  readonly ok = true as const;

  constructor(readonly value: T) {}
}

export function parsedValue<T>(value: T): Parsed<T> {
  return new ParsedValue(value);
}

export function countByReason(rejects: readonly Reject[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rejects) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
  return counts;
}
