import { describe, expect, it } from 'vitest';
import { tokenEndpointOfConnection, tokenEndpointOfUrl, tokenEndpointVariables } from '../../../src/core/theft/tokenEndpoints';

describe('tokenEndpointOfUrl', () => {
  it.each([
    ['http://169.254.169.254/metadata/identity/oauth2/token?resource=x', 'azure-imds', true],
    ['http://169.254.169.254/METADATA/identity/oauth2/token', 'azure-imds', true],
    ['http://169.254.169.254/metadata/instance?api-version=2021-02-01', 'azure-imds', false],
    ['http://0251.0376.0251.0376/latest/meta-data/iam/security-credentials/role', 'aws-imds', true],
    // IMDSv2's session token opens every metadata read: metadata, not a credential.
    ['http://169.254.169.254/latest/api/token', 'aws-imds', false],
    ['http://169.254.169.254/latest/meta-data/hostname', 'aws-imds', false],
    // A dated version is served like latest; the instance identity role's credentials are credentials.
    ['http://169.254.169.254/2021-07-15/meta-data/iam/security-credentials/role', 'aws-imds', true],
    ['http://169.254.169.254/latest/meta-data/identity-credentials/ec2/security-credentials/ec2-instance', 'aws-imds', true],
    ['http://169.254.169.254/2021-07-15/meta-data/hostname', 'aws-imds', false],
    // Clients resolve dot segments before they ask.
    ['http://169.254.169.254/x/../metadata/identity/oauth2/token?resource=x', 'azure-imds', true],
    ['http://169.254.169.254/./metadata/./identity/oauth2/token', 'azure-imds', true],
    ['http://[fd00:ec2::254]/latest/meta-data/iam/security-credentials/', 'aws-imds', true],
    ['http://169.254.170.2/v2/credentials/0b1c2d3e', 'aws-ecs', true],
    ['http://169.254.170.23/v1/credentials', 'aws-eks-pod-identity', true],
    ['http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token', 'gcp-metadata', true],
    ['http://metadata/computeMetadata/v1/instance/service-accounts/default/identity?audience=x', 'gcp-metadata', true],
    ['http://metadata.google.internal/computeMetadata/v1/project/project-id', 'gcp-metadata', false],
    ['http://localhost:40342/metadata/identity/oauth2/token?api-version=2020-06-01', 'azure-arc', true],
    ['http://127.0.0.1:40342/metadata/identity/oauth2/token', 'azure-arc', true],
    ['http://127.0.0.1:41741/msi/token/?resource=x', 'azure-app-service', true],
    // App Service and Container Apps on Linux: IDENTITY_ENDPOINT on a link-local address.
    ['http://169.254.130.3:8081/msi/token?api-version=2017-09-01&resource=https://management.azure.com/', 'azure-app-service', true],
    ['http://169.254.255.2:8081/msi/token', 'azure-app-service', true],
    // The retired Managed Identity VM extension, still asked by old scripts.
    ['http://localhost:50342/oauth2/token?resource=https://management.azure.com/', 'azure-imds', true],
    // Service Fabric's token service on the node (IDENTITY_ENDPOINT), at its default port.
    ['https://10.0.0.4:2377/metadata/identity/oauth2/token?api-version=2019-07-01-preview&resource=https://vault.azure.net', 'azure-service-fabric', true],
    ['http://100.100.100.200/latest/meta-data/ram/security-credentials/role', 'alibaba-metadata', true],
    ['http://[::ffff:a9fe:a9fe]/metadata/identity/oauth2/token', 'azure-imds', true],
    ['http://169.254.169.254/%6detadata/identity/oauth2/token', 'azure-imds', true],
    // GCE's metadata server on IPv6-only instances.
    ['http://[fd20:ce::254]/computeMetadata/v1/instance/service-accounts/default/token', 'gcp-metadata', true],
    ['http://[fd20:ce::254]/computeMetadata/v1/instance/hostname', 'gcp-metadata', false],
    // AWS's DNS names for its metadata service.
    ['http://instance-data/latest/meta-data/iam/security-credentials/role', 'aws-imds', true],
    ['http://instance-data.ec2.internal/latest/api/token', 'aws-imds', false],
    ['http://INSTANCE-DATA.eu-west-1.compute.internal/latest/meta-data/hostname', 'aws-imds', false],
    // Oracle Cloud: the instance principal's key and certificate, and the rest of its metadata.
    ['http://169.254.169.254/opc/v2/identity/key.pem', 'oracle-metadata', true],
    ['http://169.254.169.254/opc/v1/identity/cert.pem', 'oracle-metadata', true],
    ['http://169.254.169.254/opc/v2/instance/', 'oracle-metadata', false],
  ])('%s is %s (token path %s)', (url, service, tokenPath) => {
    expect(tokenEndpointOfUrl(url)).toMatchObject({ service, tokenPath });
  });

  it.each(['https://www.contoso.com/metadata/identity/oauth2/token', 'http://127.0.0.1:8080/metadata/identity/oauth2/token', 'http://192.0.2.7:8081/msi/token', 'http://localhost:50342/health', 'https://10.0.0.4:2377/api/health', 'http://192.0.2.1/latest/api/token', 'http://instance-data.example.com/latest/meta-data/iam/security-credentials/', 'http://[fd20:ce::253]/computeMetadata/v1/instance/service-accounts/default/token', 'not a url'])('%s is not a token endpoint', (url) => {
    expect(tokenEndpointOfUrl(url)).toBeUndefined();
  });

  it('drops the query from the target, so one endpoint is one dedup target', () => {
    expect(tokenEndpointOfUrl('http://0xa9fea9fe/metadata/identity/oauth2/token?resource=a')?.target).toBe('http://169.254.169.254/metadata/identity/oauth2/token');
  });
});

