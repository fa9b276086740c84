import type { AlertRow, Severity } from '../core/alerts/alertRow';
import { printable } from './terminalText';
import { wrapText } from './wrapText';

/** Where the table is not shown on a terminal (a pipe, a file): this many columns. */
export const DEFAULT_TABLE_WIDTH = 120;
/** Below this the columns cannot hold anything useful; a narrower terminal wraps the rows. */
const MIN_TABLE_WIDTH = 60;

const SEVERITY_ORDER: Record<Severity, number> = { High: 0, Medium: 1, Low: 2 };
const HEADER = ['Sev', 'Event time (UTC)', 'Detector', 'Identity / host', 'IP / process', 'ASN / target'] as const;
/** The columns after the first three give up width when the terminal is narrow; these are their widest. */
const MAX_WIDTHS = [6, 19, 11, 28, 28, 40];
const GAP = '  ';

/**
 * A table of alerts for a terminal, `width` columns wide: the most severe first, then by event
 * time; one line per alert (severity, time, who, from where), and under it the whole Reason,
 * wrapped to the width (the Reason carries the facts that decide the severity, so it is never cut).
 */
export function formatAlertTable(alerts: readonly AlertRow[], width = DEFAULT_TABLE_WIDTH): string {
  const total = Math.max(MIN_TABLE_WIDTH, width);
  const rows = [...alerts].sort((a, b) => SEVERITY_ORDER[a.Severity] - SEVERITY_ORDER[b.Severity] || a.EventTime.localeCompare(b.EventTime) || a.AlertId.localeCompare(b.AlertId));
  const cells = rows.map((a) => cellsOf(a).map(printable));
  const natural = HEADER.map((h, i) => Math.min(MAX_WIDTHS[i]!, Math.max(h.length, ...cells.map((c) => c[i]!.length))));
  const widths = fitWidths(natural, total - GAP.length * (HEADER.length - 1));
  const line = (c: readonly string[]): string => c.map((v, i) => fit(v, widths[i]!)).join(GAP).trimEnd();
  const out = [line(HEADER), widths.map((w) => '-'.repeat(w)).join(GAP)];
  rows.forEach((a, i) => {
    out.push(line(cells[i]!));
    for (const reasonLine of wrapText(printable(a.Reason), total - 4)) out.push(`    ${reasonLine}`);
  });
  return out.join('\n');
}

function cellsOf(a: AlertRow): string[] {
  const time = a.EventTime.slice(0, 19).replace('T', ' ');
  const asn = a.ASN !== null ? `AS${a.ASN} ${a.ASOrganization}` : '-';
  if (a.Detector === 'RemoteTokenUse') return [a.Severity, time, 'RemoteUse', a.IdentityName, a.IPAddress, asn];
  if (a.Detector === 'RemoteTokenUseExposure') return [a.Severity, time, 'Exposure', a.IdentityName, a.IPAddress, asn];
  if (a.Detector === 'TheftAndUse') return [a.Severity, time, 'Stolen+used', `${a.HostName} / ${a.IdentityName}`, `${a.ProcessName} / ${a.IPAddress}`, asn];
  return [a.Severity, time, 'Theft', a.HostName, a.ProcessName, a.Target];
}

/**
 * Column widths within `room`: the first three (severity, time, detector) keep theirs; the room
 * left is shared among the others, each getting what it needs up to an equal share, the share of
 * a column that needs less going to the rest.
 */
function fitWidths(natural: readonly number[], room: number): number[] {
  const widths = [...natural];
  const fixed = natural.slice(0, 3).reduce((a, b) => a + b, 0);
  let left = Math.max(0, room - fixed);
  const flexible = [3, 4, 5].sort((a, b) => natural[a]! - natural[b]!);
  flexible.forEach((column, i) => {
    const share = Math.floor(left / (flexible.length - i));
    widths[column] = Math.max(4, Math.min(natural[column]!, share));
    left -= widths[column]!;
  });
  return widths;
}

function fit(value: string, width: number): string {
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
}

export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${printable(k)} ${n}`).join(', ');
}
