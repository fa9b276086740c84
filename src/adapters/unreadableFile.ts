/**
 * Why a file or folder could not be read, as a phrase for a message an operator acts on ("no such
 * file or folder", "permission denied"), not Node's `ENOENT: no such file or directory, stat '…'`.
 */
import { lstatSync } from 'node:fs';

export function isSymbolicLink(file: string): boolean {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Why a file or folder could not be read, from the error reading it: a phrase for a message. */
export function unreadableReason(file: string, error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return isSymbolicLink(file) ? 'a symbolic link to nothing (its target does not exist)' : 'no such file or folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'a loop of symbolic links';
  if (code === 'EISDIR') return 'it is a folder';
  return error instanceof Error ? error.message : String(error);
}
