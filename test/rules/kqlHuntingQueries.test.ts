import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { THEFT_RULES } from '../../src/core/theft/theftRules';
import { kqlDiagnostics } from '../support/kusto';
import { ENDPOINT_TABLES } from './endpointTableSchemas';

const KQL = path.resolve(__dirname, '../../rules/kql');
const files = readdirSync(KQL).filter((f) => f.endsWith('.kql'));

describe('KQL hunting queries', () => {
  it('mirror the detector rules one to one', () => {
    expect(files.map((f) => f.replace(/\.kql$/, '')).sort()).toEqual(THEFT_RULES.map((r) => r.id).sort());
  });

  it.each(files)('%s parses and type-checks against the MDE tables', (file) => {
    expect(kqlDiagnostics(readFileSync(path.join(KQL, file), 'utf8'), ENDPOINT_TABLES)).toEqual([]);
  });
});
