import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { constants as zlibConstants, createGzip, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fileTextChunks, gzipItems, readInputFile, readInputItems, readInputRecords, type InputItem } from '../../src/cli/inputFiles';
import { listInputFiles } from '../../src/cli/inputListing';
import { replay } from '../../src/cli/replay';
import { csvExportRecords } from '../../src/core/records/logAnalytics/csvExport';
import { readExportHeader, readExportTime } from '../../src/core/records/logAnalytics/exportTime';
import { activityUse, at, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP, tokenId } from '../support/auditFixtures';
import { logAnalyticsRowOf, portalCsv, type LogAnalyticsRow } from '../support/logAnalyticsRows';
import { keyVaultUse, storageUse } from '../support/regionFixtures';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-input-'));
  folders.push(dir);
  return dir;
}

function write(name: string, content: string | Buffer): string {
  const file = path.join(folder(), name);
  writeFileSync(file, content);
  return file;
}

const records = (items: Iterable<InputItem>): Record<string, unknown>[] => [...items].flatMap((item) => ('reject' in item ? [] : [item.record as Record<string, unknown>]));
const reasons = (items: Iterable<InputItem>): string[] => [...items].flatMap((item) => ('reject' in item ? [item.reject.reason] : []));

describe('CSV exports', () => {
  const TRICKY =
    '\ufeffName,"TimeGenerated [UTC]",Claims_d,Note\r\n' +
    'a,"4/28/2021, 2:32:14.029 PM","{""appid"":""x,y"",""uti"":""u""}","line one\r\nline two, with ""quotes"""\r\n' +
    '\r\n' +
    'b,"12/31/2021, 12:00:00.000 AM",{},plain\n' +
    'c,2021-04-28T14:32:14.0290000Z,,"ends at EOF"';

  it('reads a BOM, CRLF and LF, quoted fields with quotes, commas and line breaks, and skips blank lines', () => {
    const file = write('export.csv', TRICKY);
    const items = [...readInputRecords(file)];
    expect(reasons(items)).toEqual([]);
    expect(records(items)).toEqual([
      { Name: 'a', TimeGenerated: '2021-04-28T14:32:14.029Z', Claims_d: '{"appid":"x,y","uti":"u"}', Note: 'line one\r\nline two, with "quotes"' },
      { Name: 'b', TimeGenerated: '2021-12-31T00:00:00.000Z', Claims_d: '{}', Note: 'plain' },
      { Name: 'c', TimeGenerated: '2021-04-28T14:32:14.029Z', Claims_d: '', Note: 'ends at EOF' },
    ]);
    // Origins name the line each row starts on: the header is line 1, row a spans lines 2 and 3, line 4 is blank.
    expect([...readInputRecords(file)].flatMap((i) => ('origin' in i ? [i.origin] : []))).toEqual(['export.csv:2', 'export.csv:5', 'export.csv:6']);
  });

  it('gives the same rows whatever the read size: fields, quotes, CRLF and multi-byte characters split across chunks', () => {
    const text = TRICKY.replace('plain', 'Zoë 🚀 naïve');
    const file = write('export.csv', text);
    const whole = [...readInputRecords(file)];
    expect(records(whole)[1]!['Note']).toBe('Zoë 🚀 naïve');
    for (const chunkBytes of [1, 2, 3, 5, 7, 64]) expect([...readInputRecords(file, { chunkBytes })], `chunk ${chunkBytes}`).toEqual(whole);
    expect([...fileTextChunks(file, 3)].join('')).toBe(text.slice(1));
  });

  it('rejects a row whose field count differs from the header and a quote left open at the end, and reads on', () => {
    const file = write('bad.csv', 'A,B\n1,2\n1,2,3\n4,5\n"6,7\n');
    const items = [...readInputRecords(file)];
    expect(records(items)).toEqual([
      { A: '1', B: '2' },
      { A: '4', B: '5' },
    ]);
    expect(reasons(items)).toEqual(['csv.field-count', 'csv.unterminated-quote']);
    expect([...items].flatMap((i) => ('reject' in i ? [i.reject.origin] : []))).toEqual(['bad.csv:3', 'bad.csv:5']);
  });

  describe('a stray quote rejects its own line only, and the lines after it are read', () => {
    const origins = (items: Iterable<InputItem>): string[] => [...items].map((i) => ('reject' in i ? `${i.reject.reason}@${i.reject.origin}` : `row@${i.origin}`));

    it('a quote still open at the end of the file', () => {
      const file = write('open.csv', 'A,B\n1,2\n"3,4\n5,6\n7,8\n');
      const items = [...readInputRecords(file)];
      expect(records(items)).toEqual([
        { A: '1', B: '2' },
        { A: '5', B: '6' },
        { A: '7', B: '8' },
      ]);
      expect(origins(items)).toEqual(['row@open.csv:2', 'csv.unterminated-quote@open.csv:3', 'row@open.csv:4', 'row@open.csv:5']);
    });

    it('a quote that closes at a later quote and leaves the row with the wrong field count; the real multi-line field after it is read whole', () => {
      const text = 'A,B,C\r\n1,"x,3\r\n4,5,6\r\n7,"multi\r\nline",9\r\n10,11,12\r\n';
      const file = write('stray.csv', text);
      const items = [...readInputRecords(file)];
      expect(records(items)).toEqual([
        { A: '4', B: '5', C: '6' },
        { A: '7', B: 'multi\r\nline', C: '9' },
        { A: '10', B: '11', C: '12' },
      ]);
      expect(origins(items)).toEqual(['csv.stray-quote@stray.csv:2', 'row@stray.csv:3', 'row@stray.csv:4', 'row@stray.csv:6']);
      expect('reject' in items[0]! && items[0].reject.detail).toContain('runs over 3 lines and leaves the row with 2 fields (the header names 3)');
      for (const chunkBytes of [1, 2, 3, 5, 7, 64]) expect([...readInputRecords(file, { chunkBytes })], `chunk ${chunkBytes}`).toEqual(items);
    });

    it('a quote inside a field is text; one at the start of a field opens it', () => {
      const file = write('inch.csv', 'A,B\n5" disk,2\nsay "hi",3\n"q,1",4\n');
      expect(records(readInputRecords(file))).toEqual([
        { A: '5" disk', B: '2' },
        { A: 'say "hi"', B: '3' },
        { A: 'q,1', B: '4' },
      ]);
    });

    it('a row past the size limit: on one line it is skipped to the line end; over several lines its quote is stray', () => {
      const read = (text: string) => [...csvExportRecords([text], 'big.csv', 50)];
      const oneLine = read(`A,B\n${'x'.repeat(60)},1\n3,4\n`);
      expect(oneLine.map((i) => ('reject' in i ? i.reject.reason : i.record))).toEqual(['csv.row-too-large', { A: '3', B: '4' }]);
      const manyLines = read(`A\n"${'y\n'.repeat(40)}`);
      expect(manyLines.filter((i) => 'reject' in i).map((i) => 'reject' in i && `${i.reject.reason}@${i.reject.origin}`)).toEqual(['csv.stray-quote@big.csv:2']);
      expect(manyLines.filter((i) => 'record' in i)).toHaveLength(39);
      // Chunk by chunk, as a file is read: the row is cut off where the limit is passed, not held whole.
      const chunks = [`A,B\n`, ...Array.from({ length: 20 }, () => 'z'.repeat(10)), ',1\n5,6\n'];
      expect([...csvExportRecords(chunks, 'big.csv', 50)].map((i) => ('reject' in i ? i.reject.reason : i.record))).toEqual(['csv.row-too-large', { A: '5', B: '6' }]);
    });
  });

  it('reads a fixed offset the header pins ([UTC+02:00]) into UTC', () => {
    const file = write('offset.csv', 'Id,"TimeGenerated [UTC+02:00]"\n1,"3/1/2026, 12:05:00.000 PM"\n2,28.02.2026 23:30:00\n');
    expect(records(readInputRecords(file))).toEqual([
      { Id: '1', TimeGenerated: '2026-03-01T10:05:00.000Z' },
      { Id: '2', TimeGenerated: '2026-02-28T21:30:00.000Z' },
    ]);
  });

  it('refuses a file whose datetime header names a zone it does not pin: one counted reject, no rows, never a silent shift', () => {
    for (const zone of ['Local Time', 'W. Europe Standard Time']) {
      const file = write('local.csv', `Id,"TimeGenerated [${zone}]",Type\n1,"3/1/2026, 12:05:00.000 PM",AzureActivity\n2,"3/1/2026, 12:06:00.000 PM",AzureActivity\n`);
      const read = readInputFile(file);
      expect(read.records).toEqual([]);
      expect(read.rejects.map((r) => r.reason)).toEqual(['csv.time-zone-not-pinned']);
      expect(read.rejects[0]!.detail).toContain(`TimeGenerated [${zone}]`);
      expect(read.rejects[0]!.detail).toContain('[UTC]');
    }
  });

  it('rejects a row whose datetime could be day-first or month-first, or is no datetime; reads a 24-hour slash date its numbers decide', () => {
    const file = write('dates.csv', 'Id,"TimeGenerated [UTC]"\n1,"04/05/2026, 14:32:00"\n2,"28/04/2026, 14:32:14.029"\n3,yesterday\n4,\n');
    const items = [...readInputRecords(file)];
    expect(reasons(items)).toEqual(['csv.ambiguous-time', 'csv.bad-time']);
    expect(records(items)).toEqual([
      { Id: '2', TimeGenerated: '2026-04-28T14:32:14.029Z' },
      { Id: '4', TimeGenerated: '' },
    ]);
  });
});

