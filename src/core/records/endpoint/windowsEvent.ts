import { isObject } from '../envelope';
import { objectOf, text } from '../fields';
import { parseTime } from '../time';
import { fingerprintWhenRead, type DeferredRecordId } from './recordFingerprint';

/**
 * A Windows event record in any of the shapes it reaches us in, reduced to its header and a flat
 * name → value map of its event data:
 *
 * - Sentinel `WindowsEvent` export: `{"Provider":"Microsoft-Windows-Sysmon","Channel":"…/Operational",
 *   "Computer":"WORKSTATION5","EventID":3,"EventData":"{\"Image\":\"C:\\\\…\\\\powershell.exe\",…}"}`
 *   (`EventData` a JSON string, or an object when read from Log Analytics as `dynamic`)
 * - Sentinel `SecurityEvent` / `Event` export: `EventData` an XML string,
 *   `<EventData xmlns="…"><Data Name="Application">\device\harddiskvolume2\…</Data>…</EventData>`
 *   (the `Event` table wraps it in `<DataItem>`), with `EventSourceName` / `Source` naming the provider
 * - NXLog / Logstash flat JSON: `{"SourceName":"Microsoft-Windows-Security-Auditing","Hostname":"…",
 *   "EventID":5156,"Application":"\\device\\…","DestAddress":"169.254.169.254","RecordNumber":81208,…}`
 * - Winlogbeat: `{"winlog":{"provider_name":"…","channel":"…","event_id":"3","computer_name":"…",
 *   "record_id":1234,"event_data":{…}},"@timestamp":"…"}`
 */
export interface WindowsEvent {
  readonly provider: string;
  readonly channel: string;
  readonly eventId: number;
  readonly computer: string;
  /** Event data fields; for the flat shapes the record's own top-level fields too. Values as strings. */
  readonly data: WindowsEventData;
  /** EventRecordID when present, otherwise the record's fingerprint, worked out when first read (DeferredRecordId). */
  readonly recordId: DeferredRecordId;
  /** Header time (TimeGenerated, @timestamp, TimeCreated); the event's own UtcTime wins where a parser has one. */
  readonly headerTimeMs: number | undefined;
  readonly tenantId: string;
  /** `_ResourceId` (the Azure resource of the machine) when the export has it. */
  readonly resourceId: string;
}

export const SYSMON_PROVIDER = 'Microsoft-Windows-Sysmon';
export const SECURITY_PROVIDER = 'Microsoft-Windows-Security-Auditing';
/** Sysmon for Linux: the same event ids and data names, Linux paths (`/usr/bin/curl`). */
export const LINUX_SYSMON_PROVIDER = 'Linux-Sysmon';

/** True when the record has the header of a Windows event in one of the shapes above. */
export function looksLikeWindowsEvent(record: unknown): boolean {
  if (!isObject(record)) return false;
  if (isObject(record['winlog'])) return true;
  const hasId = record['EventID'] !== undefined || record['EventId'] !== undefined;
  const hasSource = ['Provider', 'SourceName', 'EventSourceName', 'Source', 'Channel', 'EventLog'].some((k) => typeof record[k] === 'string');
  return hasId && hasSource;
}

/**
 * The whole event XML converted to JSON (xmltodict, xml2js and the shippers built on them):
 * `{"Event":{"System":{"Provider":{"@Name":"Linux-Sysmon"},"EventID":"1","TimeCreated":{"@SystemTime":"…"},
 * "EventRecordID":"5521","Channel":"Linux-Sysmon/Operational","Computer":"aks-node-0"},
 * "EventData":{"Data":[{"@Name":"Image","#text":"/usr/bin/curl"},…]}}}`, as the flat shape the
 * readers above take (`EventID`, `Provider`, `Channel`, `Computer`, `EventData`); undefined for any
 * other record. An element with attributes is an object whose text is `#text` (`"EventID":{"#text":"1"}`).
 */
