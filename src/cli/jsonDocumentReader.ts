/**
 * A `.json` input read as it arrives, so that a document of any size is never held whole: the
 * record list of an array (`[…]`, as `az monitor log-analytics query` prints rows) or of an Event
 * Hub body (`{"records":[…]}`) is cut into its elements, and each is parsed and handed on as soon
 * as it is complete. The items are those of reading the document whole (decodeMessage, then
 * decodedItems), in the same order with the same origins, except where the text is damaged:
 * - an element that is not JSON is one counted reject (`body.invalid-json`) and the elements after
 *   it are read on, where the whole document used to be one reject;
 * - a document that ends before it is closed is a reject after the records before the break;
 * - text after the first JSON value is read as NDJSON lines: several values in one `.json` file
 *   are JSON Lines (a storage account archives resource logs so, in `PT1H.json`), and a first value
 *   that is one record then takes its line's origin too;
 * - so is the text from where a record is followed by neither a comma nor its list's end (NDJSON
 *   whose first line breaks off, or damage): a reject there, and the lines after it are read.
 * An object with no `records` array (one record, a query result's `tables`) is parsed whole when
 * it closes, as are documents that start with neither `[` nor `{` (decodeMessage decides).
 *
 * The scan tracks only strings and nesting: JSON.parse of each element does the validating.
 */
import { decodeMessage } from '../core/records/envelope';
import { makeReject } from '../core/records/reject';
import { decodedItems, elementItems, LineSplitter, lineItems, MAX_RECORD_CHARS, type InputItem, type NumberedLine } from './inputItems';

type Mode =
  /** White space before the document. */
  | 'start'
  /** Inside the top-level value: its list's elements are cut out, or the object is scanned for one. */
  | 'value'
  /** After the top-level value: NDJSON lines. */
  | 'rest'
  /** A document that is not an array or object: held and decoded whole at the end. */
  | 'whole';

const QUOTE = 34, BACKSLASH = 92, COMMA = 44, COLON = 58, NEWLINE = 10;
const OPEN_BRACE = 123, CLOSE_BRACE = 125, OPEN_BRACKET = 91, CLOSE_BRACKET = 93;

const isSpace = (c: number): boolean => c === 32 || c === NEWLINE || c === 13 || c === 9;

