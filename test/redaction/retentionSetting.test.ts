import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { noFiles, PRODUCTION_ENV as BASE } from '../support/configEnv';

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

describe('TOKENWATCH_TOKEN_RETENTION_DAYS and TOKENWATCH_LEDGER_RETENTION_DAYS', () => {
  it('keep token buckets and first uses 8 days and the ledger 30 unless set', () => {
    expect(loadConfig(BASE, noFiles).stateRetention).toEqual({ tokenDays: 8, ledgerDays: 30 });
    expect(loadConfig({ ...BASE, TOKENWATCH_TOKEN_RETENTION_DAYS: '2', TOKENWATCH_LEDGER_RETENTION_DAYS: '365' }, noFiles).stateRetention).toEqual({ tokenDays: 2, ledgerDays: 365 });
  });

  it.each([
    ['TOKENWATCH_TOKEN_RETENTION_DAYS', '1', /TOKENWATCH_TOKEN_RETENTION_DAYS must be a whole number from 2 to 365/],
    ['TOKENWATCH_TOKEN_RETENTION_DAYS', '366', /TOKENWATCH_TOKEN_RETENTION_DAYS must be a whole number from 2 to 365/],
    ['TOKENWATCH_LEDGER_RETENTION_DAYS', 'a month', /TOKENWATCH_LEDGER_RETENTION_DAYS must be a whole number from 1 to 365/],
    ['TOKENWATCH_LEDGER_RETENTION_DAYS', '4', /TOKENWATCH_LEDGER_RETENTION_DAYS \(4\) must be at least TOKENWATCH_DEDUP_DAYS \(5\)/],
  ])('fails the cold start naming %s for %s', (setting, value, message) => {
    expect(() => loadConfig({ ...BASE, [setting]: value }, noFiles)).toThrow(ConfigError);
    expect(() => loadConfig({ ...BASE, [setting]: value }, noFiles)).toThrow(message);
  });

  it('names only the bad setting when the ledger retention is not a number', () => {
    let error: unknown;
    try {
      loadConfig({ ...BASE, TOKENWATCH_LEDGER_RETENTION_DAYS: '0' }, noFiles);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toContain('TOKENWATCH_LEDGER_RETENTION_DAYS must be a whole number');
    expect(String(error)).not.toContain('must be at least TOKENWATCH_DEDUP_DAYS');
  });
});
