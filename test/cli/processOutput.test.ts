import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The built command line as a process (npm test builds first): what the process does when its own
 * output streams fail, which main() with a test io cannot show.
 */
const CLI = path.join(__dirname, '..', '..', 'dist', 'src', 'cli', 'tokenwatch.js');
const FIXTURE = path.join(__dirname, '..', 'fixtures', 'endpoint', 'ecs', 'process-curl-gcp-token.json');
const KEY_VAULT_FIXTURE = path.join(__dirname, '..', 'fixtures', 'audit', 'keyvault', 'secretget-user-assigned-mi.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'tw-cli-process-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(args: readonly string[], stdout: number | 'pipe', closeStderr = false, stdin: number | 'ignore' = 'ignore', nodeFlags: readonly string[] = []): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeFlags, CLI, ...args], { stdio: [stdin, stdout, 'pipe'] });
    let stderr = '';
    if (closeStderr) child.stderr!.destroy();
    else child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('tokenwatch as a process: its own output failing', () => {
  it.runIf(existsSync('/dev/full'))('a full disk under standard output is one line and exit 1, not a stack trace', async () => {
    const full = openSync('/dev/full', 'w');
    try {
      const { code, stderr } = await run(['replay', FIXTURE], full);
      expect(code).toBe(1);
      expect(stderr).toContain('tokenwatch: writing to standard output failed (no space left on the device)');
      expect(stderr).not.toMatch(/^\s+at /m);
    } finally {
      closeSync(full);
    }
  }, 60_000);

  it.runIf(existsSync('/dev/full'))('a full disk under --out or --rejects: one line naming the file, exit 1', async () => {
    const garbage = path.join(scratch, 'garbage.ndjson');
    writeFileSync(garbage, 'not json\n');
    for (const [args, flag] of [
      [['replay', FIXTURE, '--out', '/dev/full'], '--out'],
      [['replay', FIXTURE, '--out', '/dev/full', '--format', 'table'], '--out'],
      [['replay', garbage, '--rejects', '/dev/full'], '--rejects'],
    ] as const) {
      const { code, stderr } = await run(args, 'pipe');
      expect(code).toBe(1);
      expect(stderr).toContain(`tokenwatch replay: ${flag} /dev/full: writing it failed (no space left on the device)`);
      expect(stderr).not.toContain('--debug');
    }
  }, 60_000);

  it('standard input redirected from the --out file is refused before that file is emptied', async () => {
    const input = path.join(scratch, 'in.json');
    writeFileSync(input, readFileSync(FIXTURE));
    const fd = openSync(input, 'r');
    try {
      const { code, stderr } = await run(['replay', '-', '--out', input], 'pipe', false, fd);
      expect(code).toBe(1);
      expect(stderr).toContain(`--out ${input} is also an input of this run (standard input)`);
      expect(readFileSync(input, 'utf8')).toBe(readFileSync(FIXTURE, 'utf8'));
    } finally {
      closeSync(fd);
    }
  }, 60_000);

  it('a closed standard error does not end the run before its alerts are written', async () => {
    const out = path.join(scratch, 'alerts.ndjson');
    const { code } = await run(['replay', FIXTURE, '--out', out], 'pipe', true);
    expect(code).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(1);
  }, 60_000);

  it('a file too large for the heap as one invocation: one line naming it and --batch-size, exit 1, not V8\'s out-of-memory abort; with --batch-size it replays', async () => {
    // 40,000 Key Vault reads (about 60 MB of NDJSON) under a 96 MB heap: read as one invocation
    // they fill 40 % of it (where the replay stops) well before the end of the file.
    const record = (JSON.parse(readFileSync(KEY_VAULT_FIXTURE, 'utf8')) as { records: Record<string, unknown>[] }).records[0]!;
    const big = path.join(scratch, 'big.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 40_000; i++) lines.push(JSON.stringify({ ...record, correlationId: `5d7e0f7a-0000-4000-8000-${String(i).padStart(12, '0')}` }));
    writeFileSync(big, `${lines.join('\n')}\n`);
    const heap = ['--max-old-space-size=96'];
    const whole = await run(['replay', big, '--out', path.join(scratch, 'whole.ndjson')], 'pipe', false, 'ignore', heap);
    expect(whole.code).toBe(1);
    expect(whole.stderr).toContain(`tokenwatch replay: ${big} is too large to replay as one invocation:`);
    expect(whole.stderr).not.toContain('FATAL ERROR');
    expect(whole.stderr.trim().split('\n')).toHaveLength(1);
    // The advice is half of what filled the heap: following it replays the file.
    const held = Number(/: ([\d,]+) of its records fill/.exec(whole.stderr)![1]!.replace(/,/g, ''));
    const suggested = Number(/--batch-size (\d+)/.exec(whole.stderr)![1]);
    expect(suggested).toBeGreaterThan(0);
    expect(suggested).toBeLessThanOrEqual(held / 2);
    const batched = await run(['replay', big, '--batch-size', String(suggested), '--out', path.join(scratch, 'batched.ndjson')], 'pipe', false, 'ignore', heap);
    expect(batched.stderr).toContain('records 40000');
    expect(batched.code).toBe(0);
  }, 120_000);

  it('a few large records fill the heap as many small ones do: one line, not V8\'s abort', async () => {
    // 40 lines of about 1 MB, each an object of 40,000 small keys: a few MB of objects each once
    // parsed, under a 96 MB heap, and far fewer lines than the 1,024 records between record counts.
    const heavy = path.join(scratch, 'heavy.ndjson');
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 40_000 }, (_, k) => [`k${k}`, k])));
    writeFileSync(heavy, `${Array.from({ length: 40 }, () => wide).join('\n')}\n`);
    const { code, stderr } = await run(['replay', heavy, '--batch-size', '1000'], 'pipe', false, 'ignore', ['--max-old-space-size=96']);
    expect(code).toBe(1);
    expect(stderr).not.toContain('FATAL ERROR');
    expect(stderr).toMatch(/tokenwatch replay: the replay's state and an invocation of \d+ records \(reading .*heavy\.ndjson\) fill 40 % of the \d+ MB heap: use a smaller --batch-size/);
  }, 120_000);
});

