import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const BASE = {
  TOKENWATCH_EVENTHUB__fullyQualifiedNamespace: 'contoso-tw.servicebus.windows.net',
  TOKENWATCH_AUDIT_HUB: 'tokenwatch-audit',
  TOKENWATCH_ENDPOINT_HUB: 'tokenwatch-endpoint',
  TOKENWATCH_TABLE_ENDPOINT: 'https://contosotw.table.core.windows.net/',
  TOKENWATCH_DCR_ENDPOINT: 'https://dcr-contoso.westeurope-1.ingest.monitor.azure.com',
  TOKENWATCH_DCR_IMMUTABLE_ID: 'dcr-00112233445566778899aabbccddeeff',
};
const noFiles = (p: string): string => {
  throw new Error(`ENOENT: ${p}`);
};

describe('TOKENWATCH_REJECTS_RETENTION_DAYS', () => {
  it('keeps dead letters 30 days unless set, and takes 1 to 365', () => {
    expect(loadConfig(BASE, noFiles).rejectsRetentionDays).toBe(30);
    expect(loadConfig({ ...BASE, TOKENWATCH_REJECTS_RETENTION_DAYS: '7' }, noFiles).rejectsRetentionDays).toBe(7);
    expect(loadConfig({ ...BASE, TOKENWATCH_REJECTS_RETENTION_DAYS: '365' }, noFiles).rejectsRetentionDays).toBe(365);
  });

  it.each(['0', '366', '2.5', 'forever'])('fails the cold start naming the setting for %s', (value) => {
    expect(() => loadConfig({ ...BASE, TOKENWATCH_REJECTS_RETENTION_DAYS: value }, noFiles)).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, TOKENWATCH_REJECTS_RETENTION_DAYS: value }, noFiles)).toThrow(/TOKENWATCH_REJECTS_RETENTION_DAYS must be a whole number from 1 to 365/);
  });
});
