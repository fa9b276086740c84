import type { Random } from './random';

/**
 * A record template: the JSON text of a real-shaped record, cut at its variable values, so a
 * generator can write thousands of records per millisecond by concatenation instead of building and
 * serialising objects. Templates are made FROM the object builders (azureRecords, endpointRecords),
 * with slot markers as values and `slotRandom()` as their random source, so a templated record has
 * exactly the keys, order and constants of a built one: the shape is defined once.
 *
 *   const t = compileTemplate(activityRecord({ …, ip: slot('ip'), time: slot('time'), random: slotRandom() }), ['ip', 'time']);
 *   renderTemplate(t, ['13.80.4.7', '2026-09-01T00:00:00.0000000Z'], random)
 *
 * Every `random.guid()` / `hex(n)` / `int(a, b)` a builder makes becomes a slot that is drawn afresh
 * for each rendered record. A named string slot may sit inside a longer string
 * (`/tenants/⟦tenant⟧/providers`). Values are inserted verbatim, so they must not contain `"` or `\`
 * (GUIDs, IPs, times, ARM paths, Graph URIs and token ids never do).
 */

const OPEN = '\u27e6';
const CLOSE = '\u27e7';
const NUMBER_MARK = '#';
const RANDOM_MARK = '~';

/** A named string value, filled in at render time. */
export function slot(name: string): string {
  return `${OPEN}${name}${CLOSE}`;
}

/** A named number value (written without quotes); typed as number so it fits the builders' signatures. */
export function numberSlot(name: string): number {
  return `${OPEN}${NUMBER_MARK}${name}${CLOSE}` as unknown as number;
}

export type TemplateSlot =
  /** `index` into the values array given to renderTemplate. */
  | { readonly kind: 'value'; readonly index: number }
  /** `draw` numbers the random value within a record: a builder's variable used twice stays equal. */
  | { readonly kind: 'guid'; readonly draw: number }
  | { readonly kind: 'hex'; readonly length: number; readonly draw: number }
  | { readonly kind: 'int'; readonly min: number; readonly max: number; readonly draw: number };

export interface RecordTemplate {
  /** Constant JSON text between the slots; `parts.length === slots.length + 1`. */
  readonly parts: readonly string[];
  readonly slots: readonly TemplateSlot[];
  /** Random values drawn per rendered record. */
  readonly draws: number;
}

/**
 * A Random for building templates: its values are slot markers, numbered in call order. Only what
 * the record builders use is supported (guid, hex, int); anything else would freeze a random choice
 * into a constant, so it throws.
 */
export function slotRandom(): Random {
  let draw = 0;
  const unsupported = (what: string) => (): never => {
    throw new Error(`slotRandom: ${what} cannot become a template slot.`);
  };
  return {
    next: unsupported('next'),
    chance: unsupported('chance'),
    pick: unsupported('pick'),
    sample: unsupported('sample'),
    bytes: unsupported('bytes'),
    guid: () => `${OPEN}${RANDOM_MARK}guid:${draw++}${CLOSE}`,
    hex: (length) => `${OPEN}${RANDOM_MARK}hex:${draw++}:${length}${CLOSE}`,
    int: (min, max) => `${OPEN}${NUMBER_MARK}${RANDOM_MARK}int:${draw++}:${min}:${max}${CLOSE}` as unknown as number,
  };
}

const SLOT_PATTERN = new RegExp(`"${OPEN}${NUMBER_MARK}([^${CLOSE}]+)${CLOSE}"|${OPEN}([^${CLOSE}]+)${CLOSE}`, 'g');

/**
 * Cuts the record's JSON at its slots. `names` lists the named slots the caller will fill, in the
 * order of its values array; a marker not in the list fails here, not in a rendered record.
 */
export function compileTemplate(record: unknown, names: readonly string[]): RecordTemplate {
  const text = JSON.stringify(record);
  const parts: string[] = [];
  const slots: TemplateSlot[] = [];
  let draws = 0;
  let last = 0;
  for (const match of text.matchAll(SLOT_PATTERN)) {
    parts.push(text.slice(last, match.index));
    const marker = (match[1] ?? match[2]) as string;
    if (marker.startsWith(RANDOM_MARK)) {
      const [kind, drawText, a, b] = marker.slice(1).split(':');
      const draw = Number(drawText);
      draws = Math.max(draws, draw + 1);
      slots.push(kind === 'guid' ? { kind: 'guid', draw } : kind === 'hex' ? { kind: 'hex', draw, length: Number(a) } : { kind: 'int', draw, min: Number(a), max: Number(b) });
    } else {
      const index = names.indexOf(marker);
      if (index === -1) throw new Error(`compileTemplate: slot "${marker}" is not among the names given.`);
      slots.push({ kind: 'value', index });
    }
    last = (match.index ?? 0) + match[0].length;
  }
  parts.push(text.slice(last));
  return { parts: parts.map(flat), slots, draws };
}

/**
 * A fresh flat copy. The markers made the JSON a two-byte string and slices keep their parent's
 * encoding; concatenations are rope strings. Either makes joined bodies bigger or slower, so every
 * part is copied once into a flat (one-byte, when ASCII) string.
 */
function flat(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

/**
 * The template with some named slots filled for good (`fixed[index]` defined), their text merged
 * into the constant parts: a generator binds what is constant per identity once, and renders only
 * what changes per record.
 */
export function bindTemplate(template: RecordTemplate, fixed: readonly (string | undefined)[]): RecordTemplate {
  const parts: string[] = [];
  const slots: TemplateSlot[] = [];
  let current = template.parts[0] as string;
  template.slots.forEach((s, i) => {
    const value = s.kind === 'value' ? fixed[s.index] : undefined;
    if (value !== undefined) {
      current += value + (template.parts[i + 1] as string);
    } else {
      parts.push(current);
      slots.push(s);
      current = template.parts[i + 1] as string;
    }
  });
  parts.push(current);
  return { parts: parts.map(flat), slots, draws: template.draws };
}

/**
 * Appends the record's text to `pieces`, every slot filled from `values` (by index) and with fresh
 * random values. Pieces, not a string: a body is joined once from all its pieces, which is several
 * times faster than concatenating each record first (deep rope strings are slow to flatten).
 */
export function renderInto(pieces: string[], template: RecordTemplate, values: readonly string[], random: Random): void {
  const { parts, slots } = template;
  const drawn: (string | undefined)[] = template.draws === 0 ? [] : new Array<string | undefined>(template.draws);
  pieces.push(parts[0] as string);
  for (let i = 0; i < slots.length; i++) {
    const s = slots[i] as TemplateSlot;
    if (s.kind === 'value') {
      const value = values[s.index];
      if (value === undefined) throw new Error(`renderTemplate: no value at index ${s.index}.`);
      pieces.push(value);
    } else {
      let value = drawn[s.draw];
      if (value === undefined) {
        value = s.kind === 'guid' ? random.guid() : s.kind === 'hex' ? random.hex(s.length) : String(random.int(s.min, s.max));
        drawn[s.draw] = value;
      }
      pieces.push(value);
    }
    pieces.push(parts[i + 1] as string);
  }
}

/** The record text with every slot filled (see renderInto). */
export function renderTemplate(template: RecordTemplate, values: readonly string[], random: Random): string {
  const pieces: string[] = [];
  renderInto(pieces, template, values, random);
  return pieces.join('');
}
