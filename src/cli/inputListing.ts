/**
 * Which files a replay reads: the files, folders and `-` its command line names, expanded into input
 * files (listInputs), each file or folder once, and checked against the files the run writes. How
 * each file is read is inputFiles.ts.
 */
import { accessSync, constants as fsConstants, fstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { appendAll } from '../core/arrays';
import { inArchiveOrder } from './archiveOrder';
import { CommandFailure } from './cliErrors';
import { isSymbolicLink, unreadableReason } from '../adapters/unreadableFile';

const INPUT_EXTENSIONS = new Set(['.json', '.ndjson', '.jsonl', '.log', '.csv']);

/** The input name that means standard input. */
export const STDIN = '-';

/** An input to read: a file (its size, for progress) or standard input (size unknown). */
export interface InputFile {
  readonly path: string;
  readonly bytes: number | undefined;
}

/** A folder entry that was not read, and why (a dangling symbolic link, no permission). */
export interface SkippedEntry {
  readonly path: string;
  readonly reason: string;
}

/** Whether a folder walk reads this file: a log extension, gzipped or not (`x.ndjson.gz`). */
export function isInputFileName(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return INPUT_EXTENSIONS.has(ext) || (ext === '.gz' && INPUT_EXTENSIONS.has(path.extname(name.slice(0, -3)).toLowerCase()));
}

export const INPUT_FILE_KINDS = '.json, .ndjson, .jsonl, .log or .csv, each optionally .gz';

/**
 * Expands files and folders into input files: a folder is walked recursively in name order and
 * gives the files with a log extension, the blobs of a downloaded storage-account archive ordered
 * by the hour in their path (archiveOrder.ts); a file named on the command line is read whatever its
 * name; `-` is standard input. An entry of a folder that cannot be read (a dangling symbolic link,
 * no permission) is skipped and listed, the rest still read; a named input that does not exist is
 * a failure. A file or folder reached a second time (named twice, a second link to it, a link back
 * up the tree) is read once and the repeat listed: reading it again would repeat its records.
 * `outputs` are the files the run writes (`--out`, `--rejects`): one that is also an input would be
 * emptied before it is read, so that is a failure naming both.
 */
export function listInputs(inputs: readonly string[], outputs: readonly { readonly flag: string; readonly path: string }[] = []): { files: InputFile[]; skipped: SkippedEntry[] } {
  const files: InputFile[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new SeenPaths();
  for (const input of inputs) {
    if (input === STDIN) {
      files.push({ path: STDIN, bytes: undefined });
      continue;
    }
    let stat;
    try {
      stat = statSync(input);
    } catch (error) {
      throw new CommandFailure(`${input}: ${unreadableReason(input, error)}`);
    }
    const first = seen.firstPathOf(input, stat);
    const cannotRead = stat.isDirectory() ? undefined : unreadable(input);
    if (first !== undefined) skipped.push({ path: input, reason: `already read as ${first}` });
    else if (cannotRead !== undefined) throw new CommandFailure(`${input}: ${cannotRead}`);
    else if (stat.isDirectory()) {
      const walked: InputFile[] = [];
      walk(input, walked, skipped, seen);
      appendAll(files, inArchiveOrder(walked));
    } else files.push({ path: input, bytes: stat.size });
  }
  const [first, second] = outputs;
  if (first !== undefined && second !== undefined && (path.resolve(first.path) === path.resolve(second.path) || sameExistingFile(first.path, second.path))) {
    throw new CommandFailure(`${first.flag} and ${second.flag} name the same file (${first.path}): alerts and rejects would be written over each other`);
  }
  // Standard input redirected from a file (`< in.json`) is that file.
  if (inputs.includes(STDIN)) seen.firstPathOf('standard input', standardInputStat());
  for (const output of outputs) {
    let stat;
    try {
      stat = statSync(output.path);
    } catch {
      continue; // not there yet: it cannot be an input
    }
    if (!stat.isFile()) continue; // a folder: opening it for writing fails with its own message
    const input = seen.pathOf(stat);
    if (input !== undefined) throw new CommandFailure(`${output.flag} ${output.path} is also an input of this run (${input}): it would be emptied before it is read; write it elsewhere`);
  }
  return { files, skipped };
}

/** Two names of one existing file (a symbolic or hard link): the same device and inode. */
function sameExistingFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.isFile() && x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one is not there yet: two names that differ are two files
  }
}

