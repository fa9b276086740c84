import { describe, expect, it } from 'vitest';
import { decodedItems, LineSplitter, lineItems, MAX_RECORD_CHARS, type InputItem } from '../../src/cli/inputItems';
import { JsonDocumentReader } from '../../src/cli/jsonDocumentReader';
import { decodeMessage } from '../../src/core/records/envelope';
import { createRandom, type Random } from '../../src/demo/random';
import { activityUse, graphUse, identity, miSignIn, ONPREM_IP, at } from '../support/auditFixtures';
import { keyVaultUse, storageUse } from '../support/regionFixtures';

const NAME = 'export.json';

/** The document read as it always was: held whole, decoded, opened. */
const wholeItems = (text: string): InputItem[] => [...decodedItems(decodeMessage(text, NAME), NAME)];

/** The document pushed to a reader in pieces of `size` characters (the last one shorter). */
function streamed(text: string, size: number): InputItem[] {
  const reader = new JsonDocumentReader(NAME);
  const items: InputItem[] = [];
  for (let i = 0; i < text.length; i += size) items.push(...reader.push(text.slice(i, i + size)));
  items.push(...reader.end());
  return items;
}

const origins = (items: readonly InputItem[]): string[] => items.map((item) => ('reject' in item ? `reject ${item.reject.reason} ${item.reject.origin}` : item.origin));

const mi = identity(1);
const records = [
  miSignIn(mi, at(0, 10)),
  activityUse(mi, at(0, 11), ONPREM_IP),
  graphUse(mi, at(0, 12), ONPREM_IP),
  keyVaultUse(mi, at(0, 13), ONPREM_IP),
  storageUse(mi, at(0, 14), `${ONPREM_IP}:50123`, 'c2hhMjU2OnRva2VuaGFzaA=='),
];

/** Documents whose items must be the same read whole or streamed, at every split. */
const SAME_AS_WHOLE: Record<string, string> = {
  'an Event Hub body': JSON.stringify({ records }),
  'a pretty-printed body with CRLF line ends': JSON.stringify({ records }, null, 2).replace(/\n/g, '\r\n'),
  'an array of records (az monitor log-analytics query)': JSON.stringify(records, null, 1),
  'an array of bodies and records': JSON.stringify([{ records: records.slice(0, 2) }, records[2], { records: [] }, records[3]]),
  'a body whose records come after other members holding brackets, quotes and a "records" text':
    `{"note":"a \\"records\\": [ ] { in a string \\\\","meta":{"records":"nested, not the body's"},"list":[[1,{"x":"]"}]],"records":${JSON.stringify(records)},"after":{"y":[1,2]}}`,
  'a body whose key is spelt with an escape': `{"rec\\u006frds":${JSON.stringify(records)}}`,
  'strings with escapes, unicode and surrogate pairs': JSON.stringify([{ a: 'Zoë 🚀 "quoted" back\\slash \u2028 \t' }, 'plain string', 42, null, true, [1, [2, [3]]]]),
  'one record': JSON.stringify(records[1]),
  'a query result (read whole)': JSON.stringify({ tables: [{ name: 'PrimaryResult', columns: [{ name: 'Type', type: 'string' }, { name: 'Id', type: 'int' }], rows: [['AzureActivity', 1], ['AzureActivity', 2]] }] }),
  'an array holding a query result': JSON.stringify([{ tables: [{ name: 'PrimaryResult', columns: [{ name: 'Type', type: 'string' }], rows: [['AzureActivity']] }] }]),
  'a body whose records are not an array': '{"records":{"a":1}}',
  'an empty array and an empty body': '[]',
  'an empty records list': '{"records":[]}',
  'white space around the document': `\n\n  ${JSON.stringify({ records })}  \n\n`,
  'an empty file': '',
  'white space only': '  \n \r\n',
  'a scalar': '42',
  'text that is no JSON': 'not json at all',
};

