/**
 * An identity's learned state as an operator reviews it: the ASNs, IPs and Azure regions of its
 * 30-day baseline with first and last seen, the networks caught replaying its tokens, and its open
 * dedup states. Read from the identity's partition rows; pure, for `tokenwatch baseline`.
 */
import { dedupStateFromRow } from '../alerts/dedup';
import { isoTime } from '../records/time';
import { num, str, type RowData } from '../state/workingPartition';
import { inBaseline } from './baselineRows';

export interface BaselineEntry {
  /** `AS64501`, `198.51.100.7`, `westeurope`, or a network (`64501`, `westeurope`). */
  readonly value: string;
  readonly firstSeen: string | null;
  readonly lastSeen: string | null;
  /** In the 30-day baseline at the report's time (an expired row waits for the next write to be dropped). */
  readonly current: boolean;
  /** What the row adds: the AS organisation of an ASN, the ASN of an IP or region. */
  readonly detail: string;
}

export interface BaselineReport {
  readonly asns: readonly BaselineEntry[];
  readonly ips: readonly BaselineEntry[];
  readonly regions: readonly BaselineEntry[];
  /** Networks caught as a replay's second network: High for this identity until allowlisted. */
  readonly replayedNetworks: readonly BaselineEntry[];
  /**
   * Open dedup states: `key` as `<severity>|<attribute>` for display, `rowKey` the dedup row's key
   * (partitionKeys.dedupRowKey). The suppressions of each are not on its row but in the suppression
   * ledger (suppressionLedger.ts).
   */
  readonly dedup: readonly { readonly key: string; readonly rowKey: string; readonly lastRaisedAt: string; readonly lastRaisedAtMs: number; readonly alertId: string }[];
}

export function baselineReport(rows: ReadonlyMap<string, RowData>, atMs: number, windowMs: number): BaselineReport {
  const asns: BaselineEntry[] = [];
  const ips: BaselineEntry[] = [];
  const regions: BaselineEntry[] = [];
  const replayed: BaselineEntry[] = [];
  const dedup: BaselineReport['dedup'][number][] = [];
  for (const [rowKey, data] of rows) {
    const entry = (value: string, detail: string): BaselineEntry => ({
      value,
      firstSeen: timeOf(data, 'first'),
      lastSeen: timeOf(data, 'last'),
      current: inBaseline(data, atMs, windowMs),
      detail,
    });
    if (rowKey.startsWith('asn|')) asns.push(entry(`AS${rowKey.slice(4)}`, str(data, 'org')));
    else if (rowKey.startsWith('ip|')) ips.push(entry(unescape(rowKey.slice(3)), asnDetail(data)));
    else if (rowKey.startsWith('rg|')) regions.push(entry(rowKey.slice(3), asnDetail(data)));
    else if (rowKey.startsWith('rn|')) replayed.push(entry(unescape(rowKey.slice(3)), str(data, 'firstNetwork') ? `first used from ${str(data, 'firstNetwork')}` : ''));
    else if (rowKey.startsWith('dd|')) {
      const state = dedupStateFromRow(data);
      if (state) dedup.push({ key: unescape(rowKey.slice(3)), rowKey, lastRaisedAt: isoTime(state.lastRaisedAt), lastRaisedAtMs: state.lastRaisedAt, alertId: state.lastAlertId });
    }
  }
  const byValue = (a: BaselineEntry, b: BaselineEntry): number => a.value.localeCompare(b.value, 'en', { numeric: true });
  return { asns: asns.sort(byValue), ips: ips.sort(byValue), regions: regions.sort(byValue), replayedNetworks: replayed.sort(byValue), dedup: dedup.sort((a, b) => a.key.localeCompare(b.key)) };
}

function timeOf(data: RowData, field: string): string | null {
  const ms = num(data, field);
  return ms !== undefined ? isoTime(ms) : null;
}

function asnDetail(data: RowData): string {
  const asn = num(data, 'asn');
  return asn ? `AS${asn}` : '';
}

/** Row keys escape `%`, `/`, `|`… as `%XX` (state/keys.ts): a network `2001:db8:2::/48` is stored as `2001:db8:2::%2F48`. */
function unescape(text: string): string {
  return text.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