describe('datetime cells and headers', () => {
  it.each([
    ['TimeGenerated [UTC]', 'TimeGenerated', { pinned: true, offsetMinutes: 0 }],
    ['TokenIssuedAt [GMT]', 'TokenIssuedAt', { pinned: true, offsetMinutes: 0 }],
    ['TimeGenerated [UTC-05:30]', 'TimeGenerated', { pinned: true, offsetMinutes: -330 }],
    ['TimeGenerated [UTC+1]', 'TimeGenerated', { pinned: true, offsetMinutes: 60 }],
    ['TimeGenerated [Local Time]', 'TimeGenerated', { pinned: false, zone: 'Local Time' }],
    ['TimeGenerated [UTC+25:00]', 'TimeGenerated', { pinned: false, zone: 'UTC+25:00' }],
    ['TimeGenerated', 'TimeGenerated', undefined],
  ])('%s', (header, name, zone) => {
    expect(readExportHeader(header)).toEqual({ name, zone });
  });

  it.each([
    ['4/28/2021, 2:32:14.029 PM', 0, '2021-04-28T14:32:14.029Z'],
    ['4/28/2021 2:32:14 AM', 0, '2021-04-28T02:32:14.000Z'],
    ['12/1/2021, 12:00:00.000 PM', 0, '2021-12-01T12:00:00.000Z'],
    ['2021-04-28T14:32:14.0290000Z', 120, '2021-04-28T14:32:14.029Z'],
    ['2021-04-28 14:32:14', 120, '2021-04-28T12:32:14.000Z'],
    ['2021-04-28T16:32:14+02:00', 0, '2021-04-28T14:32:14.000Z'],
    ['28.04.2021, 14:32:14.029', 0, '2021-04-28T14:32:14.029Z'],
    ['2/29/2021, 1:00:00.000 PM', 0, undefined],
    ['13/13/2021, 14:00:00', 0, undefined],
    ['4/28/2021, 13:32:14.029 PM', 0, undefined],
  ])('%s (offset %i) → %s', (value, offset, iso) => {
    const read = readExportTime(value, offset);
    expect('iso' in read ? read.iso : undefined).toBe(iso);
  });
});

