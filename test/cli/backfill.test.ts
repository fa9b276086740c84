import { describe, expect, it } from 'vitest';
import { runBackfillCommand } from '../../src/cli/backfill';
import { backfillOptionsFromFlags, main } from '../../src/cli/tokenwatch';
import { testIo } from './cliTestIo';
import { defaultRemoteUseSettings } from '../../src/core/remoteUse/settings';
import { at, testClassifier } from '../support/auditFixtures';
import { azuriteConnectionString, uniqueTableName } from '../support/azurite';
import { threeWeeks, vm } from '../app/remoteUseScenario';
import { WORKSPACE_ID, workspaceOfRecords } from '../app/workspaceRowFixtures';

/** The documentation ranges as the test ASN table has them (192.0.2.0/24 is Microsoft's there). */
const settings = defaultRemoteUseSettings(testClassifier);

describe('tokenwatch backfill: usage', () => {
  it.each([
    [['backfill', '--store', 'memory'], /backfill needs --workspace <workspace id> and --store/],
    [['backfill', '--workspace', WORKSPACE_ID], /backfill needs --workspace <workspace id> and --store/],
    [['backfill', '--workspace', 'contoso-law', '--store', 'memory'], /--workspace must be the Log Analytics workspace id \(the customer id, a GUID\), not "contoso-law"/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'memory', '--days', '31'], /--days must be a whole number from 1 to 30, not "31"/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'memory', '--days', '0'], /--days must be a whole number from 1 to 30/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'memory', '--days', '2.5'], /--days must be a whole number from 1 to 30/],
    [['backfill', 'logs/', '--workspace', WORKSPACE_ID, '--store', 'memory'], /backfill takes no file arguments \(got "logs\/"\)/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'memory', '--dayz', '3'], /unknown option --dayz/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store'], /--store needs a value/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'bogus'], /--store takes memory, azurite, an https table endpoint .* not "bogus"/],
    [['backfill', '--workspace', WORKSPACE_ID, '--store', 'memory', '--records', '5'], /unknown option --records for backfill/],
  ])('%j is a usage error', async (argv, message) => {
    const { io, out, err } = testIo();
    expect(await main(argv, io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err()).toMatch(/^tokenwatch backfill: /);
    expect(err()).toContain('see: tokenwatch backfill --help');
    expect(out()).toBe('');
  });

  it('defaults to 30 days and the TokenWatchState table', () => {
    expect(backfillOptionsFromFlags([], { workspace: WORKSPACE_ID, store: 'azurite' })).toEqual({
      workspaceId: WORKSPACE_ID, days: 30, store: 'azurite', table: 'TokenWatchState', serviceTagsFile: undefined, allowlistFile: undefined,
    });
    expect(backfillOptionsFromFlags([], { workspace: WORKSPACE_ID, store: 'memory', days: '7', table: 'Other', allowlist: 'a.json', 'service-tags': 's.json' })).toMatchObject({ days: 7, table: 'Other', allowlistFile: 'a.json', serviceTagsFile: 's.json' });
  });
});

describe('tokenwatch backfill: a run', () => {
  it('prints progress on stderr and what the history would have raised on stdout; a second run against the same table has nothing to do', async () => {
    const conn = azuriteConnectionString();
    const table = uniqueTableName('cliBackfill');
    let clock = at(21);
    const now = () => (clock += 250);
    const options = backfillOptionsFromFlags([], { workspace: WORKSPACE_ID, store: conn, table });
    const err: string[] = [];
    const out: string[] = [];
    const report = await runBackfillCommand(options, { err: (l) => err.push(l), out: (l) => out.push(l) }, { query: workspaceOfRecords(threeWeeks()), now, progressEveryMs: 0, settings });
    expect(report.done).toBe(true);
    expect(err.length).toBeGreaterThan(3);
    expect(err.every((l) => /^backfill: \d+ slices, through \S+ \(\d+\.\d %\), [\d,]+ rows \([\d,]+\/s\), (ETA \d+:\d\d:\d\d|ETA unknown)$/.test(l))).toBe(true);
    expect(err.at(-1)).toMatch(/\(100\.0 %\), 65 rows .*ETA 0:00:00$/);
    expect(out[0]).toMatch(/^backfill of \S+ to \S+ \(30 days\): done$/);
    expect(out).toContain('  would have raised 2 alerts (not sent): Low 1, Medium 0, High 1');
    expect(out.find((l) => l.startsWith('  by rule: '))).toContain('token-replay 1');
    expect(out).toContain('  top identities:');
    expect(out.find((l) => l.includes(vm.name))).toMatch(/^\s+2 {2}highest High {3}/);
    expect(out).toContain('  tables not in the workspace: AADServicePrincipalSignInLogs, AzureDiagnostics, AZKVAuditLogs, StorageBlobLogs');
    expect(out.at(-1)).toBe('  the state holds the catalog, the baselines and the tenant\'s first event: alerts start with the first live batch');

    const again: string[] = [];
    const second = await runBackfillCommand({ ...options, days: 7 }, { err: () => undefined, out: (l) => again.push(l) }, { query: workspaceOfRecords(threeWeeks()), now, settings });
    expect(second.status).toBe('finished-before');
    expect(again[0]).toMatch(/^backfill of .* \(30 days\) finished at \S+: nothing to do$/);
    expect(again).toContain('  (--days 7 ignored: the range was fixed when this backfill started)');
    expect(again).toContain('  all runs: ' + `${report.mark.slices} slices, 65 rows, would have raised 2 (High 1, Low 1)`);
  });

  it('keeps the state in memory with --store memory (a dry run that prints the summary)', async () => {
    const out: string[] = [];
    const report = await runBackfillCommand(backfillOptionsFromFlags([], { workspace: WORKSPACE_ID, store: 'memory', days: '30' }), { err: () => undefined, out: (l) => out.push(l) }, { query: workspaceOfRecords(threeWeeks()), now: () => at(21), settings });
    expect(report.wouldHaveRaised.total).toBe(2);
    expect(out[0]).toMatch(/done$/);
  });
});
