import { isObject } from '../envelope';
import { text } from '../fields';
import { makeReject, parseGuarded } from '../reject';
import { looksLikeEcsEvent, parseEcsEvent } from './ecsEvent';
import { ignored, type EndpointParsed } from './endpointEvent';
import { CLOUD_PROCESS_TABLE, MDE_CATEGORY_PREFIX, parseMdeRecord, parseMdeRow } from './mdeRecord';
import { parseSysmonEvent } from './sysmonEvent';
import { flatEventXml, LINUX_SYSMON_PROVIDER, looksLikeWindowsEvent, readWindowsEvent, SECURITY_PROVIDER, syslogEventXml, SYSMON_PROVIDER } from './windowsEvent';
import { parseWindowsFilteringConnection } from './windowsFilteringConnection';

/**
 * Routes one endpoint record to its format's parser. The contract:
 * - `{ ok: true, value }`: an EndpointEvent the theft rules will judge;
 * - `{ ok: 'ignored', kind }`: a record of a known format that is not relevant (a Sysmon registry
 *   event, an MDE DeviceRegistryEvents row, an inbound connection): counted by kind, never an error;
 * - `{ ok: false, reject }`: an unknown shape, or a known shape missing what it must have: counted
 *   by reason and dead-lettered. Nothing is guessed at.
 *
 * Raw auditd text lines (`type=SYSCALL msg=audit(…)`) are rejected as an unsupported format: one
 * access is spread over several lines (SYSCALL, CWD, PATH, PROCTITLE) that must be joined by event
 * serial first, which is what auditd-manager / Auditbeat do; their ECS `opened-file` events are parsed.
 * A parser that throws gives a `record.unreadable` reject (see parseGuarded).
 */
export function parseEndpointRecord(record: unknown, origin: string): EndpointParsed {
  return parseGuarded(record, origin, routeEndpointRecord);
}

const SYSMON_LOWER = SYSMON_PROVIDER.toLowerCase();
const SYSMON_CHANNEL_LOWER = `${SYSMON_LOWER}/operational`;
const SECURITY_LOWER = SECURITY_PROVIDER.toLowerCase();
const LINUX_SYSMON_LOWER = LINUX_SYSMON_PROVIDER.toLowerCase();
const LINUX_SYSMON_CHANNEL_LOWER = `${LINUX_SYSMON_LOWER}/operational`;

function routeEndpointRecord(record: unknown, origin: string): EndpointParsed {
  if (typeof record === 'string' && isRawAuditdLine(record)) {
    return {
      ok: false,
      reject: makeReject(
        'endpoint.auditd-raw-unsupported',
        'Raw auditd lines are not parsed; ship auditd through auditd-manager or Auditbeat (ECS opened-file events).',
        record,
        origin,
      ),
    };
  }
  if (!isObject(record)) return { ok: false, reject: makeReject('endpoint.not-an-object', 'The endpoint record is not a JSON object.', record, origin) };
  // The whole event XML as JSON (`{"Event":{"System":…,"EventData":…}}`), or as the message of a
  // Sentinel Syslog row (Sysmon for Linux), is the flat event it holds.
  const eventXml = flatEventXml(record) ?? syslogEventXml(record);
  if (eventXml !== undefined) return routeEndpointRecord(eventXml, origin);

  const category = text(record['category']);
  if (category?.startsWith(MDE_CATEGORY_PREFIX)) return parseMdeRecord(record, origin);
  const mdeTable = mdeTableOfRow(record);
  if (mdeTable !== undefined) return parseMdeRow(mdeTable, record, origin);

  // Winlogbeat's sysmon module and Elastic's sysmon_linux integration rename the event data to ECS
  // fields (winlog.event_data.Image becomes process.executable) and keep `winlog` beside them: such
  // a record is read as the ECS event it has become.
  if (looksLikeWindowsEvent(record) && !(looksLikeEcsEvent(record) && hasMovedEventData(record))) {
    const event = readWindowsEvent(record);
    if (event === undefined) return { ok: false, reject: makeReject('windows.no-event-id', 'The Windows event has no numeric EventID.', record, origin) };
    const provider = event.provider.toLowerCase();
    const channel = event.channel.toLowerCase();
    if (provider === SYSMON_LOWER || channel === SYSMON_CHANNEL_LOWER) return parseSysmonEvent(record, origin, event);
    // Sysmon for Linux writes the same events under its own provider, with Linux paths.
    if (provider === LINUX_SYSMON_LOWER || channel === LINUX_SYSMON_CHANNEL_LOWER) return parseSysmonEvent(record, origin, event, 'linux');
    if (provider === SECURITY_LOWER || (channel === 'security' && provider === '')) return parseWindowsFilteringConnection(record, origin, event);
    return ignored(`windows.${event.provider || event.channel}.event-${event.eventId}`, origin);
  }

  if (looksLikeEcsEvent(record)) return parseEcsEvent(record, origin);
  return {
    ok: false,
    reject: makeReject(
      'endpoint.unknown-shape',
      'Not an MDE AdvancedHunting record, a Windows (Sysmon / Security) event or an ECS event.',
      record,
      origin,
    ),
  };
}

