import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readJson, remoteUseSettingsFromFiles } from '../../src/cli/commandSettings';

describe('remoteUseSettingsFromFiles', () => {
  it('keeps usual external uses as alerts unless told to make them exposure rows', () => {
    expect(remoteUseSettingsFromFiles({}).usualExternal).toBe('alert');
    expect(remoteUseSettingsFromFiles({ usualExternal: 'exposure' }).usualExternal).toBe('exposure');
  });
});

describe('readJson (settings files)', () => {
  it('reads a file saved with a byte-order mark (Notepad, PowerShell) as the JSON after it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-settings-'));
    try {
      const file = path.join(dir, 'allowlist.json');
      writeFileSync(file, '\ufeff{"identities":[]}');
      expect(readJson('--allowlist', file)).toEqual({ identities: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
