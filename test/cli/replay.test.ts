import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replay } from '../../src/cli/replay';
import { parseCommandLine } from '../../src/cli/commandLine';
import { REPLAY_COMMAND } from '../../src/cli/commandSpecs';
import { activityUse, at, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP } from '../support/auditFixtures';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

/** Writes a 20-day scenario as files of different shapes, in name order = time order. */
function writeScenario(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-replay-'));
  folders.push(dir);
  const vm = identity(81);
  const onprem = identity(82);
  mkdirSync(path.join(dir, 'b-later'));
  for (let day = 0; day < 20; day++) {
    const records = [miSignIn(vm, at(day)), miSignIn(onprem, at(day, 1)), activityUse(vm, at(day, 5), AZURE_IP), graphUse(onprem, at(day, 6), ONPREM_IP)];
    // A real address of a public DNS provider: the real ASN data must call it external.
    if (day === 18) records.push(activityUse(vm, at(day, 30), '8.8.8.8'));
    const name = `day-${String(day).padStart(2, '0')}`;
    if (day % 3 === 0) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ records }));
    else if (day % 3 === 1) writeFileSync(path.join(dir, `${name}.ndjson`), records.map((r) => JSON.stringify(r)).join('\n'));
    else writeFileSync(path.join(dir, 'b-later', `${name}.json`), JSON.stringify(records));
  }
  writeFileSync(path.join(dir, 'zz-bad.ndjson'), '{"records":[{"category":"ManagedIdentitySignInLogs","time":"soon"}]}\nnot json\n{"neither":"azure nor endpoint"}\n');
  return dir;
}