export class JsonDocumentReader {
  private mode: Mode = 'start';
  /** Text held: the object being scanned (until it turns out to be a body), or a 'whole' document. */
  private held: string[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Lines ended so far (NDJSON after the value continues their numbering). */
  private newlines = 0;
  /** The depth of the list whose elements are cut out (1: a top-level array; 2: a body's records); 0 when none. */
  private listDepth = 0;
  /** The element being cut out: its text from earlier chunks, and where it starts in this one (-1: not in this chunk). */
  private element: string[] | undefined;
  private elementStart = -1;
  /** Whether the element is a string, array or object that has closed: only a comma or the list's end may follow. */
  private elementClosed = false;
  /** Characters of the element so far; past MAX_RECORD_CHARS its text is no longer kept (a reject when it ends). */
  private elementChars = 0;
  /** Elements handed on: the next one's index in its origin. */
  private elements = 0;
  /** The top-level object's member state: whether a key is expected, the key being read, the last key read. */
  private expectKey = false;
  private keyStart = -1;
  private keyText: string[] = [];
  private lastKey = '';
  /** Whether the top-level object had its records streamed (it is then never decoded whole). */
  private streamedRecords = false;
  private rest: LineSplitter | undefined;
  /** The line the top-level value starts on. */
  private valueLine = 1;
  /**
   * A top-level object that is no body, held from its end until the text after it shows what it
   * was: the first line of JSON Lines (a storage account's `PT1H.json` archive), read as NDJSON
   * lines are (`name:line`), or the whole document, read as it always was.
   */
  private firstValue: string | undefined;

  constructor(private readonly name: string) {}

  *push(chunk: string): Generator<InputItem> {
    if (this.mode === 'rest') {
      yield* this.restLines(this.rest!.push(chunk));
      return;
    }
    if (this.mode === 'whole') {
      this.held.push(chunk);
      return;
    }
    let i = 0;
    if (this.mode === 'start') {
      while (i < chunk.length && isSpace(chunk.charCodeAt(i))) {
        if (chunk.charCodeAt(i) === NEWLINE) this.newlines++;
        i++;
      }
      if (i === chunk.length) {
        this.held.push(chunk);
        return;
      }
      const first = chunk.charCodeAt(i);
      if (first !== OPEN_BRACKET && first !== OPEN_BRACE) {
        this.mode = 'whole';
        this.held.push(chunk);
        return;
      }
      this.held = [];
      this.mode = 'value';
    }
    const objectStart = this.depth === 0 ? i : 0;
    const end = yield* this.scan(chunk, i);
    if (end === undefined) {
      // Still inside the value.
      if (this.element !== undefined) this.keepElementText(chunk.slice(Math.max(this.elementStart, 0)));
      this.elementStart = -1;
      if (this.keyStart !== -1) {
        this.keyText.push(chunk.slice(this.keyStart));
        this.keyStart = 0;
      }
      if (this.listDepth === 0 && !this.streamedRecords) this.held.push(chunk.slice(objectStart));
      return;
    }
    this.mode = 'rest';
    this.rest = new LineSplitter(this.newlines + 1);
    yield* this.restLines(this.rest.push(chunk.slice(end)));
  }

  *end(): Generator<InputItem> {
    if (this.mode === 'rest') {
      yield* this.restLines(this.rest!.end());
      if (this.firstValue !== undefined) yield* decodedItems(decodeMessage(this.firstValue, this.name), this.name);
      return;
    }
    if (this.mode === 'start' || this.mode === 'whole' || (this.listDepth === 0 && !this.streamedRecords)) {
      // Decided as a whole document is: an empty body, NDJSON in one file, not JSON at all.
      const whole = joinedText(this.held);
      this.held = [];
      if (whole === undefined) yield { reject: tooLargeDocument(this.name) };
      else yield* decodedItems(decodeMessage(whole, this.name), this.name);
      return;
    }
    const where = this.element !== undefined ? `inside record ${this.elements}` : `after record ${this.elements - 1}`;
    yield { reject: makeReject('body.invalid-json', `The JSON document ends before it is closed, ${where}; the records before that were read.`, this.element?.join('') ?? '', this.name) };
  }

  /**
   * Scans `chunk` from `from` inside the top-level value, handing on each element it completes.
   * Returns where the value ended (the index after its last character), or undefined when it
   * goes on past this chunk.
   */
  private *scan(chunk: string, from: number): Generator<InputItem, number | undefined> {
    for (let i = from; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.keyStart !== -1) this.endKey(chunk, i + 1);
          else if (this.depth === this.listDepth && this.element !== undefined) this.elementClosed = true;
        }
        continue;
      }
      if (isSpace(c)) {
        if (c === NEWLINE) this.newlines++;
        continue;
      }
      const depth = this.depth;
      if (this.listDepth !== 0 && depth === this.listDepth) {
        // Between or inside the list's elements, at the list's own level.
        if (c === COMMA || c === CLOSE_BRACKET) {
          if (this.element !== undefined) yield* this.endElement(chunk, i);
          else if (c === COMMA) yield* this.emptyElement();
          if (c === CLOSE_BRACKET) {
            this.listDepth = 0;
            this.depth--;
            if (this.depth === 0) return i + 1;
          }
          continue;
        }
        if (this.elementClosed) {
          // Not one document (NDJSON in a .json file, or damage): the element is handed on, the
          // break counted, and the rest read as NDJSON lines from here.
          yield* this.endElement(chunk, i);
          yield { reject: makeReject('body.invalid-json', `The JSON document breaks off at line ${this.newlines + 1}: a record is followed by neither a comma nor the end of its list. The rest of the file is read as NDJSON lines.`, chunk.slice(i, i + 200), this.name) };
          return i;
        }
        if (this.element === undefined) {
          this.element = [];
          this.elementStart = i;
        }
      } else if (depth === 1 && this.listDepth === 0) {
        // The top-level object's own level: keys and the start of their values.
        if (c === QUOTE && this.expectKey) {
          this.inString = true;
          this.keyStart = i;
          this.keyText = [];
          continue;
        }
        if (c === COLON) {
          this.expectKey = false;
          continue;
        }
        if (c === COMMA) {
          this.expectKey = true;
          continue;
        }
        if (c === OPEN_BRACKET && !this.expectKey && this.lastKey === 'records') {
          // A body: its records are cut out from here on; what was held of the object is dropped.
          this.depth = 2;
          this.listDepth = 2;
          this.streamedRecords = true;
          this.held = [];
          continue;
        }
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
        this.depth++;
        if (this.depth === 1) {
          this.valueLine = this.newlines + 1;
          if (c === OPEN_BRACKET) this.listDepth = 1;
          else this.expectKey = true;
        }
      } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
        this.depth--;
        if (this.depth === this.listDepth && this.element !== undefined) this.elementClosed = true;
        if (this.depth === 0) {
          const end = i + 1;
          if (!this.streamedRecords) {
            this.held.push(chunk.slice(0, end));
            const whole = joinedText(this.held);
            this.held = [];
            if (whole === undefined) yield { reject: tooLargeDocument(this.name) };
            else this.firstValue = whole;
          }
          return end;
        }
      }
    }
    return undefined;
  }

  /** NDJSON lines after the top-level value; the first one with text settles what the held first value was. */
  private *restLines(lines: Iterable<NumberedLine>): Generator<InputItem> {
    for (const line of lines) {
      if (this.firstValue !== undefined && (line.text.trim() !== '' || line.tooLongChars !== undefined)) {
        const first = this.firstValue;
        this.firstValue = undefined;
        yield* lineItems({ text: first, line: this.valueLine }, this.name);
      }
      yield* lineItems(line, this.name);
    }
  }

  /** The key whose closing quote ends at `end`: JSON.parse reads its escapes (`"rec\u006frds"` is `records`). */
  private endKey(chunk: string, end: number): void {
    this.keyText.push(chunk.slice(this.keyStart, end));
    this.keyStart = -1;
    const text = this.keyText.join('');
    this.keyText = [];
    try {
      this.lastKey = text.length <= 64 ? (JSON.parse(text) as string) : '';
    } catch {
      this.lastKey = '';
    }
  }

  /** More of the element being cut out; past MAX_RECORD_CHARS only its length is counted. */
  private keepElementText(text: string): void {
    this.elementChars += text.length;
    if (this.elementChars > MAX_RECORD_CHARS) this.element = [];
    else this.element!.push(text);
  }

  /** The element that ends before `end` in `chunk`: parsed and handed on (a counted reject when it is not JSON, or too long to read). */
  private *endElement(chunk: string, end: number): Generator<InputItem> {
    this.keepElementText(chunk.slice(Math.max(this.elementStart, 0), end));
    const parts = this.element!;
    const chars = this.elementChars;
    this.element = undefined;
    this.elementStart = -1;
    this.elementClosed = false;
    this.elementChars = 0;
    const where = `${this.name} record ${this.elements++}`;
    if (chars > MAX_RECORD_CHARS) {
      yield { reject: makeReject('record.too-large', `The record is ${chars} characters long; records over ${MAX_RECORD_CHARS} are not read (an Event Hub body holds at most 1 MiB). The records after it were read on.`, '', where) };
      return;
    }
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      yield { reject: makeReject('body.invalid-json', 'The record is not JSON; the records after it were read on.', text, where) };
      return;
    }
    yield* elementItems(value, where);
  }

  /** A comma with no element before it (`[,…]`, `[a,,b]`). */
  private *emptyElement(): Generator<InputItem> {
    const where = `${this.name} record ${this.elements++}`;
    yield { reject: makeReject('body.invalid-json', 'An empty place in the record list (two commas, or a comma first).', '', where) };
  }
}

/** The parts as one string; undefined past what V8 can hold in one string (about 512 Mi characters). */
function joinedText(parts: readonly string[]): string | undefined {
  try {
    return parts.join('');
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

function tooLargeDocument(name: string): ReturnType<typeof makeReject> {
  return makeReject('body.too-large', 'The JSON document is one value too large to read whole (no record list to read it by, and past the size of one string); a replay reads arrays and Event Hub bodies record by record.', '', name);
}
