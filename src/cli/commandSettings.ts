/**
 * The remote-use settings a command builds from its flags (`replay`, `backfill`): the operator's
 * allowlist file and the service-tags file, read and checked once, with errors naming the flag.
 */
import { readFileSync } from 'node:fs';
import { jsonSyntaxError } from '../core/jsonSyntaxError';
import { loadAsnData } from '../adapters/asnData';
import { loadDatedServiceTagsFile } from '../adapters/serviceTagsFile';
import { ServiceTagsFormatError } from '../core/network/serviceTags';
import { classifierForServiceTags } from '../app/ipClassifier';
import { parseRemoteUseAllowlist } from '../core/remoteUse/allowlist';
import { defaultRemoteUseSettings, NO_ALLOWLIST, type RemoteUseSettings, type UsualExternalMode } from '../core/remoteUse/settings';
import { CommandFailure } from './cliErrors';
import { unreadableReason } from '../adapters/unreadableFile';

export function remoteUseSettingsFromFiles(files: {
  readonly allowlistFile?: string | undefined;
  readonly serviceTagsFile?: string | undefined;
  readonly usualExternal?: UsualExternalMode | undefined;
}): RemoteUseSettings {
  let allowlist = NO_ALLOWLIST;
  if (files.allowlistFile) {
    const parsed = parseRemoteUseAllowlist(readJson('--allowlist', files.allowlistFile));
    if (!parsed.ok) throw new CommandFailure(`--allowlist ${files.allowlistFile}: ${parsed.errors.join('; ')}`);
    allowlist = parsed.value;
  }
  // --service-tags: the AzureCloud ranges and regions, dated by the YYYYMMDD in the file name (else its mtime).
  const tags = classifierForServiceTags(loadAsnData(), files.serviceTagsFile ? serviceTagsOf(files.serviceTagsFile) : undefined);
  return defaultRemoteUseSettings(tags.classifyIp, { allowlist, serviceTags: tags.serviceTags, usualExternal: files.usualExternal ?? 'alert' });
}

function serviceTagsOf(file: string): ReturnType<typeof loadDatedServiceTagsFile> {
  try {
    return loadDatedServiceTagsFile(file);
  } catch (error) {
    if (error instanceof ServiceTagsFormatError) throw new CommandFailure(`--service-tags: ${(error as Error).message}`);
    throw error;
  }
}

/** A settings file a flag names, as JSON: a file that cannot be read and text that is not JSON are failures naming the flag. */
export function readJson(flag: string, file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CommandFailure(`${flag} ${file}: cannot read it (${unreadableReason(file, error)})`);
  }
  try {
    // A byte-order mark (Notepad, PowerShell's UTF8 encoding) is no part of the JSON.
    return JSON.parse(text.replace(/^\ufeff/, '')) as unknown;
  } catch (error) {
    throw new CommandFailure(`${flag} ${file}: not JSON (${jsonSyntaxError(error)})`);
  }
}