describe('tokenwatch as a process: ended by a signal', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGHUP', 129],
    ['SIGINT', 130],
  ] as const)('%s ends the demo with exit %i, removes its scratch folder and stops the Azurite it started', async (signal, expected) => {
    // On Azurite the demo waits on I/O, where a signal is handled; a run that never yields (the
    // memory store) takes it when it next does, or ends first.
    const temporary = mkdtempSync(path.join(scratch, 'signal-'));
    const child = spawn(process.execPath, [CLI, 'demo'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TMPDIR: temporary } });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      // Signalled once the demo has made its scratch folder and started writing into it.
      const poll = setInterval(() => {
        if (readdirSync(temporary).some((name) => name.startsWith('tokenwatch-demo-'))) {
          clearInterval(poll);
          child.kill(signal);
        }
      }, 20);
      child.on('close', (exit) => {
        clearInterval(poll);
        resolve(exit);
      });
    });
    expect(code).toBe(expected);
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(readdirSync(temporary)).toEqual([]);
    // The emulator the demo started is not left behind (it is sent SIGTERM as the run exits: give it a moment).
    for (let waited = 0; orphanedAzurites(temporary).length > 0 && waited < 5_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
    expect(orphanedAzurites(temporary)).toEqual([]);
  }, 60_000);
});

/** Azurite processes whose environment names `temporary` as TMPDIR (inherited from the run that started them). */
function orphanedAzurites(temporary: string): string[] {
  if (!existsSync('/proc')) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!commandLine.includes('azurite')) continue;
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TMPDIR=${temporary}`)) found.push(pid);
    } catch {
      // Gone meanwhile, or not ours to read.
    }
  }
  return found;
}
