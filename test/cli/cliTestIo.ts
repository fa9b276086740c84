import { Readable, Writable } from 'node:stream';
import type { CliIo } from '../../src/cli/cliIo';

/** A CliIo that records stdout and stderr, with the given stdin, terminal-ness and clock. */
export function testIo(options: { stdin?: string | Buffer; tty?: boolean; columns?: number; now?: () => number; env?: Record<string, string> } = {}): {
  io: CliIo;
  out: () => string;
  err: () => string;
} {
  const outChunks: string[] = [];
  const errChunks: string[] = [];
  const stream = (into: string[]) =>
    Object.assign(
      new Writable({
        write(chunk: Buffer | string, _encoding, callback) {
          into.push(String(chunk));
          callback();
        },
      }),
      { isTTY: options.tty ?? false, columns: options.columns },
    );
  const stdin = Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]);
  return {
    io: { stdout: stream(outChunks), stderr: stream(errChunks), stdin, env: options.env ?? {}, now: options.now ?? Date.now },
    out: () => outChunks.join(''),
    err: () => errChunks.join(''),
  };
}
