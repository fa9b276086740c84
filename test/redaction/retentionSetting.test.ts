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
