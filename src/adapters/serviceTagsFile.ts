import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { jsonSyntaxError } from '../core/jsonSyntaxError';
import { parseAzureCloudRanges, ServiceTagsFormatError, type AzureCloudRanges, type DatedServiceTags } from '../core/network/serviceTags';
import { unreadableReason } from './unreadableFile';

/**
 * Reads a ServiceTags_Public_YYYYMMDD.json download (or a saved ARM "Service Tags – List"
 * response) and returns its AzureCloud ranges and regions. Called once at start-up; every error
 * names the file, so a bad setting fails the cold start with a message an operator can act on.
 * This is the offline alternative to the stored copy the serviceTagsRefresh timer keeps.
 */
export function loadServiceTagsFile(file: string): AzureCloudRanges {
  let text: string;
  try {
    // A regular file of a sane size: /dev/zero or a FIFO would be read for ever (ServiceTags_Public is about 4 MB).
    const stats = statSync(file);
    if (!stats.isFile()) throw new ServiceTagsFormatError(`service tags file ${file} is not a regular file`);
    if (stats.size > MAX_SERVICE_TAGS_BYTES) throw new ServiceTagsFormatError(`service tags file ${file} is ${stats.size} bytes; a ServiceTags_Public download is a few MB (at most ${MAX_SERVICE_TAGS_BYTES} are read)`);
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ServiceTagsFormatError) throw error;
    throw new ServiceTagsFormatError(`cannot read service tags file ${file}: ${unreadableReason(file, error)}`);
  }
  let document: unknown;
  try {
    // Files saved by Windows tools may start with a byte-order mark, which JSON.parse rejects.
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ServiceTagsFormatError(`service tags file ${file} is not JSON: ${jsonSyntaxError(error)}`);
  }
  try {
    return parseAzureCloudRanges(document);
  } catch (error) {
    if (error instanceof ServiceTagsFormatError) throw new ServiceTagsFormatError(`service tags file ${file}: ${error.message}`);
    throw error;
  }
}

/** 64 MiB: sixteen times the size of today's ServiceTags_Public download. */
const MAX_SERVICE_TAGS_BYTES = 64 * 1024 * 1024;

/**
 * The file's tags with their retrieval time: the date in the file name when it has one
 * (`ServiceTags_Public_20251028.json` → 2025-10-28T00:00Z, the publication date Microsoft puts
 * there), else the file's modification time (when someone saved it). The age drives the staleness
 * warning, so a file copied around (new mtime) but named by its date keeps its true age.
 */
export function loadDatedServiceTagsFile(file: string): DatedServiceTags {
  const tags = loadServiceTagsFile(file);
  return { tags, retrievedAtMs: retrievedAtFromFileName(file) ?? modifiedAtMs(file) };
}

/** Epoch ms of the first `YYYYMMDD` (a real calendar date, 2000-2099) in the file's base name, at UTC midnight; else null. */
export function retrievedAtFromFileName(file: string): number | null {
  for (const match of basename(file).matchAll(/(?<![0-9])(20[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])/g)) {
    const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const ms = Date.UTC(year, month - 1, day);
    const date = new Date(ms);
    // Date.UTC rolls 20250231 over into March; only a date that survives the round trip is one.
    if (date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day) return ms;
  }
  return null;
}

function modifiedAtMs(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
