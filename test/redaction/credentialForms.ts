/**
 * Credential forms as they appear in command lines, URLs, headers and records, each with the secret
 * values it carries: the seed of the redaction tests (test/core/redact/redactSecrets.test.ts) and
 * of the corpus that runs through every sink (test/redaction/corpus.test.ts). Every value is made
 * up; each is distinct so a test can search every sink's output for it.
 */
export interface CredentialForm {
  readonly id: string;
  /** A command line (or header, or URL) carrying the secret, as an endpoint sensor would record it. */
  readonly text: string;
  /** The secret values that must not survive. */
  readonly secrets: readonly string[];
}

const JWT_RS256 = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCIsIm9pZCI6IjBiMWVjNzAwIn0.U2lnbmF0dXJlQnl0ZXNPZlRoZVRva2VuMDE';
const JWT_SHORT = 'eyJhbGciOiJIUzI1NiJ9.eyJhIjoxfQ.c2ln';
const JWT_UNSIGNED = 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJjb250b3NvLXZtLTIifQ.';
const JWT_TWO_SEGMENTS = 'eyJhbGciOiJub25lIn0.eyJ4bXNfbWlyaWQiOiJ2bS0zIn0';
const OPAQUE_AAD = '0.AXYAv4j5cvGGr0GRqy180BHbRxJdxkVy4yFIhw9f_w3FxYp1AAA.AgABAAEAAAD--DLA3VO7QrddgJg7WevrAgDs_wUA9P';
const STORAGE_KEY = 'Kq3pZm8Rt0Yv5Xw2Nb7Jc4Hd9Lf6Gs1Ae3Bk8Mn5Po2Qr7St4Uv9Wx6Yz1Ab3Cd8Ef5Gh2Ij7Kl4Mn9Op6Qr1St3Uv8Wx5Yz2Aa==';
const SERVICE_BUS_KEY = 'Zm9vYmFyU2hhcmVkQWNjZXNzS2V5VmFsdWUwMTIzNDU2Nzg5QUJD=';
const ENTRA_SECRET = 'Xy78Q~Kj3nVb5Hd9Lf2Gs7Ae1Bk4Mn8Po6Qr3St';