/**
 * True for records this parser family owns, so a mixed replay can route between the endpoint
 * parsers and the Entra / Azure parsers. Entra and Azure diagnostic records carry a `category`
 * (ManagedIdentitySignInLogs, Administrative, MicrosoftGraphActivityLogs) with `operationName` and
 * `resourceId`; of records with a `category`, only MDE's `AdvancedHunting-*` ones are endpoint records.
 */
export function looksLikeEndpointRecord(record: unknown): boolean {
  if (typeof record === 'string') return isRawAuditdLine(record);
  if (!isObject(record)) return false;
  const category = text(record['category']);
  if (category !== undefined) return category.startsWith(MDE_CATEGORY_PREFIX);
  if (mdeTableOfRow(record) !== undefined) return true;
  if (record['operationName'] !== undefined || record['resourceId'] !== undefined) return false;
  const eventXml = flatEventXml(record) ?? syslogEventXml(record);
  if (eventXml !== undefined) return looksLikeWindowsEvent(eventXml);
  return looksLikeWindowsEvent(record) || looksLikeEcsEvent(record);
}

/**
 * The table of a Log Analytics row of Defender's Device* tables and of CloudProcessEvents (`{"Type":"DeviceProcessEvents",
 * "TimeGenerated":…,"DeviceName":…}`, as Sentinel and `az monitor log-analytics query` export
 * them): the Advanced Hunting columns the Streaming API nests in `properties`, at the top level.
 */
function mdeTableOfRow(record: Readonly<Record<string, unknown>>): string | undefined {
  const table = text(record['Type']);
  if (table === CLOUD_PROCESS_TABLE) return record['KubernetesPodName'] !== undefined || record['ContainerId'] !== undefined ? table : undefined;
  return table !== undefined && /^Device[A-Za-z]*$/.test(table) && (record['DeviceId'] !== undefined || record['DeviceName'] !== undefined) ? table : undefined;
}

/**
 * True for a Winlogbeat record whose event data a module moved to ECS fields: `winlog.event_data`
 * no longer holds the process (`Image` for Sysmon, `Application` for the Security log's 5156).
 */
function hasMovedEventData(record: Readonly<Record<string, unknown>>): boolean {
  const winlog = record['winlog'];
  if (!isObject(winlog)) return false;
  const data = winlog['event_data'];
  return !isObject(data) || (data['Image'] === undefined && data['Application'] === undefined);
}

function isRawAuditdLine(line: string): boolean {
  return /^\s*(?:node=\S+\s+)?type=[A-Z_]+\s+msg=audit\(/.test(line);
}
