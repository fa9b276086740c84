/**
 * What a command reads and writes besides its files: standard output, error and input, the
 * environment and the clock. The process's by default; tests give their own and run `main`
 * in-process.
 */
import type { Readable, Writable } from 'node:stream';
import { DEFAULT_TABLE_WIDTH } from './alertTable';

export type TerminalStream = Writable & { readonly isTTY?: boolean | undefined; readonly columns?: number | undefined };

export interface CliIo {
  readonly stdout: TerminalStream;
  readonly stderr: TerminalStream;
  readonly stdin: Readable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, now: Date.now };
}

/** The width a table on stdout gets: the terminal's, else $COLUMNS, else DEFAULT_TABLE_WIDTH. */
export function tableWidthOf(io: CliIo): number {
  if (io.stdout.isTTY && io.stdout.columns) return io.stdout.columns;
  const columns = Number(io.env['COLUMNS']);
  return Number.isInteger(columns) && columns > 0 ? columns : DEFAULT_TABLE_WIDTH;
}
