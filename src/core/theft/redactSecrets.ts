/**
 * Removes credentials from a command line or URL before it is written to an alert row: a stolen
 * token in a SOC table is a second leak. Redacted:
 * - `Authorization: Bearer …` / `Bearer …` values, and Basic credentials;
 * - JWTs anywhere (`eyJ….eyJ….…`, also with an empty signature);
 * - values of secret-bearing headers: `X-IDENTITY-HEADER` (App Service), `Secret` (legacy MSI),
 *   `X-aws-ec2-metadata-token` (IMDSv2), and `x-ms-…` headers whose name says token, secret, key,
 *   signature or principal (`Metadata: true` and `Metadata-Flavor: Google` are kept: no secret);
 * - query and form values of `access_token`, `refresh_token`, `id_token`, `client_secret`,
 *   `client_assertion`, `code`, `sig` (SAS) and `password`;
 * - AWS-style secret keys in `aws_secret_access_key=…` / `AWS_SESSION_TOKEN=…` assignments.
 * A value that is a variable reference (`$IDENTITY_HEADER`, `%MSI_SECRET%`, `$env:X`, `${X}`) is kept:
 * it holds no secret and shows how the command was built.
 */
export const REDACTED = '[REDACTED]';

const VARIABLE = /^(?:\$\{?[A-Za-z_][\w]*\}?|\$env:[A-Za-z_]\w*|%[A-Za-z_]\w*%)$/;

export function redactSecrets(text: string): string {
  let out = text;
  // JWTs first: they also appear inside the other forms.
  out = out.replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, `${REDACTED}-JWT`);
  out = out.replace(/\b(Bearer|Basic)(\s+|%20|\+)([A-Za-z0-9._~+/=-]{8,}|[^\s'"]{8,})/gi, (whole, scheme: string, space: string, value: string) =>
    VARIABLE.test(value) || value.startsWith(REDACTED) ? whole : `${scheme}${space}${REDACTED}`,
  );
  const headerNames = 'x-identity-header|secret|x-aws-ec2-metadata-token|x-ms-[a-z-]*(?:token|secret|key|signature|principal)[a-z-]*';
  out = out.replace(new RegExp(`\\b(${headerNames})(\\s*[:=]\\s*)([^\\s'"\`;,}]+)`, 'gi'), (whole, name: string, sep: string, value: string) =>
    VARIABLE.test(value) || value.startsWith(REDACTED) ? whole : `${name}${sep}${REDACTED}`,
  );
  out = out.replace(
    /\b(access_token|refresh_token|id_token|client_secret|client_assertion|code|sig|password|aws_secret_access_key|aws_session_token)(\s*=\s*)([^&\s'"`;]+)/gi,
    (whole, name: string, sep: string, value: string) => (VARIABLE.test(value) || value.startsWith(REDACTED) ? whole : `${name}${sep}${REDACTED}`),
  );
  return out;
}