export const CREDENTIAL_FORMS: readonly CredentialForm[] = [
  { id: 'authorization-bearer-jwt', text: `curl -s -H "Authorization: Bearer ${JWT_RS256}" https://management.azure.com/subscriptions?api-version=2022-12-01`, secrets: [JWT_RS256] },
  { id: 'authorization-bearer-opaque', text: `curl -H 'Authorization: Bearer ${OPAQUE_AAD}' https://graph.microsoft.com/v1.0/me`, secrets: [OPAQUE_AAD] },
  { id: 'authorization-basic', text: 'curl -H "Authorization: Basic Y29udG9zb1xzdmMtd2ViOlMzY3JldFBhc3MhMjAyNg==" http://localhost:40342/metadata/identity/oauth2/token', secrets: ['Y29udG9zb1xzdmMtd2ViOlMzY3JldFBhc3MhMjAyNg=='] },
  { id: 'authorization-sharedkey', text: 'curl -H "Authorization: SharedKey contosodata:Wq8Rf2Tz6Yh1Uj5Ik9Ol3Pa7Sd0Fg4Hj8Kl2Zx6Cv=" https://contosodata.table.core.windows.net/Tables', secrets: ['Wq8Rf2Tz6Yh1Uj5Ik9Ol3Pa7Sd0Fg4Hj8Kl2Zx6Cv='] },
  { id: 'authorization-github-token-scheme', text: 'curl -H "Authorization: token 9f8e7d6c5b4a39281706f5e4d3c2b1a098765432" https://api.github.com/user', secrets: ['9f8e7d6c5b4a39281706f5e4d3c2b1a098765432'] },
  { id: 'bearer-without-header-name', text: `python3 -c "import requests; requests.get(u, headers={'authorization_value': 'Bearer pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK'})"`, secrets: ['pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5jK'] },
  { id: 'jwt-in-argument', text: `python3 steal.py --out /tmp/t.json ${JWT_RS256.replace('U2lnbm', 'QWxpY2')}`, secrets: [JWT_RS256.replace('U2lnbm', 'QWxpY2')] },
  { id: 'jwt-short-segments', text: `node -e "fetch(url,{headers:{t:'${JWT_SHORT}'}})"`, secrets: [JWT_SHORT] },
  { id: 'jwt-unsigned', text: `echo ${JWT_UNSIGNED} | base64 -d`, secrets: [JWT_UNSIGNED.slice(0, -1)] },
  { id: 'jwt-two-segments', text: `printf '%s' ${JWT_TWO_SEGMENTS} > /tmp/claims`, secrets: [JWT_TWO_SEGMENTS] },
  { id: 'sas-signature', text: 'azcopy copy "https://contosodata.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-01T00:00:00Z&sig=Jx2Kp9Lm4Nq7Rs0Tu3Vw6Xy9Za2Bc5De8Fg1Hi4Jk7%3D" /tmp/db.bak', secrets: ['Jx2Kp9Lm4Nq7Rs0Tu3Vw6Xy9Za2Bc5De8Fg1Hi4Jk7'] },
  { id: 'shared-access-signature', text: 'export SERVICEBUS_CONNECTION="Endpoint=sb://contoso-bus.servicebus.windows.net/;SharedAccessSignature=SharedAccessSignature sr=contoso-bus&sig=Lm5Np8Qr1St4Uv7Wx0Yz3Ab6Cd9Ef2Gh%3D&se=1800000000&skn=send"', secrets: ['Lm5Np8Qr1St4Uv7Wx0Yz3Ab6Cd9Ef2Gh'] },
  { id: 'storage-connection-string', text: `az storage blob list -c backups --connection-string "DefaultEndpointsProtocol=https;AccountName=contosodata;AccountKey=${STORAGE_KEY};EndpointSuffix=core.windows.net"`, secrets: [STORAGE_KEY, STORAGE_KEY.slice(0, 40)] },
  { id: 'account-key-option', text: 'az storage container list --account-name contosodata --account-key Tq4Wr8Ey2Ui6Op0As4Df8Gh2Jk6Lz0Xc4Vb8Nm2Qw6Er0Ty4Ui8Op2As6Df0Gh4Jk8Lz2Xc6Vb0Nm4Qw8Er2Ty6Ui0Op4As8Df2Gh6Jk0L==', secrets: ['Tq4Wr8Ey2Ui6Op0As4Df8Gh2Jk6Lz0Xc4Vb8Nm2Qw6Er0Ty4Ui8Op2As6Df0Gh4Jk8Lz2Xc6Vb0Nm4Qw8Er2Ty6Ui0Op4As8Df2Gh6Jk0L=='] },
  { id: 'shared-access-key', text: `dotnet run -- "Endpoint=sb://contoso-hub.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=${SERVICE_BUS_KEY};EntityPath=audit"`, secrets: [SERVICE_BUS_KEY] },
  { id: 'azure-client-secret-env', text: `/bin/sh -c "AZURE_CLIENT_ID=a99c1d00-0000-4000-8000-000000000002 AZURE_CLIENT_SECRET=${ENTRA_SECRET} python3 /tmp/app.py"`, secrets: [ENTRA_SECRET] },
  { id: 'arm-client-secret-env', text: 'env ARM_CLIENT_SECRET="v3ry-l0ng.Terraform~Secret_Value01" terraform apply -auto-approve', secrets: ['v3ry-l0ng.Terraform~Secret_Value01'] },
  { id: 'client-secret-form', text: 'curl -d "grant_type=client_credentials&client_id=a99c1d00-0000-4000-8000-000000000002&client_secret=Zx9~Qw8.Er7_Ty6-Ui5Op4&scope=https://graph.microsoft.com/.default" https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token', secrets: ['Zx9~Qw8.Er7_Ty6-Ui5Op4'] },
  { id: 'client-secret-option', text: 'az login --service-principal --username a99c1d00-0000-4000-8000-000000000002 --client-secret Op4Ui5Ty6Er7Qw8Zx9Lk1Jh2 --tenant contoso.com', secrets: ['Op4Ui5Ty6Er7Qw8Zx9Lk1Jh2'] },
  { id: 'password-option', text: 'az login --service-principal -u a99c1d00-0000-4000-8000-000000000002 --password "Winter2026!Contoso" --tenant contoso.com', secrets: ['Winter2026!Contoso'] },
  { id: 'password-short-flag', text: 'az login --service-principal -u a99c1d00-0000-4000-8000-000000000002 -p Pa55w0rd-Spring-2026 --tenant contoso.com', secrets: ['Pa55w0rd-Spring-2026'] },
  { id: 'secret-option', text: 'vault-sync --vault contoso-kv --secret Hd9Lf2Gs7Ae1Bk4Mn8Po6 --name db', secrets: ['Hd9Lf2Gs7Ae1Bk4Mn8Po6'] },
  { id: 'powershell-password', text: "powershell.exe -c \"$c = New-Object PSCredential('svc', (ConvertTo-SecureString 'Sup3r$ecretPS' -AsPlainText -Force)); Connect-AzAccount -ServicePrincipal -Credential $c\"", secrets: ['Sup3r$ecretPS'] },
  { id: 'functions-key-header', text: 'curl -H "x-functions-key: k7Hq2Zp9Wm4Xr1Vs6Tn3Yc8Bd5Fg0Jl-Aa==" https://contoso-fn.azurewebsites.net/api/export', secrets: ['k7Hq2Zp9Wm4Xr1Vs6Tn3Yc8Bd5Fg0Jl-Aa=='] },
  { id: 'functions-code-query', text: 'curl "https://contoso-fn.azurewebsites.net/api/export?code=Qm3Wn7Er1Ty5Ui9Op3As7Df1Gh5Jk9Lz3Xc7Vb1Nm5==&clientId=default"', secrets: ['Qm3Wn7Er1Ty5Ui9Op3As7Df1Gh5Jk9Lz3Xc7Vb1Nm5=='] },
  { id: 'github-classic-pat', text: 'git clone https://ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8@github.com/contoso/infra.git', secrets: ['ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8', 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8'] },
  { id: 'github-fine-grained-pat', text: 'gh auth login --with-token github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX', secrets: ['github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWX'] },
  { id: 'azure-devops-pat-url', text: 'git clone https://build:q7w2e5r8t1y4u6i9o3p5a8s2d4f6g8h1j3k5l7z9x2c4v6b8n1m3@dev.azure.com/contoso/infra/_git/infra', secrets: ['q7w2e5r8t1y4u6i9o3p5a8s2d4f6g8h1j3k5l7z9x2c4v6b8n1m3'] },
  { id: 'azure-devops-pat-env', text: '/bin/bash -c "AZURE_DEVOPS_EXT_PAT=m4n8b2v6c0x4z8l2k6j0h4g8f2d6s0a4p8o2i6u0y4t8r2e6w0q4 az devops project list"', secrets: ['m4n8b2v6c0x4z8l2k6j0h4g8f2d6s0a4p8o2i6u0y4t8r2e6w0q4'] },
  { id: 'azure-devops-system-accesstoken', text: 'git -c http.extraheader="AUTHORIZATION: bearer $(System.AccessToken)" fetch && SYSTEM_ACCESSTOKEN=r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0z1x2c3v4b5n6m7q8w9 ./publish.sh', secrets: ['r5t6y7u8i9o0p1a2s3d4f5g6h7j8k9l0z1x2c3v4b5n6m7q8w9'] },
  { id: 'aws-access-key-id', text: 'aws configure set aws_access_key_id AKIAIOSFODNN7CONTOSO', secrets: ['AKIAIOSFODNN7CONTOSO'] },
  { id: 'aws-secret-access-key', text: 'aws configure set aws_secret_access_key wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONTOSOKEY1', secrets: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYCONTOSOKEY1'] },
  { id: 'aws-session-token', text: 'AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A AWS_SESSION_TOKEN=IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDcontoso aws sts get-caller-identity', secrets: ['ASIAY34FZKBOKMUTVV7A', 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDcontoso'] },
  { id: 'gcp-access-token', text: 'curl -H "X-Goog-User-Project: contoso" "https://storage.googleapis.com/storage/v1/b?project=contoso&oauth_hint=ya29.a0AfB_byC-contosoFakeAccessToken_0123456789"', secrets: ['ya29.a0AfB_byC-contosoFakeAccessToken_0123456789'] },
  { id: 'x-identity-header-lower', text: 'curl -H "x-identity-header: 853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a" "http://127.0.0.1:41741/msi/token?resource=https://vault.azure.net&api-version=2019-08-01"', secrets: ['853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a'] },
  { id: 'x-identity-header-upper', text: "Invoke-RestMethod -Uri 'http://127.0.0.1:41741/msi/token?resource=https://vault.azure.net&api-version=2019-08-01' -Headers @{'X-IDENTITY-HEADER'='6c1f5d0a-7b2e-4c3d-9e8f-a1b2c3d4e5f6'}", secrets: ['6c1f5d0a-7b2e-4c3d-9e8f-a1b2c3d4e5f6'] },
  { id: 'msi-secret-header', text: 'curl -H "Secret: 7d1a2f3e4c5b6a79b8c7d6e5" "http://127.0.0.1:41741/MSI/token?resource=https://vault.azure.net&api-version=2017-09-01"', secrets: ['7d1a2f3e4c5b6a79b8c7d6e5'] },
  { id: 'private-key-pem', text: 'printf "-----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEAcontosoFakeKeyMaterialLine1\\nQm9ndXNLZXlMaW5lMnRoYXRpc25vdHJlYWw=\\n-----END RSA PRIVATE KEY-----\\n" > /tmp/k.pem', secrets: ['MIIEowIBAAKCAQEAcontosoFakeKeyMaterialLine1', 'Qm9ndXNLZXlMaW5lMnRoYXRpc25vdHJlYWw='] },
  { id: 'sql-connection-password', text: 'sqlcmd -Q "select 1" -C "Server=tcp:contoso-sql.database.windows.net,1433;Database=audit;User ID=tw_reader;Password=Aut0mn!Leaves#42;Encrypt=True"', secrets: ['Aut0mn!Leaves#42'] },
  { id: 'refresh-token', text: 'curl -d "grant_type=refresh_token&refresh_token=1.AXYAcontoso-refresh-value_0123456789abcdefABCDEF&client_id=04b07795-8ddb-461a-bbee-02f9e1bf7b46" https://login.microsoftonline.com/common/oauth2/v2.0/token', secrets: ['1.AXYAcontoso-refresh-value_0123456789abcdefABCDEF'] },
  { id: 'access-token-json', text: 'node sync.js \'{"access_token":"opaque-access-value-0123456789abcdef","token_type":"Bearer"}\'', secrets: ['opaque-access-value-0123456789abcdef'] },
  { id: 'client-assertion', text: 'curl -d "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=signed.assertion.value-0123456789" https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token', secrets: ['signed.assertion.value-0123456789'] },
  { id: 'entra-client-secret-bare', text: `python3 /opt/tools/sp.py a99c1d00-0000-4000-8000-000000000002 ${ENTRA_SECRET.replace('Xy78', 'Ab12')}`, secrets: [ENTRA_SECRET.replace('Xy78', 'Ab12')] },
  { id: 'url-password', text: 'curl -u none https://svc-export:Hunter2-Contoso-Pass@ftp.contoso.com/outbound/', secrets: ['Hunter2-Contoso-Pass'] },
  { id: 'imds-v2-token', text: 'curl -H "X-aws-ec2-metadata-token: AQAEAKs9y8Pq0wContosoImdsV2Value==" http://169.254.169.254/latest/meta-data/iam/security-credentials/', secrets: ['AQAEAKs9y8Pq0wContosoImdsV2Value=='] },
  { id: 'easy-auth-token-header', text: 'curl -H "x-ms-token-aad-access-token: opaqueEasyAuthAccessValue01" https://contoso-app.azurewebsites.net/api/me', secrets: ['opaqueEasyAuthAccessValue01'] },
  { id: 'api-key-header', text: 'curl -H "api-key: 0a1b2c3d4e5f60718293a4b5c6d7e8f9" https://contoso-ai.openai.azure.com/openai/deployments', secrets: ['0a1b2c3d4e5f60718293a4b5c6d7e8f9'] },
  { id: 'cookie-header', text: 'curl -H "Cookie: AppServiceAuthSession=Zm9vYmFyYmF6c2Vzc2lvbmNvb2tpZQ; ARRAffinity=abc" https://contoso-app.azurewebsites.net/.auth/me', secrets: ['Zm9vYmFyYmF6c2Vzc2lvbmNvb2tpZQ'] },
  { id: 'slack-token', text: 'curl -F token=xoxb-1234567890-0987654321-ContosoSlackBot -F channel=C1 https://slack.com/api/chat.postMessage', secrets: ['xoxb-1234567890-0987654321-ContosoSlackBot'] },
];

/** Command lines that hold no secret and must come out unchanged: references, metadata headers, ports, paths. */
export const NO_SECRET_TEXTS: readonly string[] = [
  'curl -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version=2019-08-01"',
  'curl -H "Secret: %MSI_SECRET%" "%MSI_ENDPOINT%?resource=https://vault.azure.net&api-version=2017-09-01"',
  "Invoke-RestMethod -Headers @{'X-IDENTITY-HEADER'=$env:IDENTITY_HEADER} -Uri \"$env:IDENTITY_ENDPOINT\"",
  'curl -s -H Metadata:true "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"',
  'curl -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token',
  'curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" http://169.254.169.254/latest/api/token',
  'curl -H "Authorization: Bearer $TOKEN" https://management.azure.com/subscriptions?api-version=2022-12-01',
  'curl -H "Authorization: Bearer $(az account get-access-token --query accessToken -o tsv)" https://management.azure.com/',
  'az login --service-principal -u $AZURE_CLIENT_ID -p $AZURE_CLIENT_SECRET --tenant $AZURE_TENANT_ID',
  'curl -H "Www-Authenticate: Basic realm=/var/opt/azcmagent/tokens/3c1f.key" http://localhost:40342/metadata/identity/oauth2/token',
  'ssh -p 2222 azureuser@198.51.100.10',
  'docker run -p 8080:80 -e AZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token contoso/app',
  'mkdir -p /var/lib/tokenwatch && cat /var/run/secrets/kubernetes.io/serviceaccount/token',
  'az keyvault secret show --vault-name contoso-kv --name db-password --query value',
  'Endpoint=sb://contoso-hub.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;EntityPath=audit',
  'type C:\\ProgramData\\AzureConnectedMachineAgent\\Tokens\\3c1f.key',
];
