import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kqlDiagnostics } from '../support/kusto';
import { REMOTE_USE_TABLES } from './remoteUseTableSchemas';

/**
 * rules/try/remote-token-use.kql: the standalone "try it before you deploy" query, run in a
 * workspace's Logs blade against its own tables. It parses and type-checks against those tables'
 * schemas, reads every table the detector reads, judges against a 30-day baseline per identity, and
 * says what it does not do.
 */

const FILE = path.resolve(__dirname, '../../rules/try/remote-token-use.kql');
const query = readFileSync(FILE, 'utf8');
const code = query.replace(/\/\/.*$/gm, '');

describe('the try-it remote-use query', () => {
  it('parses and type-checks against the workspace tables', () => {
    expect(kqlDiagnostics(query, REMOTE_USE_TABLES)).toEqual([]);
  });

  it('still does with Azure prefixes pasted in', () => {
    const filled = query.replace('let azurePrefixes = dynamic([]);', 'let azurePrefixes = dynamic(["192.0.2.0/24", "198.51.100.0/25"]);');
    expect(filled).not.toBe(query);
    expect(kqlDiagnostics(filled, REMOTE_USE_TABLES)).toEqual([]);
  });

  it('is checked for real: a table without a column the query reads fails', () => {
    const { RequesterObjectId: _dropped, ...storage } = REMOTE_USE_TABLES['StorageBlobLogs'] ?? {};
    expect(kqlDiagnostics(query, { ...REMOTE_USE_TABLES, StorageBlobLogs: storage }).join('\n')).toMatch(/RequesterObjectId/);
  });

  it('reads every table the detector reads, and tolerates a workspace without some of them', () => {
    for (const table of Object.keys(REMOTE_USE_TABLES)) expect(code).toMatch(new RegExp(`\\b${table}\\b`));
    expect(code).toMatch(/union isfuzzy=true/);
  });

  it('judges the last day against a 30-day baseline per identity: unusual network, unusual IP, usual external', () => {
    expect(code).toMatch(/let judged = 1d;/);
    expect(code).toMatch(/let baselineWindow = 30d;/);
    expect(code).toMatch(/by ObjectId, Ip\)/);
    expect(code).toMatch(/by ObjectId, Network\)/);
    for (const verdict of ['unusual network', 'unusual IP', 'usual external']) expect(code).toContain(`"${verdict} (TokenWatch`);
    expect(code).toMatch(/ipv4_is_private\(Ip\)/);
  });

  it('says what it does not do', () => {
    const header = query.slice(0, query.indexOf('let '));
    expect(header).toMatch(/What it does not do/);
    for (const gap of ['autonomous systems', 'service tags', 'token replay', 'learning period', 'deduplication']) expect(header).toContain(gap);
  });
});
