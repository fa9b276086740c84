import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { AZURITE_ACCOUNT, AZURITE_KEY } from '../../src/adapters/azurite';

/**
 * Azurite's blob service for the tests that need it (the suite's global setup starts only the
 * table service): from this project's node_modules, in memory, on a free loopback port. About a
 * second to start; stop it in afterAll.
 */
export interface RunningAzuriteBlob {
  readonly connectionString: string;
  stop(): Promise<void>;
}

export async function startAzuriteBlob(): Promise<RunningAzuriteBlob> {
  const mainScript = require.resolve('azurite/dist/src/blob/main.js', { paths: [path.join(__dirname, '..', '..')] });
  // Azurite cannot report a port it picked itself, so pick one here; retry on the rare race.
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const child = spawn(process.execPath, [mainScript, '--inMemoryPersistence', '--extentMemoryLimit', '64', '--disableTelemetry', '--skipApiVersionCheck', '--loose', '--blobHost', '127.0.0.1', '--blobPort', String(port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await waitForStart(child, 20_000);
      const endpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
      return {
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${endpoint};`,
        stop: () => stopChild(child),
      };
    } catch (error) {
      await stopChild(child);
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
    const timer = setTimeout(() => reject(new Error(`azurite-blob: not started within ${timeoutMs} ms: ${output.slice(-500)}`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      // The blob service says "successfully listens on http://…" (the table service: "successfully started").
      if (/successfully (listens|started)/.test(output)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        child.stderr?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`azurite-blob: exited with code ${code ?? 'null'} before starting: ${output.slice(-500)}`));
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
