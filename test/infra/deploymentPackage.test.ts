import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COLD_IMPORT_ENV } from '../../src/bench/coldImport';
import { REPO_ROOT } from './bicep';

/**
 * What the deployment package ships (.funcignore): production dependencies only, and every file the
 * functions load. The dev-only list is checked against package-lock.json, so a dependency change
 * that is not carried into .funcignore fails here with the lines to add or remove.
 */

interface LockEntry {
  readonly dev?: boolean;
}

const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
const installed = Object.entries(lock.packages).filter(([path]) => path.startsWith('node_modules/'));

const patterns = readFileSync(join(REPO_ROOT, '.funcignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));

/** Folder patterns under node_modules, without the optional leading slash: `node_modules/azurite/`. */
const excludedModuleFolders = patterns.filter((line) => /^\/?node_modules\//.test(line)).map((line) => line.replace(/^\//, ''));
/** npm's own folders, not packages. */
const NPM_FOLDERS = ['node_modules/.bin/', 'node_modules/.vite/'];
/**
 * Dev-only packages a production package tries to load and does without: `debug` (under the Azure
 * SDK's proxy agent) wraps `require('supports-color')` in try/catch for coloured output
 * (node_modules/debug/src/node.js), and supports-color brings has-flag.
 */
const OPTIONAL_LOADS = ['node_modules/supports-color/', 'node_modules/has-flag/'];

function excluded(path: string): boolean {
  return excludedModuleFolders.some((folder) => `${path}/`.startsWith(folder));
}

/** What .funcignore should hold: each dev-only package, or its whole scope when no production package lives there. */
function expectedDevFolders(): string[] {
  const productionScopes = new Set(installed.filter(([, entry]) => !entry.dev).map(([path]) => /^node_modules\/(@[^/]+)\//.exec(path)?.[1]).filter((scope) => scope !== undefined));
  const folders = new Set(
    installed
      .filter(([, entry]) => entry.dev)
      .map(([path]) => {
        const scope = /^node_modules\/(@[^/]+)\//.exec(path)?.[1];
        return scope !== undefined && !productionScopes.has(scope) ? `node_modules/${scope}/` : `${path}/`;
      }),
  );
  return [...folders].filter((folder) => ![...folders].some((other) => other !== folder && folder.startsWith(other))).sort();
}

describe('the deployment package', () => {
  it('names node_modules folders only as plain folders, so each line means exactly one package or scope', () => {
    expect(excludedModuleFolders.filter((folder) => !/^node_modules\/(@[^/*?[\]!]+\/)?[^/*?[\]!]+\/$/.test(folder))).toEqual([]);
  });

  it('leaves out every development-only package and no production one (compared with package-lock.json)', () => {
    const expected = expectedDevFolders();
    const listed = excludedModuleFolders.filter((folder) => !NPM_FOLDERS.includes(folder));
    const missing = expected.filter((folder) => !listed.includes(folder));
    const extra = listed.filter((folder) => !expected.includes(folder));
    const productionLeftOut = installed.filter(([path, entry]) => !entry.dev && excluded(path)).map(([path]) => path);
    expect({ addToFuncignore: missing, removeFromFuncignore: extra, productionLeftOut }).toEqual({ addToFuncignore: [], removeFromFuncignore: [], productionLeftOut: [] });
    // The lock file does mark development packages, so this cannot pass vacuously.
    expect(expected).toContain('node_modules/vitest/');
  });

  it('ships every file the functions load: the entry, the dependencies they build, nothing from a left-out folder', () => {
    // Builds what the first invocation builds (credential, clients, the service-tags store and refresh)
    // and lists every module file Node loaded. Needs the build (npm test builds first).
    const script = [
      "const entry = require('path').join(process.argv[1], 'dist', 'functions');",
      "require(entry + '/index.js');",
      "const { dependencies } = require(entry + '/dependencies.js');",
      'const built = dependencies();',
      'built.serviceTagsRefresh(); built.sweep(); built.remoteUseSweep(); built.remoteUseBackfill();',
      'console.log(JSON.stringify(Object.keys(require.cache)));',
    ].join('\n');
    const env = {
      PATH: process.env['PATH'] ?? '',
      ...COLD_IMPORT_ENV,
      AZURE_CLIENT_ID: '00000000-0000-4000-8000-0000000000aa',
      TOKENWATCH_BLOB_ENDPOINT: 'https://contosotw.blob.core.windows.net',
      TOKENWATCH_SUBSCRIPTION_ID: '00000000-0000-4000-8000-000000000001',
      TOKENWATCH_SERVICE_TAGS_LOCATION: 'westeurope',
      TOKENWATCH_SERVICE_TAGS_SCHEDULE: '0 17 3 * * *',
      TOKENWATCH_WORKSPACE_ID: '00000000-0000-4000-8000-0000000000cc',
      TOKENWATCH_SWEEP_ENABLED: 'true',
      TOKENWATCH_REMOTE_USE_SWEEP_ENABLED: 'true',
      TOKENWATCH_BACKFILL_DAYS: '30',
    };
    const output = execFileSync(process.execPath, ['-e', script, REPO_ROOT], { env, encoding: 'utf8' }).trim().split('\n').pop() ?? '[]';
    const loaded = (JSON.parse(output) as string[]).map((file) => relative(REPO_ROOT, file).split(sep).join('/'));
    expect(loaded).toContain('dist/functions/index.js');
    expect(loaded.some((file) => file.startsWith('node_modules/@azure/identity/'))).toBe(true);
    const leftOutDist = patterns.filter((line) => line.startsWith('/dist/')).map((line) => line.slice(1));
    const notShipped = loaded.filter(
      (file) => (file.startsWith('node_modules/') && excluded(file) && !OPTIONAL_LOADS.some((folder) => file.startsWith(folder))) || leftOutDist.some((folder) => file.startsWith(folder)),
    );
    expect(notShipped).toEqual([]);
  });
});