describe('JSON exports', () => {
  const row = (id: number): LogAnalyticsRow => ({ Type: 'AzureActivity', TimeGenerated: '2026-03-01T10:00:00Z', Id: id });

  it('reads an array of rows, and NDJSON of rows', () => {
    expect(records(readInputRecords(write('rows.json', JSON.stringify([row(1), row(2)]))))).toEqual([row(1), row(2)]);
    expect(records(readInputRecords(write('rows.ndjson', `${JSON.stringify(row(1))}\r\n${JSON.stringify(row(2))}\r\n`)))).toEqual([row(1), row(2)]);
  });

  it('reads the query API shape (tables of columns and rows), the legacy columnName spelling too, and rejects a malformed row', () => {
    const result = {
      tables: [
        { name: 'PrimaryResult', columns: [{ name: 'Type', type: 'string' }, { name: 'TimeGenerated', type: 'datetime' }, { name: 'Id', type: 'int' }], rows: [['AzureActivity', '2026-03-01T10:00:00Z', 1], ['AzureActivity', '2026-03-01T10:00:00Z'], ['AzureActivity', '2026-03-01T10:00:00Z', 2]] },
        { tableName: 'Table_1', columns: [{ columnName: 'Type', dataType: 'String' }, { columnName: 'TimeGenerated', dataType: 'DateTime' }, { columnName: 'Id', dataType: 'Int32' }], rows: [['AzureActivity', '2026-03-01T10:00:00Z', 3]] },
      ],
    };
    const items = [...readInputRecords(write('query.json', JSON.stringify(result)))];
    expect(records(items)).toEqual([row(1), row(2), row(3)]);
    expect(reasons(items)).toEqual(['query-result.bad-row']);
    expect(items.flatMap((i) => ('origin' in i ? [i.origin] : []))).toEqual(['query.json record 0 table 0 row 0', 'query.json record 0 table 0 row 2', 'query.json record 0 table 1 row 0']);
  });

  it('keeps reading Event Hub bodies as before', () => {
    const body = { records: [{ a: 1 }, { a: 2 }] };
    const read = readInputFile(write('body.json', JSON.stringify([body, { a: 3 }])));
    expect(read.records).toEqual([
      { record: { a: 1 }, origin: 'body.json record 0.0' },
      { record: { a: 2 }, origin: 'body.json record 0.1' },
      { record: { a: 3 }, origin: 'body.json record 1' },
    ]);
  });

  it('a folder lists its CSV exports beside the JSON files', () => {
    const dir = folder();
    for (const name of ['b.csv', 'a.json', 'c.txt', 'd.ndjson']) writeFileSync(path.join(dir, name), '');
    expect(listInputFiles([dir]).map((f) => path.basename(f))).toEqual(['a.json', 'b.csv', 'd.ndjson']);
  });
});

