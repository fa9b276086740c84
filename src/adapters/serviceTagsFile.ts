import { readFileSync } from 'node:fs';
import { parseAzureCloudRanges, ServiceTagsFormatError, type AzureCloudRanges } from '../core/network/serviceTags';

/**
 * Reads a ServiceTags_Public_YYYYMMDD.json download (or a saved ARM "Service Tags – List"
 * response) and returns its AzureCloud ranges. Called once at start-up; every error names the
 * file, so a bad setting fails the cold start with a message an operator can act on.
 */
export function loadServiceTagsFile(file: string): AzureCloudRanges {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ServiceTagsFormatError(`cannot read service tags file ${file}: ${messageOf(error)}`);
  }
  let document: unknown;
  try {
    // Files saved by Windows tools may start with a byte-order mark, which JSON.parse rejects.
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ServiceTagsFormatError(`service tags file ${file} is not JSON: ${messageOf(error)}`);
  }
  try {
    return parseAzureCloudRanges(document);
  } catch (error) {
    if (error instanceof ServiceTagsFormatError) throw new ServiceTagsFormatError(`service tags file ${file}: ${error.message}`);
    throw error;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
