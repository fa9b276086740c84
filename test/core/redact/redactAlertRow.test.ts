import { describe, expect, it } from 'vitest';
import { ATTACK, EMPTY_ALERT_FIELDS, type AlertRow } from '../../../src/core/alerts/alertRow';
import { redactAlertRow } from '../../../src/core/redact/redactAlertRow';

const row: AlertRow = {
  ...EMPTY_ALERT_FIELDS,
  AlertId: 'a1',
  TimeGenerated: '2026-11-23T00:00:00.000Z',
  EventTime: '2026-11-23T00:00:00.000Z',
  Detector: 'TokenTheft',
  AlertName: 'Token theft',
  Severity: 'High',
  AADTenantId: '72f988bf-0000-4000-8000-00000000c0de',
  HostName: 'web-01.contoso.com',
  ProcessName: 'curl',
  ProcessCommandLine: 'curl -H "X-IDENTITY-HEADER: 853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a" "$IDENTITY_ENDPOINT"',
  Target: 'http://127.0.0.1:41741/msi/token',
  Reason: 'curl on web-01.contoso.com requested the token endpoint https://svc:Hunter2-Contoso-Pass@ftp.contoso.com/',
  Evidence: { rule: 'imds', url: 'http://x/?code=Qm3Wn7Er1Ty5Ui9Op3', process: { pid: 7, parentPath: '/usr/bin/bash' }, list: ['ok', 'AKIAIOSFODNN7CONTOSO', 3, null] },
  ...ATTACK,
};

describe('redactAlertRow', () => {
  it('redacts every string column and every string in Evidence, however deep', () => {
    const out = redactAlertRow(row);
    expect(JSON.stringify(out)).not.toMatch(/853b9a84|Hunter2-Contoso-Pass|Qm3Wn7Er1Ty5Ui9Op3|AKIAIOSFODNN7CONTOSO/);
    expect(out.ProcessCommandLine).toBe('curl -H "X-IDENTITY-HEADER: [REDACTED]" "$IDENTITY_ENDPOINT"');
    expect(out.Evidence).toEqual({ rule: 'imds', url: 'http://x/?code=[REDACTED]', process: { pid: 7, parentPath: '/usr/bin/bash' }, list: ['ok', '[REDACTED]', 3, null] });
  });

  it('leaves the row untouched (the same object) when nothing in it is a credential, and never mutates its input', () => {
    const clean: AlertRow = { ...row, ProcessCommandLine: 'curl -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token', Reason: 'curl asked', Evidence: { rule: 'imds', nested: { a: ['b'] } } };
    expect(redactAlertRow(clean)).toBe(clean);
    const before = JSON.stringify(row);
    redactAlertRow(row);
    expect(JSON.stringify(row)).toBe(before);
  });
});
