/**
 * Text any JSON reader will take. JSON may carry a lone UTF-16 surrogate (`"\ud800"`), and so may
 * any string we take from a record; serialised again, it is an escape that strict readers refuse
 * (a surrogate with no partner is not a character). Alert rows and dead letters leave the process
 * for services whose readers we cannot test here; a refusal there would lose the good rows sent
 * with the bad one or fail the batch, so lone surrogates become U+FFFD (the replacement character)
 * on the way out.
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

export function wellFormed(text: string): string {
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATES, '\ufffd') : text;
}

/** `wellFormed` on every string of a JSON value (object keys included); other values as they are. */
export function wellFormedJson(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (value !== null && typeof value === 'object') return wellFormedObject(value);
  return value;
}

/** `wellFormedJson` of an object or array, still an object. */
export function wellFormedObject(value: object): object {
  if (Array.isArray(value)) return value.map(wellFormedJson);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[wellFormed(key)] = wellFormedJson(child);
  return out;
}
