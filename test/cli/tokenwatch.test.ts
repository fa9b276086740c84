import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { describeFailure } from '../../src/cli/cliErrors';
import { isoTimeFlag } from '../../src/cli/commandLine';
import { main } from '../../src/cli/tokenwatch';
import { activityUse, at, AZURE_IP, graphUse, identity, miSignIn, ONPREM_IP, TENANT } from '../support/auditFixtures';
import { testIo } from './cliTestIo';

const folders: string[] = [];
afterEach(() => {
  for (const f of folders.splice(0)) rmSync(f, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-cli-'));
  folders.push(dir);
  return dir;
}

const ndjson = (records: readonly unknown[]): string => records.map((r) => `${JSON.stringify(r)}\n`).join('');
const PACKAGE_VERSION = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
/** A Node stack frame: what a clean failure never prints. */
const STACK_FRAME = /^\s+at /m;

/** Twenty days of one VM and one on-premises identity, and on day 18 a use of the VM's token from a public address (High). */
function scenarioRecords(firstDay = 0, days = 20): Record<string, unknown>[][] {
  const vm = identity(81);
  const onprem = identity(82);
  const out: Record<string, unknown>[][] = [];
  for (let day = firstDay; day < firstDay + days; day++) {
    const records = [miSignIn(vm, at(day)), miSignIn(onprem, at(day, 1)), activityUse(vm, at(day, 5), AZURE_IP), graphUse(onprem, at(day, 6), ONPREM_IP)];
    // A real address of a public DNS provider: the real ASN data calls it external.
    if (day === 18) records.push(activityUse(vm, at(day, 30), '8.8.8.8'));
    out.push(records);
  }
  return out;
}

function writeScenario(dir: string): void {
  scenarioRecords().forEach((records, day) => writeFileSync(path.join(dir, `day-${String(day).padStart(2, '0')}.ndjson`), ndjson(records)));
}

describe('tokenwatch: help and version', () => {
  it.each([['--help'], ['-h'], ['help']])('%s lists the commands on stdout and exits 0', async (arg) => {
    const { io, out, err } = testIo();
    expect(await main([arg], io)).toBe(0);
    expect(out()).toContain('Usage: tokenwatch <command> [options]');
    for (const command of ['replay', 'demo', 'baseline', 'backfill', 'bench']) expect(out()).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
    expect(out().split('\n').every((line) => line.length <= 100)).toBe(true);
    expect(err()).toBe('');
  });

  it('with no command prints the same overview on stderr and exits 2', async () => {
    const { io, out, err } = testIo();
    expect(await main([], io)).toBe(2);
    expect(err()).toContain('Usage: tokenwatch <command> [options]');
    expect(out()).toBe('');
  });

  it('--version prints the version of package.json', async () => {
    const { io, out } = testIo();
    expect(await main(['--version'], io)).toBe(0);
    expect(out()).toBe(`tokenwatch ${PACKAGE_VERSION}\n`);
  });

  it('each command has its own help, listing its own flags only', async () => {
    const help = async (...argv: string[]): Promise<string> => {
      const { io, out } = testIo();
      expect(await main(argv, io)).toBe(0);
      return out();
    };
    const replay = await help('replay', '--help');
    expect(replay).toMatch(/^tokenwatch replay <files, folders or ->… \[options\]/);
    for (const flag of ['--out FILE', '--format ndjson|table', '--rejects FILE', '--store STORE', '--batch-size N', '--service-tags FILE', '-h, --help', '--debug']) expect(replay).toContain(flag);
    expect(replay).not.toContain('--records');
    expect(await help('replay', '-h')).toBe(replay);
    expect(await help('help', 'replay')).toBe(replay);
    const bench = await help('bench', '--help');
    for (const flag of ['--records N', '--identities N', '--seed N']) expect(bench).toContain(flag);
    expect(bench).not.toContain('--out');
    expect(await help('backfill', '--help')).toContain('--workspace ID');
    expect(await help('baseline', '--help')).toContain('--identity ID|NAME');
    expect(await help('demo', '--help')).toContain('--store memory|azurite');
    // Help wins over a missing operand: `replay --help` needs no file.
    expect(replay.split('\n').every((line) => line.length <= 100)).toBe(true);
  });
});

describe('tokenwatch: usage errors exit 2 with one line and where to look', () => {
  it.each([
    [['bogus'], /^tokenwatch: unknown command "bogus"; the commands are replay, demo, baseline, backfill, bench\n {2}see: tokenwatch --help\n$/],
    [['-x'], /^tokenwatch: -x is not a command/],
    [['replay'], /^tokenwatch replay: replay needs <files, folders or ->…\n {2}see: tokenwatch replay --help\n$/],
    [['replay', 'logs', '--records', '5'], /^tokenwatch replay: unknown option --records for replay/],
    [['replay', 'logs', '-x'], /^tokenwatch replay: unknown option -x for replay/],
    [['replay', 'logs', '--out'], /^tokenwatch replay: --out needs a value \(FILE\)/],
    [['replay', 'logs', '--out', 'a.ndjson', '--out=b.ndjson'], /^tokenwatch replay: --out is given twice \("a\.ndjson", then "b\.ndjson"\): give it once/],
    [['replay', 'logs', '--help=yes'], /^tokenwatch replay: --help takes no value/],
    [['replay', 'logs', '--store', 'bogus'], /^tokenwatch replay: --store takes memory, azurite, an https table endpoint \(https:\/\/<account>\.table\.core\.windows\.net\) or a connection string, not "bogus"/],
    [['replay', 'logs', '--store', 'http://127.0.0.1:1/devstoreaccount1'], /^tokenwatch replay: --store http:\/\/127\.0\.0\.1:1\/devstoreaccount1: plain http is for an emulator, which needs its connection string .*--store azurite starts one/],
    [['replay', 'logs', '--store', 'AccountName=contoso;AccountKey='], /^tokenwatch replay: --store takes .*, not "connection string of account contoso"/],
    // An account and key but no protocol or endpoint suffix: the Table client refuses it, and says so before anything runs.
    [['baseline', '--store', 'AccountName=contoso;AccountKey=Yg==', '--tenant', 't', '--identity', 'i'], /^tokenwatch baseline: --store connection string of account contoso: the Table client cannot use it \(Invalid TableEndpoint.*\); give it as the portal shows it/],
    [['replay', 'logs', '--format', 'csv'], /^tokenwatch replay: --format takes ndjson or table, not "csv"/],
    [['replay', 'logs', '--usual-external', 'sometimes'], /^tokenwatch replay: --usual-external takes alert or exposure, not "sometimes"/],
    [['replay', 'logs', '--batch-size', '0'], /^tokenwatch replay: --batch-size must be a positive whole number, not "0"/],
    [['replay', 'logs', '--tenant', 'contoso.onmicrosoft.com'], /^tokenwatch replay: --tenant must be a tenant id \(a GUID\), not "contoso.onmicrosoft.com"/],
    // Decimal digits only: Number() would take a hex, a fraction or padding.
    [['replay', 'logs', '--batch-size', '0x10'], /^tokenwatch replay: --batch-size must be a positive whole number, not "0x10"/],
    [['replay', 'logs', '--batch-size', ' 5 '], /^tokenwatch replay: --batch-size must be a positive whole number, not " 5 "/],
    [['bench', '--records', '2e5'], /^tokenwatch bench: --records must be a whole number of at least 200,000, not "2e5"/],
    [['replay', 'logs', '--store', `x${'y'.repeat(100_000)}`], /^tokenwatch replay: --store takes .{0,600}…\n/],
    [['demo', '--store', 'https://contoso.table.core.windows.net'], /^tokenwatch demo: --store takes memory or azurite for the demo/],
    [['demo', 'logs'], /^tokenwatch demo: demo takes no file arguments \(got "logs"\)/],
    [['baseline', '--store', 'memory', '--tenant', 't', '--identity', 'i'], /^tokenwatch baseline: baseline reads a state table that exists/],
    [['baseline', '--store', 'https://contoso.table.core.windows.net', '--table', 'bad name!', '--tenant', 't', '--identity', 'i'], /^tokenwatch baseline: --table must be a table name \(3 to 63 letters and digits, a letter first\), not "bad name!"/],
    [['baseline', '--store', 'https://contoso.table.core.windows.net', '--tenant', 't', '--identity', 'i', '--at', 'yesterday'], /--at must be an ISO time/],
    [['baseline', '--store', 'https://contoso.table.core.windows.net', '--tenant', 'contoso.onmicrosoft.com', '--identity', 'i'], /^tokenwatch baseline: --tenant must be a tenant id \(a GUID\), not "contoso.onmicrosoft.com"/],
    // A connection string's key is never printed back, not even in a slip.
    [['baseline', '--store', 'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=c2VjcmV0S2V5;EndpointSuffix=core.windows.net', '--store', 'memory', '--tenant', 't', '--identity', 'i'], /^tokenwatch baseline: --store is given twice \("DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=…;EndpointSuffix=core\.windows\.net", then "memory"\)/],
    [['demo', '--store', 'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=c2VjcmV0S2V5;EndpointSuffix=core.windows.net'], /^tokenwatch demo: --store takes memory or azurite for the demo, not "DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=…;EndpointSuffix=core\.windows\.net"/],
    [['replay', 'logs', '--store', 'https://prod table.core.windows.net/?sv=2024&sig=c2VjcmV0%3D'], /^tokenwatch replay: --store takes .*; "https:\/\/prod table\.core\.windows\.net\/\?sv=2024&sig=…" is not a URL/],
    // Date.parse took each of these: the year 2001, a time in the machine's zone, the year 99999, 2 March.
    ...['1', 'Dec 5 2026', '99999-01-01', '2026-02-30', '2026-12-01T08:30:00', '2026-12-01T24:00:00Z'].map(
      (at) => [['baseline', '--store', 'https://contoso.table.core.windows.net', '--tenant', 't', '--identity', 'i', '--at', at], new RegExp(`--at must be an ISO time with its zone.*not "${at}"`)] as [string[], RegExp],
    ),
    [['bench', '--records', '5'], /^tokenwatch bench: --records must be a whole number of at least 200,000, not "5"/],
    [['bench', '--out', 'x'], /^tokenwatch bench: unknown option --out for bench/],
  ])('%j', async (argv, message) => {
    const { io, out, err } = testIo();
    expect(await main(argv, io)).toBe(2);
    expect(err()).toMatch(message);
    expect(err().trimEnd().split('\n')).toHaveLength(2);
    expect(err()).not.toContain('Cannot read properties');
    expect(out()).toBe('');
  });
});

describe('isoTimeFlag', () => {
  it.each([
    ['2026-12-01', Date.UTC(2026, 11, 1)],
    ['2026-12-01T08:30Z', Date.UTC(2026, 11, 1, 8, 30)],
    ['2026-12-01T08:30:15.25Z', Date.UTC(2026, 11, 1, 8, 30, 15, 250)],
    ['2026-12-01T08:30:00+01:00', Date.UTC(2026, 11, 1, 7, 30)],
    ['2028-02-29T00:00:00Z', Date.UTC(2028, 1, 29)],
  ])('%s is read in its own zone', (text, ms) => {
    expect(isoTimeFlag(text)).toBe(ms);
  });
  it.each(['', '1', '20261201', '2026-12-1', '2027-02-29', '2026-00-10', '2026-12-01 08:30Z', '2026-12-01T08:60:00Z', 'yesterday'])('%j is refused', (text) => {
    expect(isoTimeFlag(text)).toBeUndefined();
  });
});

describe('tokenwatch replay: failures exit 1 with a message that says what to do', () => {
  it('an --out or --rejects that cannot be written: one line naming the flag, no stack trace', async () => {
    const dir = folder();
    writeScenario(dir);
    for (const [out, reason] of [
      [path.join(dir, 'missing', 'alerts.ndjson'), 'its folder does not exist'],
      [dir, 'it is a folder'],
    ] as const) {
      for (const format of ['ndjson', 'table']) {
        const { io, err } = testIo();
        expect(await main(['replay', dir, '--out', out, '--format', format], io)).toBe(1);
        expect(err()).toBe(`tokenwatch replay: --out ${out}: cannot write it (${reason})\n`);
      }
    }
    const { io, err } = testIo();
    expect(await main(['replay', dir, '--rejects', path.join(dir, 'missing', 'rejects.ndjson')], io)).toBe(1);
    expect(err()).toMatch(/^tokenwatch replay: --rejects .*rejects\.ndjson: cannot write it \(its folder does not exist\)\n$/);
  });

  it('an empty folder, or one without log files, is "nothing to replay"; files with no records are "nothing read"', async () => {
    const empty = folder();
    let run = testIo();
    expect(await main(['replay', empty], run.io)).toBe(1);
    expect(run.err()).toBe(`tokenwatch replay: nothing to replay: ${empty} holds no log files (.json, .ndjson, .jsonl, .log or .csv, each optionally .gz)\n`);

    const notes = folder();
    writeFileSync(path.join(notes, 'README.txt'), 'not a log');
    run = testIo();
    expect(await main(['replay', notes, empty], run.io)).toBe(1);
    expect(run.err()).toContain(`nothing to replay: ${notes}, ${empty} hold no log files`);

    const blank = folder();
    writeFileSync(path.join(blank, 'a.ndjson'), '');
    writeFileSync(path.join(blank, 'b.ndjson'), '\n\n  \n');
    run = testIo();
    expect(await main(['replay', blank], run.io)).toBe(1);
    expect(run.err()).toContain('files 2, records 0, invocations 2');
    expect(run.err().trimEnd().split('\n').at(-1)).toBe('tokenwatch replay: nothing read: the 2 input files hold no records (empty, or blank lines only)');
    // An empty .json is read as an empty body: nothing read either, as for an empty .ndjson.
    const emptyJson = folder();
    writeFileSync(path.join(emptyJson, 'a.json'), '');
    run = testIo();
    expect(await main(['replay', emptyJson], run.io)).toBe(1);
    expect(run.err().trimEnd().split('\n').at(-1)).toBe('tokenwatch replay: nothing read: the input file holds no records (empty, or blank lines only)');

    run = testIo();
    expect(await main(['replay', path.join(blank, 'nope.ndjson')], run.io)).toBe(1);
    expect(run.err()).toBe(`tokenwatch replay: ${path.join(blank, 'nope.ndjson')}: no such file or folder\n`);
  });

  it('a dangling symbolic link in a folder is skipped with a warning; the rest is read', async () => {
    const dir = folder();
    writeScenario(dir);
    symlinkSync(path.join(dir, 'gone.ndjson'), path.join(dir, 'day-99.ndjson'));
    const { io, err } = testIo();
    expect(await main(['replay', dir, '--format', 'table'], io)).toBe(0);
    expect(err()).toContain(`warning: skipped ${path.join(dir, 'day-99.ndjson')}: a symbolic link to nothing (its target does not exist)`);
    expect(err()).toContain('files 20, records 81,');
    expect(err()).toContain('skipped 1 input that could not be read or were already read');
  });

  it("Key Vault reads that name no tenant: judged in the tenant the replay's earlier records name, or in --tenant; before any, rejected", async () => {
    const dir = folder();
    const id = identity(7);
    const keyVaultRead = (ms: number, of = id): Record<string, unknown> => ({
      time: new Date(ms).toISOString(),
      resourceId: '/SUBSCRIPTIONS/C0FFEE00-0000-4000-8000-000000000003/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.KEYVAULT/VAULTS/KV-CONTOSO',
      operationName: 'SecretGet',
      category: 'AuditEvent',
      resultType: 'Success',
      callerIpAddress: AZURE_IP,
      identity: { claim: { oid: of.objectId, appid: of.appId, appidacr: '2', xms_mirid: of.resourceId } },
    });
    const file = path.join(dir, 'day-1.ndjson');
    // The last read is by an identity the replay never saw issued a token: judged in the one tenant seen, and said so.
    writeFileSync(file, [keyVaultRead(at(1)), miSignIn(id, at(1, 1)), keyVaultRead(at(1, 5)), keyVaultRead(at(1, 6), identity(8))].map((r) => JSON.stringify(r)).join('\n'));
    let run = testIo();
    expect(await main(['replay', file, '--format', 'table'], run.io)).toBe(0);
    expect(run.err()).toContain('rejects by reason: activity.no-tenant 1');
    expect(run.err()).toContain('AuditEvent 2');
    expect(run.err()).toContain(`tenant inferred: 1 record naming no tenant (Key Vault AuditEvent, sign-in rows without AADTenantId) judged in ${TENANT}, the only tenant the replay had seen; give --tenant if they are another tenant's`);
    run = testIo();
    expect(await main(['replay', file, '--format', 'table', '--tenant', TENANT], run.io)).toBe(0);
    expect(run.err()).toContain('rejects by reason: none');
    expect(run.err()).not.toContain('tenant inferred');
    // Only reads that name no tenant, and no --tenant: every record rejected, nothing judged, exit 1.
    const alone = path.join(dir, 'alone.ndjson');
    writeFileSync(alone, `${JSON.stringify(keyVaultRead(at(1)))}\n`);
    run = testIo();
    expect(await main(['replay', alone], run.io)).toBe(1);
    expect(run.err()).toContain('rejects by reason: activity.no-tenant 1');
    expect(run.err().trimEnd().split('\n').at(-1)).toBe('tokenwatch replay: nothing judged: every record read was rejected (reasons above; give --rejects FILE to see each)');
  });

  it('a named pipe in a folder is skipped with a warning, not waited on nor passed over in silence', async () => {
    const dir = folder();
    writeScenario(dir);
    const fifo = path.join(dir, 'day-99.ndjson');
    execFileSync('mkfifo', [fifo]);
    const { io, err } = testIo();
    expect(await main(['replay', dir, '--format', 'table'], io)).toBe(0);
    expect(err()).toContain(`warning: skipped ${fifo}: a named pipe, not a file: name it on the command line to read it`);
    expect(err()).toContain('files 20, records 81,');
  });

  it('a settings file that is missing, not JSON or null: one line naming the flag, no stack-trace hint', async () => {
    const dir = folder();
    writeScenario(dir);
    const bad = path.join(dir, 'bad.json.txt');
    writeFileSync(bad, '{ nope');
    const nul = path.join(dir, 'null.json.txt');
    writeFileSync(nul, 'null');
    const missing = path.join(dir, 'missing.json');
    // A fault on the second line: V8 quotes the text around it, line break included, and the message keeps it all on one line.
    const twoLines = path.join(dir, 'two-lines.json.txt');
    writeFileSync(twoLines, '{"cidrs": ["203.0.113.0/24"],\n "asns": }');
    for (const [argv, expected] of [
      [['--allowlist', missing], `tokenwatch replay: --allowlist ${missing}: cannot read it (no such file or folder)\n`],
      [['--service-tags', missing], `tokenwatch replay: --service-tags: cannot read service tags file ${missing}: no such file or folder\n`],
      [['--allowlist', twoLines], /^tokenwatch replay: --allowlist .*: not JSON \(Unexpected token '\}', .*\\n "asns": \}" is not valid JSON\)\n$/],
      [['--service-tags', twoLines], /^tokenwatch replay: --service-tags: service tags file .* is not JSON: Unexpected token '\}', .*\\n "asns": \}" is not valid JSON\n$/],
      [['--theft-allowlist', bad], new RegExp(`^tokenwatch replay: --theft-allowlist ${bad.replace(/[.\\/]/g, '\\$&')}: not JSON \\(.*\\)\n$`)],
      [['--theft-allowlist', nul], `tokenwatch replay: --theft-allowlist ${nul}: holds null, not the JSON object of overrides (docs/theft.md)\n`],
      [['--service-tags', bad], /^tokenwatch replay: --service-tags: service tags file .* is not JSON: .*\n$/],
    ] as const) {
      const run = testIo();
      expect(await main(['replay', dir, ...argv], run.io)).toBe(1);
      if (typeof expected === 'string') expect(run.err()).toBe(expected);
      else expect(run.err()).toMatch(expected);
      expect(run.err()).not.toContain('--debug');
    }
  });

  it('a folder reached twice (a link back up the tree) or a file named twice is read once, the repeat listed', async () => {
    const dir = folder();
    writeScenario(dir);
    symlinkSync(dir, path.join(dir, 'self'));
    let run = testIo();
    expect(await main(['replay', dir, path.join(dir, 'day-00.ndjson'), '--format', 'table'], run.io)).toBe(0);
    expect(run.err()).toContain(`warning: skipped ${path.join(dir, 'self')}: already read as ${dir}`);
    expect(run.err()).toContain(`warning: skipped ${path.join(dir, 'day-00.ndjson')}: already read as ${path.join(dir, 'day-00.ndjson')}`);
    expect(run.err()).toContain('files 20, records 81,');
    run = testIo();
    expect(await main(['replay', path.join(dir, 'self', 'day-00.ndjson'), path.join(dir, 'day-00.ndjson')], run.io)).toBe(0);
    expect(run.err()).toContain('files 1,');
  });

  it('--out and --rejects naming the same file are refused (the two streams wrote over each other)', async () => {
    const dir = folder();
    writeScenario(dir);
    const same = path.join(folder(), 'same.txt');
    const run = testIo();
    expect(await main(['replay', dir, '--out', same, '--rejects', same], run.io)).toBe(1);
    expect(run.err()).toBe(`tokenwatch replay: --out and --rejects name the same file (${same}): alerts and rejects would be written over each other\n`);
    // The same file under a second name, a symbolic link to it.
    writeFileSync(same, '');
    const link = path.join(path.dirname(same), 'link.txt');
    symlinkSync(same, link);
    const linked = testIo();
    expect(await main(['replay', dir, '--out', same, '--rejects', link], linked.io)).toBe(1);
    expect(linked.err()).toContain('--out and --rejects name the same file');
  });

  it('--out - is standard output; --rejects - is refused, standard output carries the alerts', async () => {
    const dir = folder();
    writeScenario(dir);
    let run = testIo();
    const cwd = process.cwd();
    process.chdir(folder());
    try {
      expect(await main(['replay', dir, '--out', '-'], run.io)).toBe(0);
      expect(existsSync('-')).toBe(false);
      expect(run.out().trim().split('\n').length).toBeGreaterThan(0);
      run = testIo();
      expect(await main(['replay', dir, '--rejects', '-'], run.io)).toBe(2);
      expect(run.err()).toMatch(/^tokenwatch replay: --rejects takes a file: standard output carries the alerts/);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a message that quotes an argument or a file shows its control characters, never sends them', async () => {
    const run = testIo();
    expect(await main(['replay', 'logs', '--format', '\u001b]0;pwned\u0007'], run.io)).toBe(2);
    expect(run.err()).toContain('--format takes ndjson or table, not "\\x1b]0;pwned\\x07"');
    expect(run.err()).not.toMatch(/[\u001b\u0007]/);
  });

  it('an --out or --rejects file that is also an input is refused before it is emptied', async () => {
    const dir = folder();
    writeScenario(dir);
    const input = path.join(dir, 'day-03.ndjson');
    const before = readFileSync(input, 'utf8');
    for (const flag of ['--out', '--rejects']) {
      const run = testIo();
      expect(await main(['replay', dir, flag, input], run.io)).toBe(1);
      expect(run.err()).toBe(`tokenwatch replay: ${flag} ${input} is also an input of this run (${input}): it would be emptied before it is read; write it elsewhere\n`);
      expect(readFileSync(input, 'utf8')).toBe(before);
    }
  });

  it('a table store that answers nothing: the store named without its key, and a hint', async () => {
    const dir = folder();
    writeScenario(dir);
    const key = Buffer.from('not-a-real-key').toString('base64');
    const store = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${key};TableEndpoint=http://127.0.0.1:1/devstoreaccount1;`;
    const { io, err } = testIo();
    expect(await main(['replay', dir, '--store', store], io)).toBe(1);
    expect(err()).toMatch(/^tokenwatch replay: state store \(connection string of account devstoreaccount1 at http:\/\/127\.0\.0\.1:1\/devstoreaccount1\): .*ECONNREFUSED/);
    expect(err()).toContain('nothing answered at the state table endpoint');
    expect(err()).not.toContain(key);
    expect(err()).not.toMatch(STACK_FRAME);
  }, 60_000);

  it('the built CLI with a store where nothing listens: fails at its first request and exits, not half a minute later', () => {
    const dir = folder();
    writeScenario(dir);
    const store = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};TableEndpoint=http://127.0.0.1:1/devstoreaccount1;`;
    // Nothing listens on port 1: the SDK's retries (about 6 s) and a request timer the SDK leaves
    // behind on a failed connection (30 s) held the process; 15 s is far above one attempt.
    const run = spawnSync(process.execPath, [path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'tokenwatch.js'), 'replay', dir, '--store', store], { encoding: 'utf8', timeout: 15_000 });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('nothing answered at the state table endpoint');
  }, 30_000);
});

describe('describeFailure', () => {
  const chain = Object.assign(
    new Error(
      'ChainedTokenCredential authentication failed.\nCredentialUnavailableError: EnvironmentCredential is unavailable.\nCredentialUnavailableError: Azure CLI could not be found.',
    ),
    { name: 'AggregateAuthenticationError' },
  );
  const wrapped = new Error(`table state: reading partition tenant|x failed: ${chain.message}`, { cause: chain });

  it('a store that needs a sign-in: one line and what to run, not the credential chain', () => {
    const lines = describeFailure(wrapped, false);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('no Azure sign-in could get a token for the state table');
    expect(lines[1]).toMatch(/^ {2}run `az login` .*Storage Table Data Contributor/);
    expect(lines.join('\n')).not.toContain('EnvironmentCredential');
  });

  it('a workspace query that needs a sign-in names the workspace and its role, not the state table', () => {
    const query = Object.assign(new Error(`logAnalyticsQuery: the query failed (AuthenticationFailed): ${chain.message}`, { cause: chain }), { name: 'LogQueryError' });
    const lines = describeFailure(query, false);
    expect(lines[0]).toBe('no Azure sign-in could get a token for the Log Analytics workspace');
    expect(lines[1]).toContain('Log Analytics Reader on the workspace');
    expect(lines.join('\n')).not.toContain('Storage Table');
  });

  it('a request nobody answered in time: a hint, not a bare abort message', () => {
    const aborted = Object.assign(new Error('The operation was aborted. Rejecting from abort signal callback while making request.'), { name: 'AbortError' });
    const lines = describeFailure(new Error('table state: creating the table failed', { cause: aborted }), false);
    expect(lines).toEqual(['table state: creating the table failed', '  no answer in time: check that the endpoint (--store, or the workspace) is the right one and reachable from here']);
  });

  it('a service that answered with an error body: its status and code, and for a 404 where to look', () => {
    const notFound = Object.assign(new Error('{"odata.error":{"code":"TableNotFound","message":{"lang":"en-US","value":"The table specified does not exist."}}}'), { statusCode: 404, code: 'TableNotFound' });
    expect(describeFailure(notFound, false)).toEqual(['the service answered 404 (TableNotFound)', '  not found: check --table (default TokenWatchState) and that --store is the account the app writes']);
  });

  it('with --debug, every cause and its stack', () => {
    const text = describeFailure(wrapped, true).join('\n');
    expect(text).toContain('Azure CLI could not be found');
    expect(text).toMatch(STACK_FRAME);
  });

  it('an unexpected error: its first line, and where the stack is', () => {
    expect(describeFailure(new TypeError("Cannot read properties of undefined (reading 'x')\nmore"), false)).toEqual(["Cannot read properties of undefined (reading 'x') (--debug shows the stack trace)"]);
  });
});

describe('tokenwatch replay: what it reports', () => {
  it('a file of 300,000 rejects: counted, every one written to --rejects, and exit 1 (nothing was judged)', async () => {
    const dir = folder();
    const file = path.join(dir, 'broken.ndjson');
    const lines: string[] = [];
    // Records that are no log (rejected by the parsers, in one invocation), and every hundredth line not JSON at all.
    for (let i = 0; i < 300_000; i++) lines.push(i % 100 === 99 ? `not json ${i}` : JSON.stringify({ line: i, note: 'neither an Azure log nor endpoint telemetry' }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const rejects = path.join(dir, 'rejects.ndjson');
    const { io, err } = testIo();
    // CPU time, not wall time: the second is what a shared machine's other work stretches.
    const cpu = process.cpuUsage();
    expect(await main(['replay', file, '--rejects', rejects], io)).toBe(1);
    const used = process.cpuUsage(cpu);
    expect((used.user + used.system) / 1000).toBeLessThan(20_000);
    expect(err()).toContain(`rejects by reason: body.invalid-json 3000, record.not-azure-log 297000 (each in ${rejects})`);
    expect(err().trimEnd().split('\n').at(-1)).toBe(`tokenwatch replay: nothing judged: every record read was rejected (reasons above; each in ${rejects})`);
    const written = readFileSync(rejects, 'utf8').trimEnd().split('\n');
    expect(written).toHaveLength(300_000);
    const byOrigin = new Map(written.map((l) => JSON.parse(l) as Record<string, unknown>).map((r) => [String(r['origin']).split(' ')[0], r]));
    expect(byOrigin.get('broken.ndjson:300000')).toMatchObject({ reason: 'body.invalid-json', detector: 'RemoteTokenUse', batchId: file });
    expect(String(byOrigin.get('broken.ndjson:300000')!['sample'])).toContain('not json 299999');
    expect(byOrigin.get('broken.ndjson:299999')).toMatchObject({ reason: 'record.not-azure-log', origin: 'broken.ndjson:299999 record 0' });
    expect(byOrigin.size).toBe(300_000);
  }, 90_000);

  it('--rejects writes each reject with its reason, detail, origin and a bounded sample', async () => {
    const dir = folder();
    const huge = 'x'.repeat(10_000);
    writeFileSync(path.join(dir, 'a.ndjson'), `${JSON.stringify(miSignIn(identity(3), at(0)))}\nnot json\n{"neither":"azure nor endpoint","pad":"${huge}"}\n`);
    const rejects = path.join(dir, 'rejects.ndjson');
    const { io, err } = testIo();
    expect(await main(['replay', dir, '--rejects', rejects], io)).toBe(0);
    const written = readFileSync(rejects, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(written.map((r) => [r['reason'], r['origin']])).toEqual([
      ['body.invalid-json', 'a.ndjson:2'],
      ['record.not-azure-log', 'a.ndjson:3 record 0'],
    ]);
    for (const r of written) {
      expect(r['detail']).toMatch(/\S/);
      expect(r['batchId']).toBe(path.join(dir, 'a.ndjson'));
    }
    // The sample is cut at 4 KiB (REJECT_SAMPLE_CHARS) and marked.
    expect(written[1]!['sample']!.length).toBeLessThanOrEqual(4097);
    expect(err()).toContain('rejects by reason: body.invalid-json 1, record.not-azure-log 1');
  });

  it('warns, naming the files, when event time runs backwards across files by more than the lateness allowance, and counts the late uses', async () => {
    const dir = folder();
    const days = scenarioRecords();
    // Name order puts the last ten days first.
    writeFileSync(path.join(dir, 'a-second-half.ndjson'), ndjson(days.slice(10).flat()));
    writeFileSync(path.join(dir, 'b-first-half.ndjson'), ndjson(days.slice(0, 10).flat()));
    const { io, err } = testIo();
    expect(await main(['replay', dir], io)).toBe(0);
    const warnings = err().split('\n').filter((l) => l.startsWith('warning: event time runs backwards (Entra and Azure records): '));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${path.join(dir, 'b-first-half.ndjson')} has events from ${new Date(at(0)).toISOString()}`);
    expect(warnings[0]).toContain(`before the latest event of ${path.join(dir, 'a-second-half.ndjson')}`);
    expect(warnings[0]).toContain('uses further back than the 2 days lateness allowance are judged late and teach nothing');
    expect(err()).toContain('warning: event time ran backwards in 1 file (see above)');
    expect(err()).toMatch(/^late uses: [1-9]\d* \(older than their identity's newest use by more than the lateness allowance/m);

    // In time order, or back by less than the allowance: no warning. Nor for endpoint telemetry of the
    // first days read after them: the theft detector's state has its own time.
    const ordered = folder();
    writeFileSync(path.join(ordered, 'a.ndjson'), ndjson(days.slice(0, 10).flat()));
    writeFileSync(path.join(ordered, 'b.ndjson'), ndjson(days.slice(9).flat()));
    const sysmon = readFileSync(path.join(__dirname, '..', 'fixtures', 'endpoint', 'sysmon-flat', 'event1-ordinary-process.json'), 'utf8');
    writeFileSync(path.join(ordered, 'c-endpoint.ndjson'), `${JSON.stringify(JSON.parse(sysmon))}\n`);
    const quiet = testIo();
    expect(await main(['replay', ordered], quiet.io)).toBe(0);
    expect(quiet.err()).toContain('records by category: Administrative 22, ManagedIdentitySignInLogs 42, MicrosoftGraphActivityLogs 21, sysmon 1');
    expect(quiet.err()).not.toContain('warning');
  });

  it('--format table: the most severe first, then by time, each Reason whole and wrapped to the terminal width', async () => {
    const dir = folder();
    writeScenario(dir);
    const rowsFile = path.join(folder(), 'rows.ndjson');
    expect(await main(['replay', dir, '--out', rowsFile], testIo().io)).toBe(0);
    const rows = readFileSync(rowsFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { Severity: string; EventTime: string; Reason: string });
    expect(new Set(rows.map((r) => r.Severity))).toEqual(new Set(['High', 'Low']));

    const { io, out } = testIo({ tty: true, columns: 80 });
    expect(await main(['replay', dir, '--format', 'table'], io)).toBe(0);
    const lines = out().trimEnd().split('\n');
    expect(lines.every((l) => l.length <= 80)).toBe(true);
    const rowLines = lines.slice(2).filter((l) => !l.startsWith('    '));
    expect(rowLines).toHaveLength(rows.length);
    const severities = rowLines.map((l) => l.split(/\s+/)[0]);
    expect(severities).toEqual([...severities].sort((a, b) => ['High', 'Medium', 'Low'].indexOf(a!) - ['High', 'Medium', 'Low'].indexOf(b!)));
    expect(severities[0]).toBe('High');
    const lows = rowLines.filter((l) => l.startsWith('Low')).map((l) => l.slice(4).trim().slice(0, 19));
    expect(lows).toEqual([...lows].sort());
    // Each alert's Reason, put back together from its wrapped lines, is the whole Reason (a word
    // longer than the line is cut across lines, so the comparison ignores white space).
    const reasons: string[] = [];
    for (const line of lines.slice(2)) {
      if (line.startsWith('    ')) reasons[reasons.length - 1] += line.trim();
      else reasons.push('');
    }
    const squeeze = (text: string): string => text.replace(/\s+/g, '');
    expect(reasons.map(squeeze).sort()).toEqual(rows.map((r) => squeeze(r.Reason)).sort());
  });

  it('counts the records the detectors ignore, by kind', async () => {
    const dir = folder();
    const endpointFixture = (name: string): unknown => JSON.parse(readFileSync(path.join(__dirname, '..', 'fixtures', 'endpoint', 'sysmon-flat', name), 'utf8'));
    const servicePrincipal = (n: number): Record<string, unknown> => ({ ...miSignIn(identity(n), at(0, n)), category: 'ServicePrincipalSignInLogs' });
    writeFileSync(path.join(dir, 'a.ndjson'), ndjson([miSignIn(identity(1), at(0)), servicePrincipal(2), servicePrincipal(3)]));
    writeFileSync(path.join(dir, 'b.ndjson'), ndjson([endpointFixture('event12-registry-ignored.json'), endpointFixture('event1-ordinary-process.json')]));
    const { io, err } = testIo();
    expect(await main(['replay', dir], io)).toBe(0);
    expect(err()).toMatch(/^records ignored by kind: sign-in\.service-principal 2, sysmon\.event-12 1$/m);
  });

  it('reads standard input (NDJSON, or one JSON document) and gzipped files; a damaged gzip is a reject', async () => {
    const days = scenarioRecords(0, 3);
    let run = testIo({ stdin: ndjson(days.flat()) });
    expect(await main(['replay', '-'], run.io)).toBe(0);
    expect(run.err()).toContain('files 1, records 12,');

    run = testIo({ stdin: JSON.stringify({ records: days[0] }, null, 2) });
    expect(await main(['replay', '-'], run.io)).toBe(0);
    expect(run.err()).toContain('files 1, records 4,');
    expect(run.err()).toContain('rejects by reason: none');

    const dir = folder();
    const text = ndjson(days.flat());
    writeFileSync(path.join(dir, 'a.ndjson.gz'), gzipSync(text));
    writeFileSync(path.join(dir, 'b.json.gz'), gzipSync(JSON.stringify({ records: days[2] })));
    run = testIo();
    expect(await main(['replay', dir], run.io)).toBe(0);
    expect(run.err()).toContain('files 2, records 16,');

    const damaged = folder();
    const whole = gzipSync(text);
    writeFileSync(path.join(damaged, 'c.ndjson.gz'), whole.subarray(0, whole.length - 12));
    run = testIo();
    expect(await main(['replay', damaged], run.io)).toBe(0);
    expect(run.err()).toMatch(/rejects by reason: file\.damaged-gzip 1/);

    // Bytes after the gzip data (a shipper's trailer): the records before them are read, but for
    // those in the last 64 compressed bytes before the damage (zlib drops what the failing write gave).
    const trailed = folder();
    const many = ndjson(Array.from({ length: 40 }, (_, i) => days.flat()[i % days.flat().length]!));
    writeFileSync(path.join(trailed, 'd.ndjson.gz'), Buffer.concat([gzipSync(many), Buffer.from('garbage\n')]));
    run = testIo();
    expect(await main(['replay', trailed], run.io)).toBe(0);
    expect(run.err()).toMatch(/rejects by reason: file\.damaged-gzip 1/);
    const read = Number(/files 1, records (\d+),/.exec(run.err())?.[1]);
    expect(read).toBeGreaterThanOrEqual(36);
  });

  it('on a terminal, a progress line rewritten in place and cleared before the summary; elsewhere plain lines', async () => {
    const dir = folder();
    writeScenario(dir);
    const rows = path.join(folder(), 'rows.ndjson');
    // The clock starts after the scenario's days (a replay rejects records dated after it started).
    const start = Date.UTC(2030, 0, 1);
    let clock = start;
    // Each look at the clock is a second later: a long replay.
    const tty = testIo({ tty: true, now: () => (clock += 1000) });
    expect(await main(['replay', dir, '--out', rows], tty.io)).toBe(0);
    const progress = tty.err().split('\r\x1b[K').filter((s) => s.startsWith('replay: '));
    expect(progress.length).toBeGreaterThan(3);
    expect(progress.every((p) => /^replay: [\d,]+ records \([\d,]+\/s\), files \d+ of 20, \d+\.\d %, ETA \d+:\d\d:\d\d$/.test(p))).toBe(true);
    expect(progress.at(-1)).toMatch(/files 20 of 20, 100\.0 %, ETA 0:00:00$/);
    expect(tty.err()).toMatch(/\r\x1b\[Kfiles 20, records 81,/);
    expect(tty.err()).toContain('rejects by reason: none');

    clock = start;
    const plain = testIo({ tty: false, now: () => (clock += 4000) });
    expect(await main(['replay', dir, '--out', rows], plain.io)).toBe(0);
    expect(plain.err()).not.toContain('\r');
    expect(plain.err()).toMatch(/^replay: [\d,]+ records .*files \d+ of 20/m);
  });
});