export function flatEventXml(record: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const event = record['Event'];
  if (!isObject(event)) return undefined;
  const system = event['System'];
  if (!isObject(system)) return undefined;
  const textOf = (value: unknown): unknown => (isObject(value) ? value['#text'] : value);
  const provider = system['Provider'];
  const created = system['TimeCreated'];
  const flat: Record<string, unknown> = {
    EventID: textOf(system['EventID']),
    Provider: isObject(provider) ? (provider['@Name'] ?? provider['Name']) : provider,
    Channel: textOf(system['Channel']),
    Computer: textOf(system['Computer']),
    EventRecordID: textOf(system['EventRecordID']),
    TimeCreated: isObject(created) ? (created['@SystemTime'] ?? created['SystemTime']) : created,
    EventData: event['EventData'] ?? {},
  };
  return withoutAbsent(flat);
}

/**
 * Sysmon for Linux as Microsoft Sentinel collects it: a `Syslog` row whose `SyslogMessage` is the
 * event XML (`<Event><System><Provider Name="Linux-Sysmon" …/><EventID>1</EventID>…</System>
 * <EventData><Data Name="Image">/usr/bin/curl</Data>…</EventData></Event>`), as the flat shape the
 * readers above take; undefined for any other record (a syslog message that is no event XML too).
 */
export function syslogEventXml(record: Readonly<Record<string, unknown>>): Record<string, unknown> | undefined {
  const message = record['SyslogMessage'];
  if (typeof message !== 'string' || !message.includes('<EventData') || !message.includes('<System')) return undefined;
  const eventId = SYSTEM_XML.eventId.exec(message)?.[1];
  if (eventId === undefined) return undefined;
  return withoutAbsent({
    EventID: eventId,
    Provider: SYSTEM_XML.provider.exec(message)?.[1],
    Channel: SYSTEM_XML.channel.exec(message)?.[1],
    Computer: SYSTEM_XML.computer.exec(message)?.[1] ?? record['Computer'],
    EventRecordID: SYSTEM_XML.recordId.exec(message)?.[1],
    TimeCreated: SYSTEM_XML.timeCreated.exec(message)?.[1] ?? record['TimeGenerated'],
    TenantId: record['TenantId'],
    _ResourceId: record['_ResourceId'],
    EventData: SYSTEM_XML.eventData.exec(message)?.[0] ?? '',
  });
}

/** The parts of an event XML's `<System>` (and its `<EventData>`) syslogEventXml reads. */
const SYSTEM_XML = {
  eventId: /<EventID>([^<]*)<\/EventID>/,
  provider: /<Provider\s+Name\s*=\s*["']([^"']+)["']/,
  channel: /<Channel>([^<]*)<\/Channel>/,
  computer: /<Computer>([^<]*)<\/Computer>/,
  recordId: /<EventRecordID>([^<]*)<\/EventRecordID>/,
  timeCreated: /<TimeCreated\s+SystemTime\s*=\s*["']([^"']+)["']/,
  eventData: /<EventData[\s\S]*<\/EventData>/,
} as const;

/** The flat event without the fields its source did not have: absent, as the readers expect, not undefined. */
function withoutAbsent(flat: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(flat)) if (flat[key] === undefined) delete flat[key];
  return flat;
}

export function readWindowsEvent(record: unknown): WindowsEvent | undefined {
  if (!isObject(record)) return undefined;
  const winlog = record['winlog'];
  if (isObject(winlog)) {
    const eventId = Number(text(winlog['event_id']));
    if (!Number.isInteger(eventId)) return undefined;
    const eventData = winlog['event_data'];
    const data = new WindowsEventData(isObject(eventData) ? eventData : NO_DATA, record);
    const host = record['host'];
    return {
      provider: text(winlog['provider_name']) ?? '',
      channel: text(winlog['channel']) ?? '',
      eventId,
      computer: text(winlog['computer_name']) ?? (isObject(host) ? text(host['name']) : undefined) ?? '',
      data,
      recordId: text(winlog['record_id']) ? `record:${text(winlog['record_id'])}` : fingerprintWhenRead(record),
      headerTimeMs: parseTime(record['@timestamp']),
      tenantId: '',
      resourceId: '',
    };
  }

  const eventId = Number(text(record['EventID'] ?? record['EventId']));
  if (!Number.isInteger(eventId)) return undefined;
  const eventData = record['EventData'] ?? payloadEventData(record['Payload']);
  const embedded = namedData(isObject(eventData) ? eventData : typeof eventData === 'string' ? parseEventDataText(eventData) : NO_DATA);
  const data = new WindowsEventData(embedded, record);
  const explicitId = text(record['EventRecordID'] ?? record['EventRecordId'] ?? record['RecordNumber'] ?? embedded['EventRecordID']);
  return {
    provider: text(record['Provider'] ?? record['SourceName'] ?? record['EventSourceName'] ?? record['Source']) ?? '',
    channel: text(record['Channel'] ?? record['EventLog']) ?? '',
    eventId,
    computer: text(record['Computer'] ?? record['Hostname'] ?? record['ComputerName']) ?? '',
    data,
    recordId: explicitId ? `record:${explicitId}` : fingerprintWhenRead(record),
    headerTimeMs: parseTime(record['TimeCreated'] ?? record['@timestamp'] ?? record['TimeGenerated']),
    tenantId: text(record['TenantId']) ?? '',
    resourceId: text(record['_ResourceId']) ?? '',
  };
}

