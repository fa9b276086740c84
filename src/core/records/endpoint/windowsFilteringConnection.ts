import { makeReject } from '../reject';
import { parseTime } from '../time';
import { buildEndpointEvent, integerOf } from './buildEndpointEvent';
import { ignored, type EndpointParsed } from './endpointEvent';
import { validTenant } from './sysmonEvent';
import { dataValue, readWindowsEvent, type WindowsEvent } from './windowsEvent';

/**
 * Windows Security event 5156, "The Windows Filtering Platform has permitted a connection": the
 * application (as a `\device\harddiskvolumeN\…` path), destination address and port, no URL.
 * Only outbound connections become events; inbound ones and the other Security events are ignored
 * by kind.
 *
 * Example (NXLog flat JSON, shortened):
 * `{"SourceName":"Microsoft-Windows-Security-Auditing","Channel":"Security","EventID":5156,
 *   "Hostname":"app-02.contoso.com","@timestamp":"2026-03-01T10:00:00.000Z","RecordNumber":81208,
 *   "ProcessId":"3472","Application":"\\device\\harddiskvolume2\\users\\public\\updater.exe",
 *   "Direction":"%%14593","DestAddress":"169.254.169.254","DestPort":"80","Protocol":"6"}`
 * The Sentinel `SecurityEvent` export carries the same names inside an XML `EventData` string.
 *
 * `event`: the record as readWindowsEvent read it, when the caller has already read it (routing does).
 */
export function parseWindowsFilteringConnection(record: unknown, origin: string, event: WindowsEvent | undefined = readWindowsEvent(record)): EndpointParsed {
  if (event === undefined) return { ok: false, reject: makeReject('windows-security.no-event-id', 'The Security record has no numeric EventID.', record, origin) };
  if (event.eventId !== 5156) return ignored(`windows-security.event-${event.eventId}`, origin);
  if (!isOutbound(dataValue(event, 'Direction'))) return ignored('windows-security.event-5156-inbound', origin);

  const timeMs = event.headerTimeMs ?? parseTime(dataValue(event, 'TimeCreated'));
  if (timeMs === undefined) return { ok: false, reject: makeReject('windows-security.no-time', 'The 5156 record has no time.', record, origin) };
  const application = dataValue(event, 'Application');
  if (application === undefined) return { ok: false, reject: makeReject('windows-security.no-application', 'The 5156 record has no Application.', record, origin) };
  const destinationIp = dataValue(event, 'DestAddress');
  if (destinationIp === undefined) return { ok: false, reject: makeReject('windows-security.no-destination', 'The 5156 record has no DestAddress.', record, origin) };

  return {
    ok: true,
    value: buildEndpointEvent({
      timeMs,
      tenantId: validTenant(event.tenantId),
      hostName: event.computer,
      hostId: event.resourceId.toLowerCase(),
      platform: 'windows',
      kind: 'network',
      processPath: application,
      pid: integerOf(dataValue(event, 'ProcessID', 'ProcessId')),
      network: { destinationIp, destinationPort: integerOf(dataValue(event, 'DestPort')) ?? null },
      format: 'windows-security-5156',
      recordId: event.recordId,
      category: event.channel || event.provider,
      origin,
    }),
  };
}

/** `%%14593` is the message id of "Outbound" (`%%14592` "Inbound"); NXLog may log the rendered word. */
function isOutbound(direction: string | undefined): boolean {
  if (direction === undefined) return true;
  const d = direction.trim().toLowerCase();
  return d === '%%14593' || d === 'outbound';
}
