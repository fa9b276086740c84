import { text } from '../../records/fields';
import { ignored, type EndpointParsed } from '../../records/endpoint/endpointEvent';
import { parseMdeRow } from '../../records/endpoint/mdeRecord';
import { parseEndpointRecord } from '../../records/endpoint/parseEndpointRecord';
import { recordFingerprint } from '../../records/endpoint/recordFingerprint';
import { parseGuarded } from '../../records/reject';
import { parseTime } from '../../records/time';
import { INGESTED_AT_COLUMN, type SweepTable } from './sweepQueries';

/**
 * Log Analytics result rows back into the endpoint parsers. The query client returns datetime
 * columns as Date and dynamic columns as parsed JSON; both are turned back into the shapes the
 * parsers read (ISO strings; objects as they are). Defender's tables (Device*, CloudProcessEvents) go to the MDE row parser (same
 * Advanced Hunting column names as the Streaming API's `properties`); Event / WindowsEvent /
 * SecurityEvent rows have the same shape as Sentinel's exports and go through the router.
 */
export function parseSweepRow(table: SweepTable, row: Readonly<Record<string, unknown>>, origin: string): EndpointParsed {
  // A row the parsers throw on is a counted reject: thrown, it would fail every sweep from the watermark on.
  return parseGuarded(row, origin, (r, o) => routeSweepRow(table, r, o));
}

function routeSweepRow(table: SweepTable, row: Readonly<Record<string, unknown>>, origin: string): EndpointParsed {
  const plain = plainRow(row);
  if (table === 'DeviceNetworkEvents' || table === 'DeviceFileEvents' || table === 'DeviceProcessEvents' || table === 'CloudProcessEvents') return parseMdeRow(table, plain, origin);
  const parsed = parseEndpointRecord(plain, origin);
  // The query selects Sysmon 1/3/11 and 5156 only; anything else the router ignores stays ignored.
  return parsed.ok === 'ignored' ? ignored(parsed.kind, origin) : parsed;
}

/**
 * The identity of a row across overlapping sweeps: MDE `DeviceId|ReportId|Timestamp` (ReportId is
 * unique per device and time), CloudProcessEvents `ContainerId|ProcessId|Timestamp`, Windows `EventRecordId` with the computer when the table has it,
 * otherwise a fingerprint of the row's content (the ingestion-time column excluded: it is ours).
 */
export function sweepRowIdentity(table: SweepTable, row: Readonly<Record<string, unknown>>): string {
  const plain = plainRow(row);
  if (table.startsWith('Device')) return `${table}|${text(plain['DeviceId']) ?? ''}|${text(plain['ReportId']) ?? ''}|${text(plain['Timestamp']) ?? ''}`;
  if (table === 'CloudProcessEvents' && plain['ContainerId'] !== undefined && plain['ProcessId'] !== undefined) return `${table}|${text(plain['ContainerId']) ?? ''}|${text(plain['ProcessId']) ?? ''}|${text(plain['Timestamp']) ?? ''}`;
  const recordId = text(plain['EventRecordId'] ?? plain['EventRecordID']);
  if (recordId !== undefined) return `${table}|${text(plain['Computer']) ?? ''}|${recordId}`;
  const { [INGESTED_AT_COLUMN]: _ours, ...content } = plain;
  return `${table}|${recordFingerprint(content)}`;
}

/** The row's ingestion time (epoch ms), from the column the sweep query adds; undefined when missing. */
export function sweepRowIngestedAt(row: Readonly<Record<string, unknown>>): number | undefined {
  const value = row[INGESTED_AT_COLUMN];
  if (value instanceof Date) return Number.isFinite(value.getTime()) ? value.getTime() : undefined;
  return parseTime(value);
}

function plainRow(row: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  // An invalid Date (toISOString would throw) is no time at all.
  for (const [key, value] of Object.entries(row)) out[key] = value instanceof Date ? (Number.isFinite(value.getTime()) ? value.toISOString() : null) : value;
  return out;
}
