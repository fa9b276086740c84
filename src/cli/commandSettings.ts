/**
 * The remote-use settings a command builds from its flags (`replay`, `backfill`): the operator's
 * allowlist file and the service-tags file, read and checked once, with errors naming the flag.
 */
import { readFileSync } from 'node:fs';
import { loadAsnData } from '../adapters/asnData';
import { loadDatedServiceTagsFile } from '../adapters/serviceTagsFile';
import { classifierForServiceTags } from '../app/ipClassifier';
import { parseRemoteUseAllowlist } from '../core/remoteUse/allowlist';
import { defaultRemoteUseSettings, NO_ALLOWLIST, type RemoteUseSettings, type UsualExternalMode } from '../core/remoteUse/settings';

export function remoteUseSettingsFromFiles(files: {
  readonly allowlistFile?: string | undefined;
  readonly serviceTagsFile?: string | undefined;
  readonly usualExternal?: UsualExternalMode | undefined;
}): RemoteUseSettings {
  let allowlist = NO_ALLOWLIST;
  if (files.allowlistFile) {
    const parsed = parseRemoteUseAllowlist(readJson(files.allowlistFile));
    if (!parsed.ok) throw new Error(`--allowlist ${files.allowlistFile}: ${parsed.errors.join('; ')}`);
    allowlist = parsed.value;
  }
  // --service-tags: the AzureCloud ranges and regions, dated by the YYYYMMDD in the file name (else its mtime).
  const tags = classifierForServiceTags(loadAsnData(), files.serviceTagsFile ? loadDatedServiceTagsFile(files.serviceTagsFile) : undefined);
  return defaultRemoteUseSettings(tags.classifyIp, { allowlist, serviceTags: tags.serviceTags, usualExternal: files.usualExternal ?? 'alert' });
}

export function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as unknown;
  } catch (error) {
    throw new Error(`${file}: not readable JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}
