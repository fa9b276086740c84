import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * Starts an Azurite service (the table service by default, or the blob service) from this
 * project's node_modules on a free loopback port, in memory. Used by `npm start` (the demo) and by
 * the test suite; nothing has to be installed by hand.
 */
export interface RunningAzurite {
  /** The service's endpoint (`http://127.0.0.1:<port>/devstoreaccount1`), table or blob. */
  readonly tableEndpoint: string;
  readonly connectionString: string;
  stop(): Promise<void>;
}

/** Azurite's well-known development account (public, documented; not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export type AzuriteService = 'table' | 'blob';

export function azuriteConnectionString(endpoint: string, service: AzuriteService = 'table'): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};${service === 'table' ? 'TableEndpoint' : 'BlobEndpoint'}=${endpoint};`;
}

export async function startAzurite(options: { readonly startTimeoutMs?: number; readonly service?: AzuriteService } = {}): Promise<RunningAzurite> {
  const service = options.service ?? 'table';
  const mainScript = require.resolve(`azurite/dist/src/${service}/main.js`, { paths: [process.cwd(), path.join(__dirname, '..', '..')] });
  // The blob service keeps blob contents in memory too: a small cap, these are test and demo runs.
  const serviceFlags = service === 'table' ? ['--tableHost', '127.0.0.1', '--tablePort'] : ['--extentMemoryLimit', '64', '--blobHost', '127.0.0.1', '--blobPort'];
  // Azurite cannot report the port it picked for --tablePort 0, so pick one here; retry on the rare race.
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      const child = spawn(process.execPath, [
        mainScript,
        '--inMemoryPersistence',
        '--disableTelemetry',
        '--skipApiVersionCheck',
        '--loose',
        // Its access log (a line per request) is read by no one: formatting and piping it cost both processes CPU.
        '--silent',
        ...serviceFlags,
        String(port),
      ], { stdio: ['ignore', 'pipe', 'pipe'] });
      // Never outlive this process (an exit without stop(): Ctrl-C, a failed write): an orphaned
      // emulator keeps its port and its memory.
      const killChild = (): void => void child.kill('SIGTERM');
      process.once('exit', killChild);
      child.once('exit', () => process.off('exit', killChild));
      await waitForStart(child, options.startTimeoutMs ?? 20_000);
      const tableEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
      return {
        tableEndpoint,
        connectionString: azuriteConnectionString(tableEndpoint, service),
        stop: () => stopChild(child),
      };
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function waitForStart(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`azurite: not started within ${timeoutMs} ms: ${output.slice(-500)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      // The table service says "successfully started", the blob service "successfully listens on".
      if (/successfully (listens|started)/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite: exited with code ${code ?? 'null'} before starting: ${output.slice(-500)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
