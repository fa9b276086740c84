import { describe, expect, it } from 'vitest';
import { commandLineUrls, decodedPowerShell } from '../../../src/core/theft/commandLineUrls';

const utf16 = (text: string): string => Buffer.from(text, 'utf16le').toString('base64');

describe('commandLineUrls', () => {
  it.each([
    ['curl -s -H Metadata:true "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"', 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01', ''],
    ['wget -qO- --header="Metadata: true" 169.254.169.254/metadata/identity/oauth2/token?resource=x', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    ["Invoke-RestMethod -Headers @{Metadata='true'} -Uri http://169.254.169.254/metadata/instance?api-version=2021-02-01", 'http://169.254.169.254/metadata/instance?api-version=2021-02-01', ''],
    ["iwr -UseBasicParsing -Method Put -Uri 'http://[fd00:ec2::254]/latest/api/token'", 'http://[fd00:ec2::254]/latest/api/token', 'PUT'],
    ['Invoke-WebRequest -Uri:http://0xa9fea9fe/latest/meta-data/iam/security-credentials/', 'http://0xa9fea9fe/latest/meta-data/iam/security-credentials/', ''],
    ["python3 -c \"import requests;print(requests.get('http://2852039166/metadata/identity/oauth2/token').text)\"", 'http://2852039166/metadata/identity/oauth2/token', 'GET'],
    ['curl -X PUT http://169.254.169.254/latest/api/token -H "X-aws-ec2-metadata-token-ttl-seconds: 21600"', 'http://169.254.169.254/latest/api/token', 'PUT'],
    ['curl --url=http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token.', 'http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', ''],
    // regsvr32's `/i:<url>` (Squiblydoo).
    ['regsvr32 /s /n /u /i:http://169.254.169.254/metadata/identity/oauth2/token?resource=x scrobj.dll', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    // cmd's caret and PowerShell's backtick escapes are dropped by the shell before the URL is used.
    ['cmd /c c^u^r^l -H Metadata:true "http://169.254.169.254/meta^data/ident^ity/oauth2/token?resource=x"', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    ['powershell -c "i`wr -H @{Metadata=\'true\'} http://169.254.169.254/meta`data/identity/oauth2/token?resource=x"', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    // An empty pair of quotes splitting the URL.
    ['cmd /c curl -H Metadata:true "http://169.254.169.254/metadata/""identity/oauth2/token?resource=x"', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    // bash's /dev/tcp socket with the request line written to it.
    ["bash -c \"exec 3<>/dev/tcp/169.254.169.254/80; printf 'GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=x HTTP/1.1\\r\\nHost: 169.254.169.254\\r\\nMetadata: true\\r\\n\\r\\n' >&3; cat <&3\"", 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x', 'GET'],
    ['bash -c "exec 5<>/dev/tcp/169.254.170.2/80; echo -e \\"GET /v2/credentials/abc HTTP/1.0\\r\\n\\" >&5"', 'http://169.254.170.2/v2/credentials/abc', 'GET'],
    // `\"`: a quote inside PowerShell's quoted -Command.
    ['powershell -Command "iwr -Headers @{Metadata=\'true\'} \\"http://169.254.169.254/metadata/identity/oauth2/token\\""', 'http://169.254.169.254/metadata/identity/oauth2/token', ''],
    // AWS's metadata host name, without a scheme.
    ['wget -qO- instance-data/latest/meta-data/iam/security-credentials/', 'http://instance-data/latest/meta-data/iam/security-credentials/', ''],
    // curl sends the request for one host to another address: the URL is read as it reaches that address.
    ['curl -s --resolve cdn.example:80:169.254.169.254 -H Metadata:true "http://cdn.example/metadata/identity/oauth2/token?resource=x"', 'http://169.254.169.254/metadata/identity/oauth2/token?resource=x', ''],
    ["curl -X PUT --resolve 'a.example:443:[fd00:ec2::254]' https://a.example/latest/api/token", 'https://[fd00:ec2::254]/latest/api/token', 'PUT'],
    ['curl --connect-to ::169.254.169.254: http://updates.example/latest/meta-data/iam/security-credentials/', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/', ''],
    ['curl --connect-to updates.example:8080:169.254.169.254:80 http://updates.example:8080/metadata/identity/oauth2/token', 'http://169.254.169.254:80/metadata/identity/oauth2/token', ''],
    // Another port than the URL's: curl does not use the override.
    ['curl --resolve cdn.example:443:169.254.169.254 http://cdn.example/metadata/identity/oauth2/token', 'http://cdn.example/metadata/identity/oauth2/token', ''],
  ])('%s', (commandLine, url, method) => {
    expect(commandLineUrls(commandLine)).toContainEqual({ url, method, decoded: false });
  });

  it('reads no URL from a /dev/tcp socket without a request line (network telemetry judges the connection)', () => {
    expect(commandLineUrls('bash -c "exec 3<>/dev/tcp/169.254.169.254/80; cat <&3"')).toEqual([]);
  });

  it('finds nothing in a command line without URLs', () => {
    expect(commandLineUrls('ls -la /var/log 2>/dev/null; echo 1.5')).toEqual([]);
  });

  it('decodes a PowerShell -EncodedCommand (any prefix of the switch) and marks the URL as decoded', () => {
    const script = "Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://vault.azure.net'";
    for (const flag of ['-e', '-ec', '-enc', '-EncodedCommand', '/enc']) {
      expect(commandLineUrls(`powershell.exe -NoP ${flag} ${utf16(script)}`)).toContainEqual({
        url: 'http://169.254.169.254/metadata/identity/oauth2/token?resource=https://vault.azure.net',
        method: '',
        decoded: true,
      });
    }
  });

  it('does not decode base64 that is not UTF-16LE text', () => {
    expect(decodedPowerShell(`tool -e ${Buffer.from([0xff, 0xfe, 0x00, 0xd8, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06]).toString('base64')}`)).toBeUndefined();
  });
});
