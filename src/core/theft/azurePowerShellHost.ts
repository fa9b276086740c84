/**
 * PowerShell as Azure PowerShell's host. The Az modules run inside pwsh and powershell.exe: every
 * cmdlet reads the signed-in user's context (`~/.Azure/AzureRmContext.json`) and MSAL cache
 * (`~/.IdentityService/msal.cache`, `%LOCALAPPDATA%\.IdentityService\msal.cache`) from the
 * PowerShell process itself. A sensor that records reads (auditd, Elastic's file opens) then shows
 * a shell reading a token cache, High for every Azure PowerShell session on the host.
 *
 * Such a read is judged as any program's read of a cache (the first on a host Medium, then a known
 * caller), not as a shell's, when the file is one of Azure PowerShell's own in the home of the
 * account PowerShell runs as, PowerShell runs from a system folder with no code on its command
 * line (`-Command`, `-EncodedCommand`) nor a script from a temporary folder, and its command line
 * names no token file. Another account's cache, a command line that names the file and code
 * passed inline stay a shell's: High. What stays unseen is `Get-Content` of one's own context
 * typed at a prompt, which reads what Az itself reads there.
 */
import type { EndpointEvent } from '../records/endpoint/endpointEvent';
import { isPowerShellImage, isTemporaryLocation, powerShellLaunch, scriptKeyOf, type CallerProfile } from './callerProfile';
import { tokenFilesInCommandLine } from './commandLineTokenFiles';
import { isInUserHome } from './theftAllowlist';
import { isReadAction, ownsCacheHome } from './tokenFiles';

/** Azure PowerShell's own files: its MSAL cache and its context (`AzureRmContext.json`, `AzureRmContextSettings.json`). */
const AZURE_POWERSHELL_FILE = /(?:\/\.identityservice\/(?:[^/]+\/)*[^/]*msal[^/]*\.cache(?:\.(?:cae|nocae))?|\/\.azure\/azurermcontext(?:settings)?\.json)$/;

/**
 * The caller of a file event as Azure PowerShell's host (see above) when it is one, with its own
 * description for the alert; else the caller as profiled.
 */
export function asAzurePowerShellHost(event: EndpointEvent, caller: CallerProfile): CallerProfile {
  if (caller.category !== 'shell' || !isPowerShellImage(caller.image) || event.kind !== 'file' || event.file === null) return caller;
  if (!isReadAction(event.file.action) || !AZURE_POWERSHELL_FILE.test(event.file.pathKey)) return caller;
  const { pathKey, commandLine, workingDirectory } = event.process;
  if (pathKey === '' || isTemporaryLocation(pathKey) || isInUserHome(pathKey)) return caller;
  const launch = powerShellLaunch(commandLine);
  if (launch.inline || (launch.script !== '' && isTemporaryLocation(scriptKeyOf(launch.script, workingDirectory)))) return caller;
  if (ownsCacheHome(event.file.pathKey, event.account) !== true) return caller;
  if (tokenFilesInCommandLine(commandLine, workingDirectory).length > 0) return caller;
  return { ...caller, tier: 'other', category: 'other', description: "PowerShell reading its account's own Azure PowerShell context or MSAL cache" };
}