describe('tokenwatch replay', () => {
  it('skips a file deleted after the replay listed it, with a warning, and reads the files after it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-replay-gone-'));
    folders.push(dir);
    const vm = identity(83);
    // A first file long enough for a progress report (every 4,096 records), where the second is deleted.
    const first = Array.from({ length: 5_000 }, (_, i) => JSON.stringify(activityUse(vm, at(0, i % 1_000), AZURE_IP)));
    writeFileSync(path.join(dir, 'a.ndjson'), first.join('\n'));
    writeFileSync(path.join(dir, 'b.ndjson'), JSON.stringify(activityUse(vm, at(1), AZURE_IP)));
    writeFileSync(path.join(dir, 'c.ndjson'), [activityUse(vm, at(2), AZURE_IP), activityUse(vm, at(2, 5), AZURE_IP)].map((r) => JSON.stringify(r)).join('\n'));
    const warnings: string[] = [];
    const summary = await replay({
      inputs: [dir],
      alertsToStdout: false,
      warn: (line) => warnings.push(line),
      onProgress: () => rmSync(path.join(dir, 'b.ndjson'), { force: true }),
    });
    expect(warnings).toEqual([`warning: skipped ${path.join(dir, 'b.ndjson')}: no such file or folder`]);
    expect(summary.records).toBe(5_000 + 2);
    expect(summary.skipped).toEqual([{ path: path.join(dir, 'b.ndjson'), reason: 'no such file or folder' }]);
  });

  it('replays a folder of mixed shapes with the real ASN data and reports records, rejects and alerts', async () => {
    const dir = writeScenario();
    const out = path.join(dir, 'alerts.ndjson');
    const summary = await replay({ inputs: [dir], out });
    expect(summary.records).toBe(20 * 4 + 1 + 2);
    expect(summary.rejectsByReason).toEqual({ 'body.invalid-json': 1, 'signin.bad-time': 1, 'record.not-azure-log': 1 });
    expect(summary.byCategory).toMatchObject({ ManagedIdentitySignInLogs: 40, Administrative: 21, MicrosoftGraphActivityLogs: 20 });
    const rows = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBe(summary.alerts.length);
    const high = rows.find((r) => r['IPAddress'] === '8.8.8.8');
    expect(high).toMatchObject({ Severity: 'High', ASN: 15169, IPScope: 'external', Detector: 'RemoteTokenUse' });
    expect(rows.filter((r) => r['Severity'] === 'Low').length).toBeGreaterThan(0);
  });

  it('rejects a record dated more than a day after the replay started (.NET MaxValue, a clock years ahead), Entra or endpoint, and judges the rest as without it', async () => {
    const dir = writeScenario();
    const ids = (s: Awaited<ReturnType<typeof replay>>) => s.alerts.map((a) => a.AlertId).sort();
    const without = await replay({ inputs: [dir], alertsToStdout: false });
    const curl = JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'endpoint', 'ecs', 'process-curl-gcp-token.json'), 'utf8')) as Record<string, unknown>;
    const future = [
      { ...activityUse(identity(81), at(5, 2), ONPREM_IP), time: '9999-12-31T23:59:59.9999999Z' },
      { ...activityUse(identity(81), at(5, 3), ONPREM_IP), time: '2031-01-01T00:00:00Z' },
      { ...curl, '@timestamp': '9999-12-31T23:59:59.000Z' },
    ];
    writeFileSync(path.join(dir, 'day-05-future.ndjson'), future.map((r) => JSON.stringify(r)).join('\n'));
    const summary = await replay({ inputs: [dir], alertsToStdout: false }, () => Date.UTC(2026, 11, 7));
    expect(summary.rejectsByReason['record.time-out-of-window']).toBe(3);
    expect(summary.rejects.find((r) => r.reason === 'record.time-out-of-window')?.detail).toContain('and 2026-12-08T00:00:00.000Z (a day after processing)');
    expect(ids(summary)).toEqual(ids(without));
  });

  it('gives the same alerts with --batch-size 1, one invocation per file, and through Azurite', async () => {
    const dir = writeScenario();
    const perFile = await replay({ inputs: [dir], alertsToStdout: false });
    const single = await replay({ inputs: [dir], batchSize: 1, alertsToStdout: false });
    const azurite = await replay({ inputs: [dir], batchSize: 7, store: 'azurite', alertsToStdout: false });
    const ids = (s: typeof perFile) => s.alerts.map((a) => a.AlertId).sort();
    expect(ids(single)).toEqual(ids(perFile));
    expect(ids(azurite)).toEqual(ids(perFile));
    expect(azurite.tableRequests).toBeGreaterThan(0);
  }, 60_000);

  it('warns once when its service tags are more than 30 days older than the events, measured from the events, not the clock', async () => {
    const dir = writeScenario();
    const tags = (date: string): string => {
      const file = path.join(dir, '..', `${path.basename(dir)}-ServiceTags_Public_${date}.json`);
      folders.push(file);
      const region = { name: 'AzureCloud.westeurope', id: 'AzureCloud.westeurope', properties: { changeNumber: 3, region: 'westeurope', regionId: 18, platform: 'Azure', systemService: '', addressPrefixes: ['192.0.2.0/25'] } };
      writeFileSync(file, JSON.stringify({ changeNumber: 412, cloud: 'Public', values: [region] }));
      return file;
    };
    const run = async (date: string) => {
      const warnings: string[] = [];
      const summary = await replay({ inputs: [dir], serviceTagsFile: tags(date), alertsToStdout: false, warn: (line) => warnings.push(line) });
      return { stale: summary.staleServiceTags, warnings: warnings.filter((w) => w.includes('service tags')) };
    };
    // The scenario's events run from 1 to 20 March 2026; its first file read is b-later/day-02.json (3 March).
    const old = await run('20260115');
    expect(old.stale).toMatchObject({ ageDays: 47, changeNumber: 412, retrievedAtMs: Date.UTC(2026, 0, 15) });
    expect(old.warnings).toEqual([expect.stringContaining('are 47 days older than events of 2026-03-03')]);
    // Current for the first files, stale from the first file of events 30 days after them: one warning.
    const ageing = await run('20260204');
    expect(ageing.stale?.ageDays).toBe(30);
    expect(new Date(ageing.stale!.eventMs).toISOString().slice(0, 10)).toBe('2026-03-06');
    expect(ageing.warnings).toHaveLength(1);
    // As new as the events, or newer (last month's logs replayed with today's tags): nothing to say.
    for (const date of ['20260301', '20261201']) expect(await run(date), date).toEqual({ stale: undefined, warnings: [] });
  });

  it('parses its arguments', () => {
    expect(parseCommandLine(REPLAY_COMMAND, ['a', '--out', 'x.ndjson', '--batch-size=5', 'b', '-'])).toEqual({ operands: ['a', 'b', '-'], flags: { out: 'x.ndjson', 'batch-size': '5' } });
    expect(parseCommandLine(REPLAY_COMMAND, ['--', '-odd-name.ndjson']).operands).toEqual(['-odd-name.ndjson']);
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--bogus'])).toThrow('unknown option --bogus for replay');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '-x'])).toThrow('unknown option -x for replay');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--records', '5'])).toThrow('unknown option --records for replay');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--out'])).toThrow('--out needs a value (FILE)');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--out', '--store', 'memory'])).toThrow('--out needs a value (FILE)');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--out='])).toThrow('--out needs a value (FILE)');
    // A value that looks like a flag is not taken: the message says how to write it.
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--batch-size', '-5'])).toThrow('--batch-size needs a value (N); a value starting with "-" is written --batch-size=-…');
    expect(() => parseCommandLine(REPLAY_COMMAND, ['a', '--debug=yes'])).toThrow('--debug takes no value');
    expect(() => parseCommandLine(REPLAY_COMMAND, [])).toThrow('replay needs <files, folders or ->…');
  });
});
