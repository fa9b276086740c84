import { describe, expect, it } from 'vitest';
import { formatAlertTable, formatCounts } from '../../src/cli/alertTable';
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow, type Severity } from '../../src/core/alerts/alertRow';

const alert = (id: string, severity: Severity, time: string, reason: string): AlertRow => ({
  ...EMPTY_ALERT_FIELDS, AlertId: id, Detector: 'RemoteTokenUse', TimeGenerated: time, EventTime: time, AlertName: '', Severity: severity, AADTenantId: '',
  IdentityName: `vm-contoso-${id}`, IPAddress: '203.0.113.66', ASN: 64501, ASOrganization: 'Fabrikam Hosting', Reason: reason, Evidence: {}, ...ATTACK,
});

const LONG_REASON =
  "Managed identity 'vm-contoso-a' token replayed from a second network: first used from 192.0.2.10 (Azure region westeurope) at 2026-03-01T08:00:00.000Z, " +
  'then from 203.0.113.66 (AS64501 Fabrikam Hosting) 42 minutes later; also, the autonomous system is absent from the 30-day baseline; the token was issued by Entra ID 50 minutes earlier.';
const ALERTS = [
  alert('a', 'Low', '2026-03-01T08:00:00.000Z', 'first low'),
  alert('b', 'High', '2026-03-03T08:00:00.000Z', 'later high'),
  alert('c', 'Medium', '2026-03-01T09:00:00.000Z', 'a medium'),
  alert('d', 'High', '2026-03-02T08:00:00.000Z', LONG_REASON),
  alert('e', 'Low', '2026-02-28T08:00:00.000Z', `a word longer than any line: /subscriptions/${'0'.repeat(150)}/end`),
];

/** The table's rows (not the header, not the Reason lines) as [severity, time]. */
const rowsOf = (table: string): string[][] =>
  table
    .split('\n')
    .slice(2)
    .filter((l) => !l.startsWith('    '))
    .map((l) => {
      const [sev, day, time] = l.split(/\s+/);
      return [sev!, `${day} ${time}`];
    });

describe('formatAlertTable', () => {
  it('names a daily exposure row as such, with the identity and address of a remote use', () => {
    const exposure: AlertRow = { ...alert('x', 'Low', '2026-03-04T08:00:00.000Z', 'usual external use'), Detector: 'RemoteTokenUseExposure' };
    const row = formatAlertTable([exposure], 160).split('\n')[2]!;
    expect(row.split(/\s{2,}/)).toEqual(['Low', '2026-03-04 08:00:00', 'Exposure', 'vm-contoso-x', '203.0.113.66', 'AS64501 Fabrikam Hosting']);
  });

  it('puts the most severe first, then orders by event time', () => {
    expect(rowsOf(formatAlertTable(ALERTS, 120))).toEqual([
      ['High', '2026-03-02 08:00:00'],
      ['High', '2026-03-03 08:00:00'],
      ['Medium', '2026-03-01 09:00:00'],
      ['Low', '2026-02-28 08:00:00'],
      ['Low', '2026-03-01 08:00:00'],
    ]);
  });

  it.each([60, 80, 132, 200])('keeps every line within %i columns and never cuts a Reason', (width) => {
    const table = formatAlertTable(ALERTS, width);
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(width);
    // Put back together (white space aside: a word longer than a line is cut across lines), each Reason is whole.
    const squeeze = (text: string): string => text.replace(/\s+/g, '');
    const reasons = squeeze(table.split('\n').filter((l) => l.startsWith('    ')).join(''));
    for (const a of ALERTS) expect(reasons).toContain(squeeze(a.Reason));
    expect(table).not.toMatch(/^ {4}.*…/m);
  });

  it('gives a narrow terminal narrower columns, a wide one the whole values', () => {
    const reasonLines = (table: string): number => table.split('\n').filter((l) => l.startsWith('    ')).length;
    const wide = formatAlertTable(ALERTS, 200);
    expect(wide).toMatch(/^High +2026-03-02 08:00:00 +RemoteUse +vm-contoso-d +203\.0\.113\.66 +AS64501 Fabrikam Hosting$/m);
    const narrow = formatAlertTable(ALERTS, 60);
    expect(narrow).toMatch(/^High +2026-03-02 08:00:00 +RemoteUse +vm-c…/m);
    expect(reasonLines(narrow)).toBeGreaterThan(reasonLines(wide));
  });
});

describe('text from the logs on a terminal', () => {
  it('shows control characters in hosts, processes, targets and reasons as escapes, never raw', () => {
    const theft = {
      ...alert('t1', 'High', '2026-03-01T10:00:00.000Z', ''),
      Detector: 'TokenTheft' as const,
      HostName: 'evil\u001b[2K\rhost',
      ProcessName: 'x\u001b]0;owned\u0007',
      Target: 'http://169.254.169.254/\u009b31m',
      Reason: 'line one\u001b[1Aup',
    };
    const table = formatAlertTable([theft]);
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
    expect(table).toContain('evil\\x1b[2K\\x0dhost');
    expect(table).toContain('x\\x1b]0;owned\\x07');
    expect(table).toContain('line one\\x1b[1Aup');
    expect(formatCounts({ 'ecs\u001b[2K': 1 })).toBe('ecs\\x1b[2K 1');
  });
});
