import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readInputRecords } from '../../src/cli/inputFiles';
import { listInputFiles } from '../../src/cli/inputListing';
import { decodedItems, type InputItem } from '../../src/cli/inputItems';
import { replay } from '../../src/cli/replay';
import { decodeMessage } from '../../src/core/records/envelope';

const SAMPLES = path.resolve(__dirname, '../../../shared/samples');

describe.skipIf(!existsSync(SAMPLES))('conformance: one replay over the folders of real mixed logs', () => {
  it('routes Entra/Azure records and endpoint telemetry to their detectors with zero unexpected rejects', async () => {
    const folders = ['elastic-integrations-azure', 'elastic-integrations-m365_defender', 'elastic-endpoint-package', 'otrf-security-datasets'].map((f) => path.join(SAMPLES, f));
    const summary = await replay({ inputs: folders, alertsToStdout: false });
    expect(summary.rejectsByReason).toEqual({});
    expect(summary.byCategory).toMatchObject({ ManagedIdentitySignInLogs: 11, ServicePrincipalSignInLogs: 8, MicrosoftGraphActivityLogs: 6 });
    const theft = summary.alerts.filter((a) => a.Detector === 'TokenTheft');
    // The Log4Shell PowerShell → IMDS connections alert. Sysmon EID 3 and Security 5156 record the same
    // two connections of one act on one host: one alert, the other three records counted by dedup.
    expect(theft).toHaveLength(1);
    expect(theft[0]).toMatchObject({ Severity: 'Medium', Vector: 'TokenEndpoint' });
    expect(summary.suppressed).toBeGreaterThanOrEqual(3);
    expect(theft.every((a) => a.ProcessName.toLowerCase() === 'powershell.exe' && a.Target.includes('169.254.169.254'))).toBe(true);
    // The Azure agents of the covenant file never alert.
    expect(summary.alerts.some((a) => /networkwatcheragent|windowsazureguestagent/i.test(a.ProcessPath))).toBe(false);
    // No Managed Identity in the samples is used from outside Azure with a known token: no remote-use alert.
    expect(summary.alerts.filter((a) => a.Detector === 'RemoteTokenUse')).toEqual([]);
  });
});

describe.skipIf(!existsSync(SAMPLES))('conformance: the .json samples read in pieces', () => {
  it('give the records and rejects of the whole document at every read size (JSON Lines, arrays, bodies)', () => {
    const files = listInputFiles([SAMPLES]).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThanOrEqual(8);
    const content = (items: Iterable<InputItem>): unknown[] => [...items].map((item) => ('reject' in item ? `reject ${item.reject.reason}` : item.record));
    for (const file of files) {
      const name = path.basename(file);
      const whole = content(decodedItems(decodeMessage(readFileSync(file, 'utf8').replace(/^\ufeff/, ''), name), name));
      expect(whole.length, file).toBeGreaterThan(0);
      for (const chunkBytes of [7, 4096, 65_536]) expect(content(readInputRecords(file, { chunkBytes })), `${file} in pieces of ${chunkBytes}`).toEqual(whole);
    }
  });
});