/**
 * EvtxECmd's `--json` rows carry the event data in `Payload`, a JSON string of the event XML:
 * `{"EventData":{"Data":[{"@Name":"Image","#text":"C:\\…"},…]}}`.
 */
function payloadEventData(payload: unknown): unknown {
  if (typeof payload !== 'string' || !payload.trimStart().startsWith('{')) return undefined;
  const parsed = objectOf(payload);
  return parsed === undefined ? undefined : parsed['EventData'];
}

/**
 * The event XML converted to JSON as tools write it (EvtxECmd, xml2js-style converters):
 * `{"Data": [{"@Name": "Image", "#text": "C:\\…"}, …]}` (also `Name` and `text`), read as the named
 * fields the other shapes have; any other object as it is.
 */
function namedData(eventData: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  const list = eventData['Data'];
  if (!Array.isArray(list)) return eventData;
  const data: Record<string, unknown> = {};
  for (const item of list) {
    if (!isObject(item)) continue;
    const name = text(item['@Name'] ?? item['Name']);
    if (name !== undefined) data[name] = item['#text'] ?? item['text'] ?? item['Value'] ?? '';
  }
  return data;
}

/** The `EventData` string: JSON (WindowsEvent export) or XML (SecurityEvent / Event export). */
function parseEventDataText(value: string): Readonly<Record<string, unknown>> {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) return objectOf(trimmed) ?? NO_DATA;
  const data: Record<string, string> = {};
  // <Data Name="X">value</Data> and the empty form <Data Name="X" /> (or <Data Name="X"/>).
  const element = /<Data\s+Name\s*=\s*["']([^"']+)["']\s*(?:\/>|>([\s\S]*?)<\/Data>)/gi;
  for (const match of trimmed.matchAll(element)) {
    const name = match[1];
    if (name !== undefined) data[name] = decodeXml(match[2] ?? '');
  }
  return data;
}

function decodeXml(value: string): string {
  return value.replace(/&(lt|gt|quot|apos|amp|#x[0-9a-f]+|#\d+);/gi, (entity, body: string) => {
    const lower = body.toLowerCase();
    if (lower === 'lt') return '<';
    if (lower === 'gt') return '>';
    if (lower === 'quot') return '"';
    if (lower === 'apos') return "'";
    if (lower === 'amp') return '&';
    const code = lower.startsWith('#x') ? Number.parseInt(lower.slice(2), 16) : Number.parseInt(lower.slice(1), 10);
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

const NO_DATA: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * An event's data fields by name, read where they are instead of copied into one map: the
 * event's own data (`EventData`, `winlog.event_data`) wins on a name clash (both shapes name the
 * process `ProcessId`), then the record's top-level fields, which is where the flat shapes put
 * their data. Numbers and booleans read as strings; anything else as absent. Copying both into a
 * merged object was a fifth of the theft detector's time per record, for the five or six fields a
 * parser asks.
 */
export class WindowsEventData {
  constructor(
    private readonly own: Readonly<Record<string, unknown>>,
    private readonly record: Readonly<Record<string, unknown>>,
  ) {}

  get(name: string): string | undefined {
    return scalarText(this.own[name]) ?? scalarText(this.record[name]);
  }
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

/** A data value, with Windows' placeholder `-` read as absent. */
export function dataValue(event: WindowsEvent, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = event.data.get(name)?.trim();
    if (value !== undefined && value !== '' && value !== '-') return value;
  }
  return undefined;
}
