import { describe, expect, it } from 'vitest';
import { remoteUseSettingsFromFiles } from '../../src/cli/commandSettings';

describe('remoteUseSettingsFromFiles', () => {
  it('keeps usual external uses as alerts unless told to make them exposure rows', () => {
    expect(remoteUseSettingsFromFiles({}).usualExternal).toBe('alert');
    expect(remoteUseSettingsFromFiles({ usualExternal: 'exposure' }).usualExternal).toBe('exposure');
  });
});
