import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencies, validateConfigAtStartup } from '../../functions/dependencies';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';

/** The built entry (npm test builds before it runs the tests). */
const ENTRY = path.join(__dirname, '..', '..', 'dist', 'functions', 'index.js');

describe('the composition root', () => {
  it('importing the entry registers the functions without loading the credential library', () => {
    const script = `require(process.argv[1]); console.log(JSON.stringify(Object.keys(require.cache).filter((k) => k.includes('@azure')).map((k) => k.split('@azure')[1].split('/')[1])))`;
    const loaded = JSON.parse(execFileSync(process.execPath, ['-e', script, ENTRY], { env: { PATH: process.env['PATH'] ?? '', ...COLD_IMPORT_ENV }, encoding: 'utf8' }).trim().split('\n').pop()!) as string[];
    expect(loaded).toContain('functions');
    expect(loaded).not.toContain('identity');
  });

  it('builds every dependency of a valid production configuration on first use, the credential among them', () => {
    const saved = { ...process.env };
    try {
      for (const key of Object.keys(process.env)) if (key.startsWith('TOKENWATCH_') || key === 'AZURE_CLIENT_ID') delete process.env[key];
      Object.assign(process.env, COLD_IMPORT_ENV, { AZURE_CLIENT_ID: '00000000-0000-4000-8000-0000000000aa' });
      validateConfigAtStartup();
      const built = dependencies();
      expect(built.credential.constructor.name).toBe('ManagedIdentityCredential');
      expect(typeof built.credential.getToken).toBe('function');
      expect(built.remoteUse.settings.classifyIp('20.42.1.7').scope).toBe('azure');
      expect(dependencies()).toBe(built);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
