/**
 * A file a command writes (`--out`, `--rejects`): opened before any work starts, so a path that
 * cannot be written is a one-line failure naming the flag instead of an error after the run (or
 * a stack trace from a stream), then written line by line through a small buffer.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { CommandFailure } from './cliErrors';

/** Creates or empties the file; a failure names the flag and the reason. */
export function openOutputFile(flag: string, file: string): number {
  try {
    return openSync(file, 'w');
  } catch (error) {
    throw new CommandFailure(`${flag} ${file}: cannot write it (${reasonOf(error)})`);
  }
}

/** A failed write to a file a flag names (a full disk): one line naming the flag, the file and the reason. */
export function writeFailure(flag: string, file: string, error: unknown): CommandFailure {
  return new CommandFailure(`${flag ? `${flag} ` : ''}${file}: writing it failed (${writeReason(error)})`);
}

/** Why a write failed, for a message: a full disk in words, another system error by its code. */
export function writeReason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOSPC' ? 'no space left on the device' : typeof code === 'string' ? code : reasonOf(error);
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'EROFS') return 'read-only file system';
  return error instanceof Error ? error.message.split('\n', 1)[0]! : String(error);
}

/** 64 KiB: lines are gathered up to this much before a write. */
const FLUSH_CHARS = 64 * 1024;

/** Lines to an open file, buffered; close() flushes and closes. */
export class LineFile {
  private buffer: string[] = [];
  private chars = 0;

  constructor(
    private readonly fd: number,
    readonly path: string,
    private readonly flag = '',
  ) {}

  static open(flag: string, file: string): LineFile {
    return new LineFile(openOutputFile(flag, file), file, flag);
  }

  writeLine(line: string): void {
    this.buffer.push(line, '\n');
    this.chars += line.length + 1;
    if (this.chars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    try {
      writeSync(this.fd, this.buffer.join(''));
    } catch (error) {
      throw writeFailure(this.flag, this.path, error);
    }
    this.buffer = [];
    this.chars = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}
