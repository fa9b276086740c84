/**
 * The one redaction of credentials in text TokenWatch stores or logs: alert columns and evidence,
 * dead-letter samples and details, log lines. A stolen token copied into a SOC table or a rejects
 * table is a second leak, readable by everyone who can read that table.
 *
 * The forms (SECRET_FORMS, in the order they are applied) cover headers, JWTs, query and form
 * values, connection strings, environment assignments, command-line options and well-known token
 * formats; each is named and described there. A value that is a variable reference
 * (`$IDENTITY_HEADER`, `${TOKEN}`, `$env:X`, `%MSI_SECRET%`, `$(az …)`) is kept: it holds no secret
 * and shows how the command was built. Redaction is idempotent (redacting twice changes nothing).
 *
 * Linear time: every pattern starts at a fixed literal, a separator or the start of a run, and
 * scans a bounded stretch or one it consumes, so a hostile 1 MB string costs one pass per form,
 * never a quadratic backtrack (test/core/redact/redactSecrets.test.ts holds such strings). A text
 * with none of the literals any form needs (MAY_HOLD_SECRET) costs one scan in all.
 */
export const REDACTED = '[REDACTED]';

export interface SecretForm {
  /** Stable kebab-case id. */
  readonly id: string;
  /** What it removes, in words. */
  readonly description: string;
  readonly redact: (text: string) => string;
}

