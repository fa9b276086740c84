import { isObject } from '../core/records/envelope';
import { looksLikeAzureDiagnosticRecord } from '../core/records/auditRecord';
import { looksLikeEndpointRecord } from '../core/records/endpoint/parseEndpointRecord';
import { textField } from '../core/records/fields';
import { logAnalyticsTableOf } from '../core/records/logAnalytics/logAnalyticsTables';
import type { SourcedRecord } from './decodeMessages';

/**
 * Splits a mixed batch (a replay of a folder of logs) between the two detectors: Entra ID and
 * Azure resource logs go to the remote-use detector, endpoint telemetry to the theft detector.
 * Log Analytics rows of the tables the remote-use parsers read (by `Type`, see
 * logAnalyticsTableOf) go with the Event Hub records they were stored from. Records neither
 * recognises stay with the remote-use side, whose parser rejects them with a counted reason.
 */
export function routeRecords(records: readonly SourcedRecord[]): { audit: SourcedRecord[]; endpoint: SourcedRecord[] } {
  const audit: SourcedRecord[] = [];
  const endpoint: SourcedRecord[] = [];
  for (const item of records) {
    const record = item.record;
    const azure =
      isObject(record) && (looksLikeAzureDiagnosticRecord(record) || textField(record, 'category') === 'MicrosoftGraphActivityLogs' || logAnalyticsTableOf(record) !== undefined);
    if (!azure && looksLikeEndpointRecord(record)) endpoint.push(item);
    else audit.push(item);
  }
  return { audit, endpoint };
}