describe('JsonDocumentReader', () => {
  for (const [what, text] of Object.entries(SAME_AS_WHOLE)) {
    it(`reads ${what} exactly as the whole document, at every read size`, () => {
      const whole = wholeItems(text);
      for (const size of [1, 2, 3, 7, 64, Math.max(1, text.length)]) expect(streamed(text, size), `read size ${size}`).toEqual(whole);
    });
  }

  it('reads generated documents of every streamed shape exactly as the whole document, at random read sizes', () => {
    const random = createRandom(20261207);
    for (let n = 0; n < 300; n++) {
      const text = randomDocument(random);
      const whole = wholeItems(text);
      const size = random.int(1, 40);
      expect(streamed(text, size), `document ${n}, read size ${size}: ${text.slice(0, 200)}`).toEqual(whole);
    }
  });

  it('hands records on while the document is still arriving', () => {
    const reader = new JsonDocumentReader(NAME);
    const text = JSON.stringify({ records });
    const half = text.indexOf(JSON.stringify(records[3]));
    const early = [...reader.push(text.slice(0, half))];
    // The first three records are complete before the fourth starts: out before the rest is read.
    expect(early.map((item) => ('reject' in item ? item.reject.reason : item.record))).toEqual(records.slice(0, 3));
    expect([...reader.push(text.slice(half)), ...reader.end()].map((item) => ('reject' in item ? item.reject.reason : item.record))).toEqual(records.slice(3));
  });

  it('a record that is not JSON is one counted reject and the records after it are read on', () => {
    const text = `[${JSON.stringify(records[0])}, {"time": broken}, ${JSON.stringify(records[1])},, ${JSON.stringify(records[2])}]`;
    // Read whole, the document was a single reject and no record.
    expect(origins(wholeItems(text))).toEqual(['reject body.invalid-json export.json']);
    for (const size of [1, 5, 4096]) {
      expect(origins(streamed(text, size))).toEqual([
        'export.json record 0',
        'reject body.invalid-json export.json record 1',
        'export.json record 2',
        'reject body.invalid-json export.json record 3',
        'export.json record 4',
      ]);
    }
  });

  it('a document that breaks off gives the records before the break, then one reject', () => {
    const text = JSON.stringify({ records }).slice(0, -40);
    const items = streamed(text, 9);
    expect(items.slice(0, -1).map((item) => ('reject' in item ? item.reject.reason : item.record))).toEqual(records.slice(0, -1));
    const last = items.at(-1)!;
    expect('reject' in last && last.reject.reason).toBe('body.invalid-json');
    expect('reject' in last && last.reject.detail).toContain('inside record 4');
    // Closed list, object left open: the records are all there, the reject says where it broke.
    const unclosed = streamed(`{"records":${JSON.stringify(records)}`, 11);
    expect(origins(unclosed)).toEqual([...records.map((_, i) => `export.json record ${i}`), 'reject body.invalid-json export.json']);
  });

  it('NDJSON whose first body breaks off: the break is one reject and the lines after it are read, as when the file was read whole', () => {
    const text = '{"records":[{"a":1}\n{"records":[{"b":2}]}\n{"records":[{"c":3}]}\n';
    const recordsOf = (items: readonly InputItem[]): unknown[] => items.flatMap((item) => ('reject' in item ? [] : [item.record]));
    // Read whole: line 1 is a reject, lines 2 and 3 are read.
    expect(recordsOf(wholeItems(text))).toEqual([{ b: 2 }, { c: 3 }]);
    for (const size of [1, 4, 4096]) {
      const items = streamed(text, size);
      // Streamed, the complete record before the break is read too.
      expect(origins(items)).toEqual(['export.json record 0', 'reject body.invalid-json export.json', 'export.json:2 record 0', 'export.json:3 record 0']);
      expect(recordsOf(items)).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
    }
  });

  it("reads JSON Lines (a storage account's PT1H.json archive of resource logs) line by line, each record with its line as origin", () => {
    const text = `${records.slice(1).map((r) => JSON.stringify(r)).join('\n')}\n`;
    for (const size of [1, 7, 4096]) {
      const items = streamed(text, size);
      expect(origins(items)).toEqual(['export.json:1 record 0', 'export.json:2 record 0', 'export.json:3 record 0', 'export.json:4 record 0']);
      expect(items.map((item) => ('reject' in item ? undefined : item.record))).toEqual(records.slice(1));
    }
    // One line alone is one document: read as it always was.
    expect(streamed(`${JSON.stringify(records[1])}\n\n`, 5)).toEqual(wholeItems(`${JSON.stringify(records[1])}\n\n`));
  });

  it('reads the values after the first as NDJSON lines, numbered from the line they start on', () => {
    const text = `${JSON.stringify({ records: [records[0]] })}\n${JSON.stringify({ records: [records[1], records[2]] })}\r\n\n${JSON.stringify(records[3])}\n`;
    for (const size of [1, 3, 4096]) {
      const items = streamed(text, size);
      expect(origins(items)).toEqual(['export.json record 0', 'export.json:2 record 0', 'export.json:2 record 1', 'export.json:4 record 0']);
      expect(items.map((item) => ('reject' in item ? undefined : item.record))).toEqual(records.slice(0, 4));
    }
    const pretty = `${JSON.stringify({ records: [records[0]] }, null, 2)}\n{"not json"\n`;
    expect(origins(streamed(pretty, 5))).toEqual(['export.json record 0', `reject body.invalid-json export.json:${pretty.split('\n').length - 1}`]);
  });
});