/** A value that names where a secret comes from instead of holding it. */
const REFERENCE = /^(?:\$\{?[A-Za-z_]\w*\}?|\$env:[A-Za-z_]\w*|%[A-Za-z_]\w*%)$|^\$\(|^\$\{\{/;

function isKept(value: string): boolean {
  return value === '' || REFERENCE.test(value) || value.startsWith('[REDACTED');
}

/**
 * A value after its name and separator: a double-quoted value (JSON escapes allowed), a value in
 * JSON-escaped quotes (`\"…\"`, `\\\"…\\\"`: a record quoted inside a record), a single-quoted value, or an
 * unquoted run that ends where a command line, query string, connection string or JSON value ends.
 * A quoted value runs to its closing quote or the end of the line; the closing quote is not part of
 * the match. What a quoted alternative scans it consumes, so there is nothing to backtrack over.
 */
const VALUE = String.raw`(?:\\+"[^"\r\n]*|"(?:[^"\\\r\n]|\\.)*|'[^'\r\n]*|[^\s"'\x60&;,<>){}\[\]\\]+)`;

/** Replaces the value of a `name<sep>value` match, keeping its opening quote and any reference. */
function valueReplacer(whole: string, name: string, sep: string, value: string): string {
  const quote = /^(?:\\*"|')/.exec(value)?.[0] ?? '';
  // In escaped quotes the backslashes of the closing quote end the match: they stay, so the text keeps its escaping.
  const closing = quote.length > 1 ? (/\\*$/.exec(value)?.[0] ?? '') : '';
  const inner = value.slice(quote.length, value.length - closing.length);
  return isKept(inner) ? whole : `${name}${sep}${quote}${REDACTED}${closing}`;
}

/** Names whose value is a secret, by how they end (looked for behind a separator: NAME_VALUE). */
const SECRET_NAME_ENDINGS = [
  'password', 'passwd', 'pwd', 'passphrase',
  'secret',
  'token',
  '(?:account|sharedaccess|access|secret|api|functions?|subscription|master|primary|secondary|private|signing|encryption|storage|client|host|auth)[-_]?key',
  'signature',
  'client_assertion',
  'identity[-_]header',
  'x-ms-client-principal',
].join('|');

/**
 * `name=value`, `name: value`, `"name":"value"`, `\"name\":\"value\"`, `name%3Dvalue`. The separator
 * is matched first and the name looked for behind it: a text has far fewer separators than words,
 * so most positions fail on one character.
 */
const NAME_VALUE = new RegExp(String.raw`((?:[:=]|%3[ADad])(?<=\b\w*(?:${SECRET_NAME_ENDINGS})\\*["']?\s*(?:[:=]|%3[ADad]))\s*)(${VALUE})`, 'gi');

/** Names too short to match by ending: only where a URL query or form field starts. */
const QUERY_NAME_VALUE = new RegExp(String.raw`((?:=|%3[Dd])(?<=(?:^|[?&;\s"',])(?:sig|code|(?:\w*_)?pat)\s*(?:=|%3[Dd]))\s*)(${VALUE})`, 'gi');

/**
 * Command-line options whose next argument is a secret: `--password x`, `--client-secret=x`,
 * `-Password 'x'` (PowerShell), `aws configure set aws_secret_access_key x`, and an ECS `args`
 * array (`"--password","x"`). `-p`/`-P` are handled apart (PASSWORD_FLAG): they also mean port or parents.
 */
const OPTION_VALUE = new RegExp(
  String.raw`((?:-(?<=(?:^|[\s"'])-)-?[\w-]*?(?:password|passwd|secret|token|key|pat|signature|sas)|a(?<=(?:^|[\s"'])a)ws_(?:secret_access_key|session_token)))(\s+|=|\\*"\s*,\s*\\*"|'\s*,\s*')(${VALUE})`,
  'gi',
);

/**
 * `-p <secret>` / `-P <secret>` (az login, docker login, mysql, sqlcmd). The flag also means a port
 * (`ssh -p 22`, `docker run -p 8080:80`), create parents (`mkdir -p /opt/x`) or a proxy tunnel
 * (`curl -p https://…`): numbers, paths, URLs and other flags that follow it are kept.
 */
const PASSWORD_FLAG = new RegExp(String.raw`(-(?<=(?:^|[\s"'])-)[pP])(\s+|\\*"\s*,\s*\\*")(${VALUE})`, 'g');
const NOT_A_PASSWORD = /^(?:-|\d[\d.:,/-]*$|[/~.\\]|[A-Za-z]:[\\/]|[a-z][a-z0-9+.-]*:\/\/)/i;

/** PowerShell's plain-text secure string: `ConvertTo-SecureString 'secret' -AsPlainText`. */
const SECURE_STRING = new RegExp(String.raw`(\bConvertTo-SecureString)(\s+(?:-String\s+)?)(${VALUE})`, 'gi');

/** `Authorization: <scheme> <credentials>` (also `Proxy-Authorization`), any scheme; the scheme word is kept. */
const AUTHORIZATION = new RegExp(String.raw`(\b(?:proxy-)?authorization)(\\*["']?\s*[:=]\s*\\*["']?)((?:[A-Za-z][\w-]*(?:\s+|%20))?)(\[REDACTED\]|[^\s"'\\,;&{}\[\]]+)`, 'gi');

/** `Cookie:` / `Set-Cookie:` header values: session cookies are credentials. */
const COOKIE = /(\b(?:set-)?cookie)(\\*["']?\s*:\s*\\*["']?)([^"'\\\r\n]+)/gi;

/**
 * `Bearer <token>` / `Basic <base64>` anywhere (a header value quoted apart from its name, a
 * URL-encoded header). Eight characters at least, so prose ("Bearer token") stays; an Arc
 * challenge (`Basic realm=<key file>`) names a file, not a credential.
 */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic)(\s+|%20|\+)(?!realm=)([A-Za-z0-9._~+/=-]{8,}|[^\s'"\\]{8,})/gi;

/**
 * JWTs and JWEs: a base64url JSON header (`eyJ` is `{"`) and one to four more segments of any
 * length, so two-segment, unsigned (`alg: none`, empty signature) and short-segment tokens too.
 */
const JWT = /\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){1,4}/g;

/** A base64-encoded JSON object of 24+ characters without dots: encoded credential JSON (an `--sdk-auth` blob, a docker `auth`). */
const ENCODED_JSON = /\beyJ[A-Za-z0-9+/_-]{21,}={0,2}/g;

/** URL user info: `https://user:<password>@host`, and a token alone as user name (`https://<PAT>@dev.azure.com`). */
const URL_PASSWORD = /\b((?:https?|ftps?|sftp|ssh|git|wss?|amqps?|sb|redis|rediss|mongodb(?:\+srv)?|postgres(?:ql)?|mysql|mssql|jdbc:[a-z]+):\/\/[^\s/?#@:"'<>]*:)([^\s/?#@"'<>]+)(@)/gi;
const URL_TOKEN_USER = /\b((?:https?|git|ssh):\/\/)([A-Za-z0-9_-]{20,})(@)/gi;

/** `-----BEGIN … PRIVATE KEY-----` to its END line (or the end of the text: a cut key is still a key). */
const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY[A-Z ]{0,10}-----/g;

/** Token formats recognisable without a name. Each starts at a fixed prefix or the start of a run. */
const TOKEN_FORMATS: readonly (readonly [id: string, description: string, pattern: RegExp, mayHold?: (text: string) => boolean])[] = [
  ['github-token', 'GitHub tokens: classic and fine-grained PATs, OAuth, app and refresh tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_).', /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g, (text) => text.includes('gh') || text.includes('github_pat_')],
  ['aws-access-key-id', 'AWS access key ids (AKIA…, ASIA… session keys and the other documented prefixes).', /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}\b/g],
  ['google-oauth-token', 'Google OAuth access tokens (ya29.…) and refresh tokens (1//0…).', /\b(?:ya29\.[A-Za-z0-9_.-]+|1\/\/0[A-Za-z0-9_-]{20,})/g, (text) => text.includes('ya29.') || text.includes('1//0')],
  ['slack-token', 'Slack tokens (xoxb-, xoxp-, xoxa-, xoxr-, xoxs-, xoxo-).', /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, (text) => text.includes('xox')],
  ['entra-client-secret', 'Entra ID client secret values (40 characters with `Q~` after the fourth).', /(?<![\w~.-])[\w~.-]{3}\dQ~[\w~.-]{31,34}(?![\w~.-])/g, (text) => text.includes('Q~')],
  ['storage-account-key', 'Azure Storage account keys and other 512-bit base64 keys (88 characters ending in `==`).', /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==/g, (text) => text.includes('==')],
];

function redactPem(text: string): string {
  if (!text.includes('-----BEGIN')) return text;
  let out = '';
  let from = 0;
  PEM_BEGIN.lastIndex = 0;
  for (let m = PEM_BEGIN.exec(text); m !== null; m = PEM_BEGIN.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const end = text.indexOf('-----END', bodyStart);
    const endLine = end === -1 ? -1 : text.indexOf('-----', end + 8);
    const stop = endLine === -1 ? text.length : endLine + 5;
    out += `${text.slice(from, m.index)}-----BEGIN PRIVATE KEY-----${REDACTED}${endLine === -1 ? '' : '-----END PRIVATE KEY-----'}`;
    from = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Replaces every match of `pattern`; `mayHold` (a substring test) skips the scan of a text that cannot hold one. */
const replaceWhole =
  (pattern: RegExp, mayHold?: (text: string) => boolean) =>
  (text: string): string =>
    mayHold === undefined || mayHold(text) ? text.replace(pattern, REDACTED) : text;
const mayHoldJson = (text: string): boolean => text.includes('eyJ');

/** Every form, in the order applied: whole blocks and tokens first, because they also appear inside the named forms. */
export const SECRET_FORMS: readonly SecretForm[] = [
  { id: 'private-key-pem', description: 'PEM private key blocks (PKCS#1, PKCS#8, EC, OpenSSH, encrypted, PGP).', redact: redactPem },
  { id: 'jwt', description: 'JWTs and JWEs with any segment lengths, two-segment and unsigned ones too.', redact: replaceWhole(JWT, mayHoldJson) },
  {
    id: 'authorization-header',
    description: 'Authorization and Proxy-Authorization header values of any scheme (Bearer, Basic, SharedKey, token, SharedAccessSignature).',
    redact: (text) => text.replace(AUTHORIZATION, (whole, name: string, sep: string, scheme: string, value: string) => (isKept(value) ? whole : `${name}${sep}${scheme}${REDACTED}`)),
  },
  { id: 'cookie-header', description: 'Cookie and Set-Cookie header values.', redact: (text) => text.replace(COOKIE, (whole, name: string, sep: string, value: string) => (isKept(value.trim()) ? whole : `${name}${sep}${REDACTED}`)) },
  {
    id: 'bearer-basic',
    description: 'Bearer tokens and Basic credentials wherever the scheme word appears.',
    redact: (text) => text.replace(SCHEME_CREDENTIAL, (whole, scheme: string, space: string, value: string) => (isKept(value) ? whole : `${scheme}${space}${REDACTED}`)),
  },
  {
    id: 'url-credentials',
    description: 'Passwords in URL user info, and tokens used as the user name (Azure DevOps and GitHub clone URLs).',
    redact: (text) =>
      text
        .replace(URL_PASSWORD, (whole, before: string, value: string, at: string) => (isKept(value) ? whole : `${before}${REDACTED}${at}`))
        .replace(URL_TOKEN_USER, (_whole, before: string, _value: string, at: string) => `${before}${REDACTED}${at}`),
  },
  {
    id: 'named-secret',
    description:
      'Values of names ending in password, pwd, secret, token, a key name (AccountKey, SharedAccessKey, x-functions-key, api-key, …), signature, client_assertion or identity header: query and form fields, headers, JSON properties, connection-string parts and environment assignments (AZURE_CLIENT_SECRET=, ARM_CLIENT_SECRET=, AWS_SESSION_TOKEN=, X-IDENTITY-HEADER:, Secret:).',
    redact: (text) => text.replace(NAME_VALUE, (whole, sep: string, value: string) => valueReplacer(whole, '', sep, value)),
  },
  { id: 'query-secret', description: 'SAS signatures (`sig=`), function and OAuth codes (`code=`) and personal access tokens (`pat=`, `AZURE_DEVOPS_EXT_PAT=`).', redact: (text) => text.replace(QUERY_NAME_VALUE, (whole, sep: string, value: string) => valueReplacer(whole, '', sep, value)) },
  { id: 'secret-option', description: 'Arguments of secret-bearing options: --password, --client-secret, --secret, --token, --sas-token, --account-key, -Password, aws configure set aws_secret_access_key.', redact: (text) => text.replace(OPTION_VALUE, valueReplacer) },
  { id: 'secure-string', description: "PowerShell plain-text secure strings (ConvertTo-SecureString 'x' -AsPlainText).", redact: (text) => text.replace(SECURE_STRING, valueReplacer) },
  {
    id: 'password-flag',
    description: '`-p <secret>` / `-P <secret>`, unless what follows is a number, port mapping, path, URL or another flag.',
    redact: (text) => text.replace(PASSWORD_FLAG, (whole, name: string, sep: string, value: string) => (NOT_A_PASSWORD.test(value.replace(/^\\*["']/, '')) ? whole : valueReplacer(whole, name, sep, value))),
  },
  { id: 'encoded-json', description: 'Base64-encoded JSON objects (credential blobs), once JWTs are gone.', redact: replaceWhole(ENCODED_JSON, mayHoldJson) },
  ...TOKEN_FORMATS.map(([id, description, pattern, mayHold]) => ({ id, description, redact: replaceWhole(pattern, mayHold) })),
];

/**
 * A literal every form needs somewhere in the text (a name, a scheme, a prefix, a separator): a
 * string without any (an id, a time, a host name, most alert columns) is returned after one scan
 * instead of one per form. Keep it in step with SECRET_FORMS.
 */
const MAY_HOLD_SECRET = /pass|pwd|secret|token|key|sig|assertion|identity|principal|code|pat|sas|authoriz|cookie|bearer|basic|:\/\/|eyj|-p|--|convertto|gh|xox|ya29|1\/\/0|q~|==|akia|a[bcginprs][a-z]a/i;

export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text;
  for (const form of SECRET_FORMS) out = form.redact(out);
  return out;
}

/**
 * A log line: `value` as JSON with credentials redacted in every string, object keys included (a
 * line may quote record text: a category counted by name, an error message). Strings are redacted
 * one by one, so the line stays valid JSON (a count under a key ending in "token" stays a number).
 */
export function redactedJson(value: unknown): string {
  return JSON.stringify(value, function redactStrings(_key: string, item: unknown): unknown {
    if (typeof item === 'string') return redactSecrets(item);
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    let renamed: Record<string, unknown> | undefined;
    for (const [name, child] of Object.entries(item)) {
      const clean = redactSecrets(name);
      if (clean === name && renamed === undefined) continue;
      renamed ??= Object.fromEntries(Object.entries(item).slice(0, Object.keys(item).indexOf(name)));
      renamed[clean] = child;
    }
    return renamed ?? item;
  });
}
