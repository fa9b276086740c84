import { MAX_RECORD_DEPTH, nestsDeeperThan, prunedCopy } from '../bounds/nesting';
import { boundText } from '../bounds/textBounds';
import { redactSecrets } from '../redact/redactSecrets';
import { wellFormed } from './wellFormed';

/**
 * A record that could not be used, as a value: counted by reason, logged once per batch with a
 * short reason and handed to the dead-letter sink. Bad input never throws and never loses the
 * rest of the batch.
 */
export interface Reject {
  /** Short machine-readable reason, used as the counter key (for example `body.invalid-json`). */
  readonly reason: string;
  /** One human sentence: what was wrong (credentials it quotes redacted). */
  readonly detail: string;
  /** The offending input with credentials redacted (redactSecrets), then truncated for the dead-letter sink. */
  readonly sample: string;
  /** Where it came from: `message 3`, `file.ndjson:17`. */
  readonly origin: string;
}

/** 4 KiB: enough to see what a bad record was, small enough for a table row or a log line. */
export const REJECT_SAMPLE_CHARS = 4096;

/**
 * 1 KiB: a detail is one sentence, and may quote a value (a service's error message); bounded so a
 * dead-letter row stays far under Table Storage's 64 KiB per property.
 */
export const REJECT_DETAIL_CHARS = 1_024;

/**
 * A reject of `input`. An input nested deeper than MAX_RECORD_DEPTH is sampled from a pruned copy
 * (see prunedCopy): the sample's JSON.stringify, and the String() it falls back to, walk the value
 * recursively and would throw `Maximum call stack size exceeded` out of the batch.
 */
export function makeReject(reason: string, detail: string, input: unknown, origin: string): Reject {
  const sampled = tooDeep(input) ? prunedSample(input) : input;
  return { reason, detail: wellFormed(boundText(redactedHead(detail, REJECT_DETAIL_CHARS), REJECT_DETAIL_CHARS)), sample: sampleOf(sampled), origin };
}

function prunedSample(input: unknown): unknown {
  try {
    return prunedCopy(input);
  } catch {
    return `[a value nested more than ${MAX_RECORD_DEPTH} levels deep]`;
  }
}

/**
 * True for a parsed JSON object or array nested deeper than MAX_RECORD_DEPTH (a byte buffer or a
 * string is sampled as text, never walked). False when the walk itself fails (an accessor that
 * throws, which JSON never makes): the sample then falls back as it does for any value.
 */
function tooDeep(input: unknown): boolean {
  if (typeof input !== 'object' || input === null || input instanceof Uint8Array) return false;
  try {
    return nestsDeeperThan(input);
  } catch {
    return false;
  }
}

/**
 * A record nested deeper than MAX_RECORD_DEPTH: `record.too-deep`. Real telemetry nests a few
 * levels; such a record is built to break recursive code (see nesting.ts).
 */
export function tooDeepReject(record: unknown, origin: string): Reject {
  return makeReject('record.too-deep', `The record nests objects or arrays more than ${MAX_RECORD_DEPTH} levels deep.`, record, origin);
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
  // Credentials out first, then the cut. Well-formed after the cut too: the cut may split a surrogate pair.
  const head = redactedHead(text, REJECT_SAMPLE_CHARS);
  return wellFormed(head.length > REJECT_SAMPLE_CHARS || text.length > head.length ? `${head.slice(0, REJECT_SAMPLE_CHARS)}…` : head);
}

/**
 * `text` without credentials (redactSecrets), as far as a cut at `chars` keeps it: only the first
 * 2 × `chars` are redacted, so a megabyte record costs what a small one does. A secret that starts
 * before the cut is still recognised: every form's value runs to the end of the text it is given,
 * and a private key without its END line is redacted to the end.
 */
function redactedHead(text: string, chars: number): string {
  return redactSecrets(text.length > 2 * chars ? text.slice(0, 2 * chars) : text);
}

/**
 * Runs a parser, turning a throw into a `record.unreadable` reject with the error (a record shaped
 * beyond what the parser handles, or a parser bug), and a record nested deeper than
 * MAX_RECORD_DEPTH into `record.too-deep`. Parsers return values and never throw by
 * design; this guards their entry points for what the design missed. A throw would fail the
 * invocation, and under the Event Hub retry policy (no limit) the same batch would be redelivered
 * forever and its partition would stop; as a reject the record is counted and dead-lettered and
 * the rest of the batch goes on.
 */
export function parseGuarded<R, T>(record: R, origin: string, parse: (record: R, origin: string) => T): T | { readonly ok: false; readonly reject: Reject } {
  // A record that is not an object (an array, most often) is rejected by every parser, with the
  // record as the sample: its depth is measured first, so a deep one is rejected for what it is.
  // An object record is read by fixed paths, never walked, so its depth costs nothing to judge
  // and is only measured when something rejects it (makeReject) or a parser throws.
  if (Array.isArray(record) && tooDeep(record)) return { ok: false, reject: tooDeepReject(record, origin) };
  try {
    return parse(record, origin);
  } catch (error) {
    if (tooDeep(record)) return { ok: false, reject: tooDeepReject(record, origin) };
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
