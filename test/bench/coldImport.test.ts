import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLD_IMPORT_ENV, measureColdImport } from '../../src/bench/coldImport';
import { loadConfig } from '../../src/config';

const folder = mkdtempSync(path.join(tmpdir(), 'tokenwatch-cold-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('measureColdImport', () => {
  it('passes a valid production configuration: the entry validates it at import', () => {
    expect(() => loadConfig(COLD_IMPORT_ENV, () => '')).not.toThrow();
  });

  it('imports the entry in a fresh process per run with only that configuration, and takes medians', async () => {
    const entry = path.join(folder, 'entry.js');
    // Fails the import unless the configuration arrived and nothing else leaked from this shell.
    writeFileSync(entry, `if (process.env.TOKENWATCH_AUDIT_HUB !== 'entra-audit' || process.env.VITEST) throw new Error('wrong env');\n`);
    const figures = await measureColdImport(3, entry);
    expect(figures.runs).toHaveLength(3);
    const sorted = figures.runs.map((r) => r.importMs).sort((a, b) => a - b);
    expect(figures.importMs).toBe(sorted[1]);
    for (const run of figures.runs) expect(run.readyMs).toBeGreaterThanOrEqual(run.importMs);
  });

  it('fails when the entry fails to import', async () => {
    const entry = path.join(folder, 'broken.js');
    writeFileSync(entry, `throw new Error('bad setting');\n`);
    await expect(measureColdImport(1, entry)).rejects.toThrow(/bad setting/);
  });
});