describe('tokenEndpointOfConnection', () => {
  it.each([
    ['169.254.169.254', 80, '', '169.254.169.254:80'],
    ['::ffff:169.254.169.254', 80, '', '169.254.169.254:80'],
    ['fd00:ec2::254', 80, '', '[fd00:ec2::254]:80'],
    ['169.254.170.2', 80, '', '169.254.170.2:80'],
    ['127.0.0.1', 40342, '', '127.0.0.1:40342'],
    ['169.254.129.2', 8081, '', '169.254.129.2:8081'],
    ['', 80, 'metadata.google.internal', 'metadata.google.internal:80'],
    ['fd20:ce::254', 80, '', '[fd20:ce::254]:80'],
    ['', 80, 'instance-data.ec2.internal', 'instance-data.ec2.internal:80'],
  ])('%s:%s (%s) is a metadata endpoint', (ip, port, host, target) => {
    expect(tokenEndpointOfConnection(ip, port, host)).toMatchObject({ target, tokenPath: false });
  });

  it.each([['203.0.113.5', 80], ['127.0.0.1', 8080], ['169.254.1.1', 80], ['10.0.0.5', 8081]])('%s:%s is not', (ip, port) => {
    expect(tokenEndpointOfConnection(ip, port)).toBeUndefined();
  });
});

describe('tokenEndpointVariables', () => {
  it.each([
    ['curl "$IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version=2019-08-01" -H "X-IDENTITY-HEADER: $IDENTITY_HEADER"', '$IDENTITY_ENDPOINT'],
    ['Invoke-RestMethod -Uri "$env:IDENTITY_ENDPOINT?resource=x"', '$IDENTITY_ENDPOINT'],
    ['curl %MSI_ENDPOINT%?resource=x', '$MSI_ENDPOINT'],
    ['curl 169.254.170.2${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI}', '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'],
  ])('%s names %s', (commandLine, target) => {
    expect(tokenEndpointVariables(commandLine).map((h) => h.target)).toEqual([target]);
  });

  it('ignores the bare word', () => {
    expect(tokenEndpointVariables('echo IDENTITY_ENDPOINT is set')).toEqual([]);
  });
});
