import { boundTenantId, boundText } from '../bounds/textBounds';
import { parseIp } from '../network/ip';
import { OtherAuditEvent, type AuditEvent, type TokenUse } from './auditEvent';
import { isObject } from './envelope';
import { objectOf, text, textField } from './fields';
import { parseGraphActivity } from './graphActivity';
import { logAnalyticsTableOf } from './logAnalytics/logAnalyticsTables';
import { isWithinWindow, OPEN_EVENT_TIME_WINDOW, timeOutOfWindowReject, type EventTimeWindow } from './eventTimeWindow';
import { makeReject, parsedValue, parseGuarded, type Parsed, type Reject } from './reject';
import { parseResourceCall } from './resourceCall';
import { parseSignIn, SIGN_IN_CATEGORIES } from './signIn';
import { parseTime } from './time';

/**
 * Routes one Entra ID / Azure resource-log record to its parser by `category` and shape, or one
 * Log Analytics row (AzureActivity, AADManagedIdentitySignInLogs, MicrosoftGraphActivityLogs,
 * AzureDiagnostics, AZKVAuditLogs, StorageBlobLogs, …) by its `Type` column: the row is read back
 * into its Event Hub twin (see LogAnalyticsTable) and parsed as that, so both shapes give the same
 * event. Returns undefined when the record is neither (the caller then tries the endpoint-telemetry
 * parsers, and rejects what nobody recognises). A parser that throws gives a `record.unreadable`
 * reject (see parseGuarded).
 *
 * Strict input, whatever the shape: an event dated outside `window` is a `record.time-out-of-window`
 * reject (see EventTimeWindow; the Event Hub handler passes its processing time), and a use whose
 * caller address is not an address (`01.2.3.4`, `1.2.3.4/32`, `16909060`) is a `record.bad-ip`
 * reject. Without the latter such a use would be neither judged (no address, no network) nor
 * counted anywhere but the quiet `unknown-ip` rung. A use that names no address at all is judged as
 * before (the `unknown-ip` rung).
 */
export function parseAuditRecord(record: unknown, origin: string, window: EventTimeWindow = OPEN_EVENT_TIME_WINDOW): Parsed<AuditEvent> | undefined {
  const parsed = parseGuarded(record, origin, routeAuditRecord);
  if (parsed === undefined || !parsed.ok) return parsed;
  const event = parsed.value;
  if (!isWithinWindow(event.timeMs, window)) return { ok: false, reject: timeOutOfWindowReject(event.timeMs, window, record, origin) };
  // A plain dotted quad (callerIpv4, nearly every use) is an address already: parsed once, on the way in.
  if (event.kind === 'use' && event.callerIpv4 === undefined && event.callerIp !== '' && parseIp(event.callerIp) === undefined) {
    return { ok: false, reject: badIpReject(event, record, origin) };
  }
  return parsed;
}

function badIpReject(use: TokenUse, record: unknown, origin: string): Reject {
  return makeReject(
    'record.bad-ip',
    `The caller address ${JSON.stringify(boundText(use.callerIp, 100))} is not an IPv4 or IPv6 address (an address with a port, brackets or a zone is; leading zeros, a prefix length or an integer form are not).`,
    record,
    origin,
  );
}

function routeAuditRecord(record: unknown, origin: string): Parsed<AuditEvent> | undefined {
  // Event Hub records first: every record of a stream passes here, and no Log Analytics row has
  // their lower-case `category` / `time` fields, so a row costs them nothing.
  return routeEventHubRecord(record, origin) ?? routeLogAnalyticsRow(record, origin);
}

/**
 * A Log Analytics row: its Event Hub twin through the Event Hub router (never back here: a twin
 * always has the fields that router needs, or is rejected for the one it lacks). A reject keeps the
 * Event Hub parser's reason (one counter per cause, whatever the shape) and shows the row itself.
 */
function routeLogAnalyticsRow(record: unknown, origin: string): Parsed<AuditEvent> | undefined {
  const table = logAnalyticsTableOf(record);
  if (table === undefined || !isObject(record)) return undefined;
  const parsed = routeEventHubRecord(table.eventHubTwin(record), origin);
  if (parsed === undefined) {
    return { ok: false, reject: makeReject('row.no-category', `The ${table.name} row names no category or operation to read it by.`, record, origin) };
  }
  if (parsed.ok) return parsed;
  return { ok: false, reject: makeReject(parsed.reject.reason, `${table.name} row: ${parsed.reject.detail}`, record, origin) };
}

function routeEventHubRecord(record: unknown, origin: string): Parsed<AuditEvent> | undefined {
  if (!isObject(record)) return undefined;
  // Fields are read directly, not through `field`: every record of a stream passes here.
  const category = text(record['category']);
  if (category && SIGN_IN_CATEGORIES.has(category)) return parseSignIn(record, origin);
  if (category === 'MicrosoftGraphActivityLogs') return parseGraphActivity(record, origin);
  const identity = objectOf(record['identity']);
  if (identity !== undefined && (identity['claims'] !== undefined || identity['claim'] !== undefined || objectOf(identity['requester']) !== undefined)) {
    return parseResourceCall(record, origin);
  }
  // Platform metrics, which a diagnostic setting with AllMetrics streams into the same hub as its logs.
  if (category === undefined && typeof record['metricName'] === 'string' && record['timeGrain'] !== undefined) return metricRecord(record, origin);
  if (!looksLikeAzureDiagnosticRecord(record)) return undefined;
  if (record['callerIpAddress'] !== undefined && textField(record, 'resourceId')?.toUpperCase().startsWith('/SUBSCRIPTIONS/')) {
    return parseResourceCall(record, origin);
  }
  const timeMs = parseTime(record['time']);
  if (timeMs === undefined) return parseResourceCall(record, origin);
  return parsedValue(new OtherAuditEvent(timeMs, boundTenantId((textField(record, 'tenantId') ?? '').toLowerCase()), boundText(category ?? ''), 'category.not-monitored'));
}

/** A metric record (`metricName`, `timeGrain`, `count`, `average`…): no use of a token, counted as ignored (`metric`). */
function metricRecord(record: Record<string, unknown>, origin: string): Parsed<AuditEvent> {
  const timeMs = parseTime(record['time']);
  if (timeMs === undefined) return { ok: false, reject: makeReject('metric.bad-time', 'The metric record has no valid time.', record, origin) };
  return parsedValue(new OtherAuditEvent(timeMs, '', 'AllMetrics', 'metric'));
}

/** Azure Monitor's common schema: `time`, `category`, and `resourceId` or `operationName`. */
export function looksLikeAzureDiagnosticRecord(record: Record<string, unknown>): boolean {
  const category = textField(record, 'category');
  if (!category || category.startsWith('AdvancedHunting-')) return false;
  return record['time'] !== undefined && (record['resourceId'] !== undefined || record['operationName'] !== undefined);
}