describe('gzipped files and standard input', () => {
  const collect = async (items: AsyncIterable<InputItem>): Promise<InputItem[]> => {
    const out: InputItem[] = [];
    for await (const item of items) out.push(item);
    return out;
  };
  const CSV = '\ufeffName,"TimeGenerated [UTC]",Note\r\na,2021-04-28T14:32:14.0290000Z,"two\r\nlines"\r\nb,2021-04-28T14:33:14.0290000Z,plain\r\n';
  const strip = (items: InputItem[]): unknown[] => items.map((i) => ('reject' in i ? i.reject.reason : i.record));

  it('reads x.csv.gz, x.json.gz and x.ndjson.gz as their inner extension says, with the same records as the plain files', async () => {
    const dir = folder();
    const bodies = { 'e.csv': CSV, 'e.json': JSON.stringify({ records: [{ a: 1 }, { a: 2 }] }), 'e.ndjson': '{"a":1}\n\n{"a":2}\r\n' };
    for (const [name, text] of Object.entries(bodies)) {
      writeFileSync(path.join(dir, name), text);
      writeFileSync(path.join(dir, `${name}.gz`), gzipSync(text));
      const plain = [...readInputRecords(path.join(dir, name))];
      expect(plain.length, name).toBeGreaterThan(1);
      expect(await collect(readInputItems(path.join(dir, `${name}.gz`))), name).toEqual(plain.map((i) => ('origin' in i ? { ...i, origin: i.origin.replace(name, `${name}.gz`) } : i)));
    }
    expect(listInputFiles([dir]).map((f) => path.basename(f))).toEqual(['e.csv', 'e.csv.gz', 'e.json', 'e.json.gz', 'e.ndjson', 'e.ndjson.gz']);
  });

  it('reads UTF-16 with its byte-order mark (Windows PowerShell\u2019s Out-File and >) or without one (.NET\u2019s Encoding.Unicode) as the same records as UTF-8, from a file, a .gz or standard input', async () => {
    const dir = folder();
    const utf16 = (text: string, order: 'le' | 'be' | 'le-no-bom' | 'be-no-bom'): Buffer => {
      const le = Buffer.from(order.endsWith('no-bom') ? text : `\ufeff${text}`, 'utf16le');
      return order.startsWith('le') ? le : Buffer.from(le.map((_, i) => le[i % 2 === 0 ? i + 1 : i - 1]!));
    };
    const bodies = { 'u.csv': CSV, 'u.json': JSON.stringify({ records: [{ a: 'é' }, { a: 2 }] }), 'u.ndjson': '{"a":"\u{1F600}"}\n{"a":2}\r\n' };
    for (const [name, text] of Object.entries(bodies)) {
      const expected = strip([...readInputRecords(write(name, text))]);
      expect(expected.length, name).toBeGreaterThan(1);
      for (const order of ['le', 'be', 'le-no-bom', 'be-no-bom'] as const) {
        expect(strip([...readInputRecords(write(`${order}-${name}`, utf16(text, order)))]), `${order} ${name}`).toEqual(expected);
        expect(strip(await collect(readInputItems(write(`${order}-${name}.gz`, gzipSync(utf16(text, order)))))), `${order} ${name}.gz`).toEqual(expected);
        expect(strip(await collect(readInputItems('-', { stdin: Readable.from([utf16(text, order)]) }))), `${order} stdin ${name}`).toEqual(expected);
      }
    }
  });

  it('reads gzip on standard input, and a .gz that names no format inside, by their content', async () => {
    const ndjson = '{"a":1}\n{"a":2}\n';
    // The magic bytes split across the first two chunks of the pipe.
    const zipped = gzipSync(ndjson);
    expect(strip(await collect(readInputItems('-', { stdin: Readable.from([zipped.subarray(0, 1), zipped.subarray(1)]) })))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(strip(await collect(readInputItems('-', { stdin: Readable.from([gzipSync(CSV)]) })))).toEqual(strip([...readInputRecords(write('plain.csv', CSV))]));
    expect(strip(await collect(readInputItems(write('export.gz', gzipSync(CSV)))))).toEqual(strip([...readInputRecords(write('plain2.csv', CSV))]));
  });

  it('reads standard input as NDJSON, one JSON document, or a CSV export, by its first character', async () => {
    const stdin = (text: string): Readable => Readable.from([Buffer.from(text)]);
    expect(strip(await collect(readInputItems('-', { stdin: stdin('{"a":1}\n{"a":2}\nnot json\n') })))).toEqual([{ a: 1 }, { a: 2 }, 'body.invalid-json']);
    expect(strip(await collect(readInputItems('-', { stdin: stdin('{\n  "records": [\n    {"a": 1}\n  ]\n}\n') })))).toEqual([{ a: 1 }]);
    expect(strip(await collect(readInputItems('-', { stdin: stdin('[{"a": 1},\n {"a": 2}]') })))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(strip(await collect(readInputItems('-', { stdin: stdin(CSV) })))).toEqual([
      { Name: 'a', TimeGenerated: '2021-04-28T14:32:14.029Z', Note: 'two\r\nlines' },
      { Name: 'b', TimeGenerated: '2021-04-28T14:33:14.029Z', Note: 'plain' },
    ]);
    expect(await collect(readInputItems('-', { stdin: stdin('') }))).toEqual([]);
  });

  it('streams a piped or gzipped CSV export: rows come out while the input is still arriving, so a large export is not held whole', async () => {
    for (const how of ['piped', 'gzipped'] as const) {
      const input = new PassThrough();
      // Each write is flushed through the compressor at once, as a growing .gz download would arrive.
      const items = how === 'piped' ? readInputItems('-', { stdin: input }) : gzipItems(input.pipe(createGzip({ flush: zlibConstants.Z_SYNC_FLUSH })), 'live.csv.gz');
      const next = items[Symbol.asyncIterator]();
      input.write('Name,"TimeGenerated [UTC]",Note\r\na,2021-04-28T14:32:14.0290000Z,first\r\nb,2021-04-28T14:33:14.0290000Z,second\r\n');
      // The input is not ended: both rows must already be readable.
      const first = await next.next();
      const second = await next.next();
      expect([first.value, second.value].map((i) => ('reject' in i! ? i.reject.reason : i!.record['Note'])), how).toEqual(['first', 'second']);
      input.end('c,2021-04-28T14:34:14.0290000Z,third\r\n');
      const rest: InputItem[] = [];
      for (let r = await next.next(); !r.done; r = await next.next()) rest.push(r.value);
      expect(strip(rest), how).toEqual([{ Name: 'c', TimeGenerated: '2021-04-28T14:34:14.029Z', Note: 'third' }]);
    }
  });

  it('streams a piped or gzipped JSON document: the records of an array or a body come out while it is still arriving', async () => {
    for (const [how, start, name] of [
      ['piped array', '[\n{"a":1},\n{"a":2},\n', 'stdin'],
      ['gzipped body', '{"records":[{"a":1},{"a":2},', 'live.json.gz'],
    ] as const) {
      const input = new PassThrough();
      const items = how === 'piped array' ? readInputItems('-', { stdin: input }) : gzipItems(input.pipe(createGzip({ flush: zlibConstants.Z_SYNC_FLUSH })), name);
      const next = items[Symbol.asyncIterator]();
      input.write(start);
      // The document is not closed, the input not ended: both records must already be readable.
      const first = await next.next();
      const second = await next.next();
      expect([first.value, second.value].map((i) => ('reject' in i! ? i.reject.reason : i!.record)), how).toEqual([{ a: 1 }, { a: 2 }]);
      input.end(how === 'piped array' ? '{"a":3}]\n' : '{"a":3}]}');
      const rest: InputItem[] = [];
      for (let r = await next.next(); !r.done; r = await next.next()) rest.push(r.value);
      expect(strip(rest), how).toEqual([{ a: 3 }]);
    }
  });

  it('streams a body piped on one line (jq -c): its records come out before the line ends, and NDJSON bodies after it are read as lines', async () => {
    const input = new PassThrough();
    const next = readInputItems('-', { stdin: input })[Symbol.asyncIterator]();
    input.write('{"records":[{"a":1},{"a":2},');
    // No line break yet and the input not ended: both records must already be readable.
    const first = await next.next();
    const second = await next.next();
    expect([first.value, second.value].map((i) => ('reject' in i! ? i.reject.reason : i!.record))).toEqual([{ a: 1 }, { a: 2 }]);
    input.end('{"a":3}]}\n{"records":[{"a":4}]}\nnot json\n');
    const rest: InputItem[] = [];
    for (let r = await next.next(); !r.done; r = await next.next()) rest.push(r.value);
    expect(strip(rest)).toEqual([{ a: 3 }, { a: 4 }, 'body.invalid-json']);
    expect(rest.map((i) => ('reject' in i ? i.reject.origin : i.origin))).toEqual(['stdin record 2', 'stdin:2 record 0', 'stdin:3']);
  });

  it('reads a .json file in pieces with the same records as whole, and a record that is not JSON costs only itself', () => {
    const body = { records: [{ a: 1 }, { b: 'x"]}' }, { c: [1, { d: 2 }] }] };
    const file = write('body.json', JSON.stringify(body, null, 2));
    const whole = [...readInputRecords(file)];
    expect(strip(whole)).toEqual(body.records);
    for (const chunkBytes of [1, 3, 16]) expect([...readInputRecords(file, { chunkBytes })], `chunk ${chunkBytes}`).toEqual(whole);
    const damaged = write('damaged.json', '[{"a":1},{"time":nope},{"a":3}]');
    expect(strip([...readInputRecords(damaged)])).toEqual([{ a: 1 }, 'body.invalid-json', { a: 3 }]);
  });

  it('stops reading a piped CSV export whose times cannot be placed: one reject, the rest of the input not waited for', async () => {
    const input = new PassThrough();
    const items = readInputItems('-', { stdin: input });
    input.write('Name,"TimeGenerated [Local Time]"\r\na,"4/28/2021, 2:32:14.029 PM"\r\n');
    // Never ended: the reader must finish on its own.
    expect(strip(await collect(items))).toEqual(['csv.time-zone-not-pinned']);
    input.destroy();
  });
});

describe('tokenwatch replay of a workspace export', () => {
  /** 20 days of a VM and an on-premises identity, with an external use on day 18 that must alert. */
  function eventHubRecords(): Record<string, unknown>[] {
    const vm = identity(91);
    const onprem = identity(92);
    const out: Record<string, unknown>[] = [];
    for (let day = 0; day < 20; day++) {
      out.push(miSignIn(vm, at(day)), miSignIn(onprem, at(day, 1)), activityUse(vm, at(day, 5), AZURE_IP), graphUse(onprem, at(day, 6), ONPREM_IP));
      out.push(keyVaultUse(vm, at(day, 7), AZURE_IP), storageUse(vm, at(day, 8), `${AZURE_IP}:443`, `${'ab'.repeat(31)}${String(day).padStart(2, '0')}`));
      // A real address of a public DNS provider: the real ASN data calls it external.
      if (day === 18) out.push(activityUse(vm, at(day, 30), '8.8.8.8'), keyVaultUse(vm, at(day, 31), '8.8.4.4'));
    }
    return out;
  }

  it('raises the same alerts, AlertIds included, from portal CSV and JSON exports of the tables as from the Event Hub records', async () => {
    const source = eventHubRecords();
    const eventHubDir = folder();
    writeFileSync(path.join(eventHubDir, 'records.json'), JSON.stringify({ records: source }));
    const exportDir = folder();
    mkdirSync(path.join(exportDir, 'exports'));
    const byTable = new Map<string, LogAnalyticsRow[]>();
    source.forEach((record, i) => {
      const row = logAnalyticsRowOf(record, { keyVaultTable: i % 2 === 0 ? 'AzureDiagnostics' : 'AZKVAuditLogs' });
      const table = String(row['Type']);
      byTable.set(table, [...(byTable.get(table) ?? []), row]);
    });
    // Sign-ins and Storage as portal CSV exports (one with a pinned UTC+01:00 display zone), the rest as JSON arrays.
    for (const [table, rows] of byTable) {
      if (table === 'AADManagedIdentitySignInLogs') writeFileSync(path.join(exportDir, 'exports', `${table}.csv`), portalCsv(rows));
      else if (table === 'StorageBlobLogs') writeFileSync(path.join(exportDir, 'exports', `${table}.csv`), portalCsv(rows, { zone: 'UTC+01:00', offsetMinutes: 60 }));
      else writeFileSync(path.join(exportDir, 'exports', `${table}.json`), JSON.stringify(rows));
    }
    // Exports come per table, not in time order: one invocation over all of them.
    const fromEventHub = await replay({ inputs: [eventHubDir], alertsToStdout: false });
    const fromExports = await replay({ inputs: [exportDir], alertsToStdout: false, batchSize: 100_000 });
    expect(fromExports.rejectsByReason).toEqual({});
    expect(fromExports.records).toBe(source.length);
    expect(fromEventHub.alerts.length).toBeGreaterThanOrEqual(2);
    const sorted = (s: typeof fromEventHub) => [...s.alerts].sort((a, b) => a.AlertId.localeCompare(b.AlertId));
    expect(sorted(fromExports)).toEqual(sorted(fromEventHub));
    expect(fromExports.byCategory).toEqual(fromEventHub.byCategory);
  }, 60_000);
});

describe("a downloaded storage-account archive (one container per category, PT1H.json per hour)", () => {
  const vm = identity(93);
  /** Writes one PT1H.json (JSON Lines) under a container, at the hour its path names. */
  function blob(root: string, container: string, ms: number, records: Record<string, unknown>[]): string {
    const d = new Date(ms);
    const two = (n: number): string => String(n).padStart(2, '0');
    const dir = path.join(root, container, 'resourceId=', 'SUBSCRIPTIONS', 'C0FFEE00', `y=${d.getUTCFullYear()}`, `m=${two(d.getUTCMonth() + 1)}`, `d=${two(d.getUTCDate())}`, `h=${two(d.getUTCHours())}`, 'm=00');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'PT1H.json');
    writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    return file;
  }

  it('reads the blobs of every container hour by hour, as they happened, and a folder without an archive in name order', () => {
    const root = folder();
    const hours = [at(0), at(0) + 3_600_000, at(1)];
    const signIns = hours.map((ms) => blob(root, 'insights-logs-managedidentitysigninlogs', ms, [miSignIn(vm, ms)]));
    const uses = hours.map((ms) => blob(root, 'insights-activity-logs', ms, [activityUse(vm, ms + 60_000, AZURE_IP)]));
    writeFileSync(path.join(root, 'notes.ndjson'), '');
    // Name order would read every hour of the activity logs before the first sign-in; within an
    // hour the sign-ins come first, though their container's name sorts after the activity logs'.
    expect(listInputFiles([root])).toEqual([path.join(root, 'notes.ndjson'), signIns[0], uses[0], signIns[1], uses[1], signIns[2], uses[2]]);
    const plain = folder();
    for (const name of ['b.json', 'a.ndjson']) writeFileSync(path.join(plain, name), '');
    expect(listInputFiles([plain]).map((f) => path.basename(f))).toEqual(['a.ndjson', 'b.json']);
  });

  it("links a use's alert to its token's sign-in archived in the same hour", async () => {
    const root = folder();
    const issuedAt = at(2, 0);
    blob(root, 'insights-logs-managedidentitysigninlogs', issuedAt, [miSignIn(vm, issuedAt)]);
    // A real address of a public DNS provider: outside Azure, so the use alerts (Low while the tenant learns).
    blob(root, 'insights-activity-logs', issuedAt, [activityUse(vm, issuedAt + 300_000, '8.8.8.8', { token: tokenId(vm, issuedAt), iatMs: issuedAt })]);
    const summary = await replay({ inputs: [root], alertsToStdout: false });
    expect(summary.alerts).toHaveLength(1);
    expect(summary.alerts[0]!.Evidence).toMatchObject({ tokenLinkedToIssuance: true });
  });

  it("judges an hour's blobs of every container as one invocation: a token's first use is its first, whatever container holds it", async () => {
    const root = folder();
    const issuedAt = at(3, 0);
    const token = { token: tokenId(vm, issuedAt) };
    blob(root, 'insights-logs-managedidentitysigninlogs', issuedAt, [miSignIn(vm, issuedAt)]);
    // The hour's first use is Graph's, from Azure; Activity's container, read first in name order, holds its
    // later use from outside Azure: the replay is that later use, as when the hour arrives from a hub.
    blob(root, 'insights-activity-logs', issuedAt, [activityUse(vm, issuedAt + 40 * 60_000, '8.8.8.8', { ...token, iatMs: issuedAt })]);
    // A Microsoft address (AS8075): the replay reads the real ASN data.
    blob(root, 'insights-logs-microsoftgraphactivitylogs', issuedAt, [graphUse(vm, issuedAt + 10 * 60_000, '20.42.65.92', { ...token, issuedAtMs: issuedAt })]);
    const byFile = await replay({ inputs: [root], alertsToStdout: false });
    const oneBatch = await replay({ inputs: [root], alertsToStdout: false, batchSize: 1_000 });
    expect(byFile.invocations).toBe(1);
    expect(byFile.alerts.map((a) => [a.Severity, a.IPAddress])).toEqual([['High', '8.8.8.8']]);
    expect(byFile.alerts.map((a) => a.AlertId)).toEqual(oneBatch.alerts.map((a) => a.AlertId));
  });

  it('replays a month of two containers without event time running backwards', async () => {
    const root = folder();
    for (let day = 0; day < 30; day++) {
      blob(root, 'insights-logs-managedidentitysigninlogs', at(day, 0), [miSignIn(vm, at(day, 0))]);
      blob(root, 'insights-activity-logs', at(day, 60), [activityUse(vm, at(day, 65), AZURE_IP)]);
    }
    const summary = await replay({ inputs: [root], alertsToStdout: false });
    expect(summary.timeOrderWarnings).toEqual([]);
    expect(summary.byCategory).toMatchObject({ ManagedIdentitySignInLogs: 30, Administrative: 30 });
    expect(summary.rejectsByReason).toEqual({});
  });
});
