import type { AlertRow } from '../core/alerts/alertRow';

/** A fixed-width table of alerts for a terminal: time, severity, who, from where, why. */
export function formatAlertTable(alerts: readonly AlertRow[], width = 160): string {
  const rows = [...alerts].sort((a, b) => a.EventTime.localeCompare(b.EventTime) || a.AlertId.localeCompare(b.AlertId));
  const header = ['Event time (UTC)', 'Sev', 'Detector', 'Identity / host', 'IP / process', 'ASN / target'];
  const cells = rows.map((a) => {
    const time = a.EventTime.slice(0, 19).replace('T', ' ');
    const asn = a.ASN !== null ? `AS${a.ASN} ${a.ASOrganization}` : '-';
    if (a.Detector === 'RemoteTokenUse') return [time, a.Severity, 'RemoteUse', a.IdentityName, a.IPAddress, asn];
    if (a.Detector === 'TheftAndUse') return [time, a.Severity, 'Stolen+used', `${a.HostName} / ${a.IdentityName}`, `${a.ProcessName} / ${a.IPAddress}`, asn];
    return [time, a.Severity, 'Theft', a.HostName, a.ProcessName, a.Target];
  });
  const widths = header.map((h, i) => Math.min(i === 5 ? 40 : 28, Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length))));
  const line = (c: readonly string[]): string => c.map((v, i) => fit(v, widths[i]!)).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  rows.forEach((a, i) => {
    out.push(line(cells[i]!));
    out.push(`    ${fit(a.Reason, width - 4)}`);
  });
  return out.join('\n');
}

function fit(value: string, width: number): string {
  return value.length > width ? `${value.slice(0, width - 1)}…` : value.padEnd(width);
}

export function formatCounts(counts: Readonly<Record<string, number>>): string {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([k, n]) => `${k} ${n}`).join(', ');
}
