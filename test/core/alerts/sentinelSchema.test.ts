import { describe, expect, it } from 'vitest';
import { ALERT_COLUMNS, ALERT_COLUMN_NAMES, ATTACK, EMPTY_ALERT_FIELDS, type AlertRow } from '../../../src/core/alerts/alertRow';
import {
  ALERT_OUTPUT_STREAM,
  ALERT_STREAM_NAME,
  ALERT_TABLE_NAME,
  alertColumnsDocument,
  alertKqlSchema,
  alertStreamDeclaration,
  alertTableColumns,
  toStreamRow,
} from '../../../src/core/alerts/sentinelSchema';

function theftAlert(overrides: Partial<AlertRow> = {}): AlertRow {
  return {
    ...EMPTY_ALERT_FIELDS,
    ...ATTACK,
    AlertId: 'b7f2c1d0e9a8b7c6d5e4f3a2b1c0d9e8',
    TimeGenerated: '2026-05-01T08:30:00Z',
    EventTime: '2026-05-01T08:29:58.123Z',
    Detector: 'TokenTheft',
    AlertName: 'Process requested a managed identity token from IMDS',
    Severity: 'High',
    AADTenantId: '00000000-0000-0000-0000-0000000000aa',
    HostName: 'vm-fabrikam-build-01',
    HostId: 'host-0001',
    ProcessName: 'curl',
    ProcessPath: '/usr/bin/curl',
    ProcessCommandLine: 'curl -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token',
    AccountName: 'builder',
    Vector: 'TokenEndpoint',
    Target: 'http://169.254.169.254/metadata/identity/oauth2/token',
    Reason: 'curl asked IMDS for a managed identity token; it is not on the trusted-process list.',
    Evidence: { rule: 'imds-token-request' },
    ...overrides,
  };
}

describe('alert table and stream schema', () => {
  it('names the table, input stream and output stream the way the Logs Ingestion API requires', () => {
    expect(ALERT_TABLE_NAME).toMatch(/_CL$/);
    expect(ALERT_STREAM_NAME).toMatch(/^Custom-/);
    expect(ALERT_OUTPUT_STREAM).toBe(`Custom-${ALERT_TABLE_NAME}`);
  });

  it('has one table column and one stream column per alert-row field, in the same order', () => {
    expect(alertTableColumns().map((column) => column.name)).toEqual(ALERT_COLUMN_NAMES);
    expect(alertStreamDeclaration().columns.map((column) => column.name)).toEqual(ALERT_COLUMN_NAMES);
    expect(alertTableColumns()[0]?.name).toBe('TimeGenerated');
  });

  it.each([
    ['datetime', 'dateTime', 'datetime'],
    ['long', 'long', 'long'],
    ['dynamic', 'dynamic', 'dynamic'],
    ['string', 'string', 'string'],
  ] as const)('maps row type %s to table type %s and stream type %s', (rowType, tableType, streamType) => {
    const names = ALERT_COLUMN_NAMES.filter((name) => ALERT_COLUMNS[name].type === rowType);
    expect(names.length).toBeGreaterThan(0);
    const table = new Map(alertTableColumns().map((column) => [column.name, column.type]));
    const stream = new Map(alertStreamDeclaration().columns.map((column) => [column.name, column.type]));
    for (const name of names) {
      expect({ name, table: table.get(name), stream: stream.get(name) }).toEqual({ name, table: tableType, stream: streamType });
    }
  });

  it('carries every column description into the table (Log Analytics shows them in the schema pane)', () => {
    for (const column of alertTableColumns()) expect(column.description).toBe(ALERT_COLUMNS[column.name as keyof typeof ALERT_COLUMNS].description);
  });

  it('gives the KQL schema in Kusto type names', () => {
    expect(alertKqlSchema()).toMatchObject({ TimeGenerated: 'datetime', ASN: 'long', Evidence: 'dynamic', AlertId: 'string' });
    expect(Object.keys(alertKqlSchema())).toEqual(ALERT_COLUMN_NAMES);
  });

  it('bundles table and stream in the document the Bicep loads', () => {
    const document = alertColumnsDocument();
    expect(document.tableName).toBe(ALERT_TABLE_NAME);
    expect(document.streamName).toBe(ALERT_STREAM_NAME);
    expect(document.outputStream).toBe(ALERT_OUTPUT_STREAM);
    expect(document.tableColumns).toEqual(alertTableColumns());
    expect(document.streamColumns).toEqual(alertStreamDeclaration().columns);
  });
});

describe('toStreamRow', () => {
  it('emits exactly the stream columns, dates normalised to ISO-8601 UTC, empties as null', () => {
    const result = toStreamRow(theftAlert({ TimeGenerated: '2026-05-01T10:30:00+02:00' }));
    if (!result.ok) throw new Error(result.reason);
    expect(Object.keys(result.row)).toEqual(ALERT_COLUMN_NAMES);
    expect(result.row['TimeGenerated']).toBe('2026-05-01T08:30:00.000Z');
    expect(result.row['EventTime']).toBe('2026-05-01T08:29:58.123Z');
    expect(result.row['TokenIssuedAt']).toBeNull();
    expect(result.row['ASN']).toBeNull();
    expect(result.row['Evidence']).toEqual({ rule: 'imds-token-request' });
    expect(result.row['IPAddress']).toBe('');
  });

  it('replaces lone UTF-16 surrogates from records with U+FFFD, in strings and in Evidence, and keeps pairs', () => {
    // A lone surrogate is a legal JSON escape, but strict readers refuse it: the whole request, with
    // every good row in it, would be refused.
    const result = toStreamRow(theftAlert({ ProcessCommandLine: 'curl \ud800 http://169.254.169.254/ \ud83d\ude00', Evidence: { note: ['x\udc00'], 'k\ud800': 1 } }));
    if (!result.ok) throw new Error(result.reason);
    expect(result.row['ProcessCommandLine']).toBe('curl \ufffd http://169.254.169.254/ \ud83d\ude00');
    expect(result.row['Evidence']).toEqual({ note: ['x\ufffd'], 'k\ufffd': 1 });
    expect(() => encodeURIComponent(JSON.stringify(result.row))).not.toThrow();
  });

  it('keeps an integer ASN as a number', () => {
    const result = toStreamRow(theftAlert({ ASN: 64501 }));
    expect(result.ok && result.row['ASN']).toBe(64501);
  });

  it.each([
    ['an unparseable EventTime', { EventTime: 'not a date' }, 'EventTime is not a date: "not a date"'],
    ['an empty TimeGenerated', { TimeGenerated: '' }, 'TimeGenerated is empty'],
    ['a fractional ASN', { ASN: 64500.5 }, 'ASN is not an integer: 64500.5'],
  ] as const)('refuses %s with a reason', (_case, overrides, reason) => {
    expect(toStreamRow(theftAlert(overrides as Partial<AlertRow>))).toEqual({ ok: false, reason });
  });
});
