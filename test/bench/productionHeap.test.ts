import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_HEAP_MB, PRODUCTION_SEMI_SPACE_MB } from '../../src/cli/bench';

describe('bench V8 heap settings', () => {
  it('are the ones the function app is deployed with', () => {
    const bicep = readFileSync(path.join(__dirname, '../../infra/modules/functionApp.bicep'), 'utf8');
    expect(bicep).toMatch(new RegExp(`param nodeHeapMb int = ${PRODUCTION_HEAP_MB}\\b`));
    expect(bicep).toMatch(new RegExp(`param nodeSemiSpaceMb int = ${PRODUCTION_SEMI_SPACE_MB}\\b`));
    expect(bicep).toContain("NODE_OPTIONS: '--max-old-space-size=${nodeHeapMb} --max-semi-space-size=${nodeSemiSpaceMb}'");
  });
});
