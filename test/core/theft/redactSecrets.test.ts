import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecrets } from '../../../src/core/theft/redactSecrets';

const JWT = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.U2lnbmF0dXJlQnl0ZXM';

describe('redactSecrets', () => {
  it.each([
    [`curl -H "Authorization: Bearer ${JWT}" https://management.azure.com/`, JWT],
    ['curl -H "Authorization: Bearer 0.AXYA-opaque_token_value.xyz" https://graph.microsoft.com/', '0.AXYA-opaque_token_value.xyz'],
    [`python -c "print('${JWT}')"`, JWT],
    ['curl -H "X-IDENTITY-HEADER: 853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a" "http://127.0.0.1:41741/msi/token"', '853b9a84-5bfa-4b22-a3f3-0b9a43d9ad8a'],
    ['curl -H "Secret: 7d1a2f3e4c5b6a79" "http://127.0.0.1:41741/MSI/token"', '7d1a2f3e4c5b6a79'],
    ['curl -H "X-aws-ec2-metadata-token: AQAEAKs9y8Pq0w==" http://169.254.169.254/latest/meta-data/', 'AQAEAKs9y8Pq0w=='],
    ['curl -H "x-ms-token-aad-access-token: opaqueAccessValue1" https://app.contoso.com/', 'opaqueAccessValue1'],
    ['curl "https://login.contoso.com/cb?code=0.AbCdEf&state=1"', '0.AbCdEf'],
    ['curl "https://contoso.blob.core.windows.net/c/b?sv=2022-11-02&sig=AbCdEf%2BGh%3D"', 'AbCdEf%2BGh%3D'],
    ['curl "https://api.contoso.com/?access_token=ya29.a0AfH6SM-value"', 'ya29.a0AfH6SM-value'],
    ['curl -d "grant_type=client_credentials&client_secret=Zx9~Qw8.Er7_Ty6"', 'Zx9~Qw8.Er7_Ty6'],
  ])('removes the secret from %s', (input, secret) => {
    const out = redactSecrets(input);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it.each([
    'curl -H "X-IDENTITY-HEADER: $IDENTITY_HEADER" "$IDENTITY_ENDPOINT?resource=x"',
    'curl -H "Secret: %MSI_SECRET%" %MSI_ENDPOINT%',
    'curl -s -H Metadata:true http://169.254.169.254/metadata/identity/oauth2/token?resource=https://vault.azure.net',
    'curl -H "Metadata-Flavor: Google" http://metadata.google.internal/computeMetadata/v1/',
    'curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" http://169.254.169.254/latest/api/token',
  ])('keeps a command line without secrets unchanged: %s', (input) => {
    expect(redactSecrets(input)).toBe(input);
  });
});