/**
 * The files and folders a listing has reached, by device and inode: the same file under two names
 * (a second link, a link back up the tree) is one. Where the file system reports no inode (0), paths
 * are not compared and every name is read.
 */
class SeenPaths {
  private readonly firstPaths = new Map<string, string>();

  /** The path an input reached this file or folder by; undefined when none did (nothing is remembered). */
  pathOf(stat: { readonly dev: number; readonly ino: number }): string | undefined {
    return stat.ino === 0 ? undefined : this.firstPaths.get(`${stat.dev}:${stat.ino}`);
  }

  /** The path this file or folder was first reached by; undefined the first time (it is remembered). */
  firstPathOf(file: string, stat: { readonly dev: number; readonly ino: number }): string | undefined {
    const first = this.pathOf(stat);
    if (first === undefined && stat.ino !== 0) this.firstPaths.set(`${stat.dev}:${stat.ino}`, file);
    return first;
  }
}

/** The paths listInputs gives (see there). */
export function listInputFiles(inputs: readonly string[]): string[] {
  return listInputs(inputs).files.map((f) => f.path);
}

function walk(folder: string, files: InputFile[], skipped: SkippedEntry[], seen: SeenPaths): void {
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (error) {
    skipped.push({ path: folder, reason: unreadableReason(folder, error) });
    return;
  }
  for (const name of names) {
    const entry = path.join(folder, name);
    let stat;
    try {
      stat = statSync(entry);
    } catch (error) {
      // Only a would-be input is worth a warning: a dangling link named notes.txt is not.
      if (isInputFileName(name) || isSymbolicLink(entry)) skipped.push({ path: entry, reason: unreadableReason(entry, error) });
      continue;
    }
    if (!stat.isDirectory() && !stat.isFile() && isInputFileName(name)) {
      // A walk reads files only: a pipe or device would block it or never end. Said, not hidden.
      skipped.push({ path: entry, reason: `${specialKindOf(stat)}, not a file: name it on the command line to read it` });
      continue;
    }
    if (!stat.isDirectory() && !(stat.isFile() && isInputFileName(name))) continue;
    const first = seen.firstPathOf(entry, stat);
    const cannotRead = stat.isFile() ? unreadable(entry) : undefined;
    if (first !== undefined) skipped.push({ path: entry, reason: `already read as ${first}` });
    else if (cannotRead !== undefined) skipped.push({ path: entry, reason: cannotRead });
    else if (stat.isDirectory()) walk(entry, files, skipped, seen);
    else files.push({ path: entry, bytes: stat.size });
  }
}

/** What a folder entry that is neither a file nor a folder is, in words. */
function specialKindOf(stat: Stats): string {
  if (stat.isFIFO()) return 'a named pipe';
  if (stat.isSocket()) return 'a socket';
  return 'a device';
}

/** What standard input is, for SeenPaths: a redirected file has its device and inode, a pipe or terminal none to match. */
function standardInputStat(): { readonly dev: number; readonly ino: number } {
  try {
    const stat = fstatSync(0);
    return stat.isFile() ? stat : { dev: 0, ino: 0 };
  } catch {
    return { dev: 0, ino: 0 };
  }
}

/** Why a file cannot be opened for reading (no permission); undefined when it can. Checked before any record is read, so one such file in a folder is skipped and listed instead of ending the run halfway. */
function unreadable(file: string): string | undefined {
  try {
    accessSync(file, fsConstants.R_OK);
    return undefined;
  } catch (error) {
    return unreadableReason(file, error);
  }
}