/** A random JSON value: nested containers, strings with the characters a scan must not be fooled by. */
function randomValue(random: Random, depth: number): unknown {
  const kind = random.int(0, depth > 3 ? 3 : 5);
  switch (kind) {
    case 0:
      return random.int(-1000, 1000) / random.int(1, 7);
    case 1:
      return random.pick([true, false, null]);
    case 2:
    case 3: {
      let s = '';
      for (let i = random.int(0, 12); i > 0; i--) s += random.pick(['a', '"', '\\', '[', ']', '{', '}', ',', ':', ' ', '\n', 'é', '🚀', '\u0000', 'records']);
      return s;
    }
    case 4:
      return Array.from({ length: random.int(0, 4) }, () => randomValue(random, depth + 1));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = random.int(0, 4); i > 0; i--) out[random.pick(['a', 'records', 'b"c', 'tables', 'x\\y', 'time'])] = randomValue(random, depth + 1);
      return out;
    }
  }
}

function randomDocument(random: Random): string {
  const list = Array.from({ length: random.int(0, 6) }, () => (random.int(0, 3) === 0 ? { records: Array.from({ length: random.int(0, 3) }, () => randomValue(random, 2)) } : randomValue(random, 1)));
  const doc = random.int(0, 2) === 0 ? list : { before: randomValue(random, 1), records: list, after: randomValue(random, 1) };
  return JSON.stringify(doc, null, random.pick([undefined, 0, 1, 2]));
}

describe('records and lines too long to read', () => {
  it('a record over MAX_RECORD_CHARS in a record list is one reject, and the records around it are read', () => {
    const huge = `"${'a'.repeat(MAX_RECORD_CHARS)}"`;
    const text = `{"records":[${JSON.stringify(records[0])},${huge},${JSON.stringify(records[1])}]}`;
    const items = streamed(text, 1 << 20);
    expect(origins(items)).toEqual([`${NAME} record 0`, `reject record.too-large ${NAME} record 1`, `${NAME} record 2`]);
  });

  it('a line over the limit comes out with its length only; the lines after it are read', () => {
    const splitter = new LineSplitter(1, 10);
    const lines = [...splitter.push('short\n0123456'), ...splitter.push('789abcdef\nnext\r\n'), ...splitter.end()];
    expect(lines).toEqual([{ text: 'short', line: 1 }, { text: '', line: 2, tooLongChars: 16 }, { text: 'next', line: 3 }]);
    expect([...lineItems(lines[1]!, 'big.ndjson')].map((item) => ('reject' in item ? `${item.reject.reason} ${item.reject.origin}` : ''))).toEqual(['line.too-long big.ndjson:2']);
  });
});
