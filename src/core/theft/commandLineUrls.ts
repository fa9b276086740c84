/**
 * URLs written in a command line, as the download tools and HTTP libraries would read them:
 *
 *   curl -s -H Metadata:true "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=…"
 *   wget -qO- --header="Metadata: true" 169.254.169.254/metadata/identity/oauth2/token?resource=…
 *   Invoke-RestMethod -Headers @{Metadata='true'} -Uri http://169.254.169.254/metadata/instance?api-version=2021-02-01
 *   iwr -UseBasicParsing -Method Put -Uri 'http://[fd00:ec2::254]/latest/api/token'
 *   python3 -c "import requests; requests.get('http://0xa9fea9fe/latest/meta-data/iam/security-credentials/')"
 *
 * Tokens are split on white space, quotes and the punctuation that delimits arguments in shells,
 * PowerShell and one-liners; a token counts as a URL when it has an http(s) scheme, or when it is
 * `host[:port]/path` with a host that is an address in any notation or a metadata host name (curl
 * and wget accept a URL without a scheme). A PowerShell `-EncodedCommand` is decoded (UTF-16LE
 * base64) and searched too.
 */
import { appendAll } from '../arrays';

export interface CommandLineUrl {
  /** The URL as written (scheme added when it had none). */
  readonly url: string;
  /** From `-X PUT`, `--request=PUT`, `-Method Put`, `--method=PUT`, `requests.put(`; '' when not stated. */
  readonly method: string;
  /** True when the URL was found in a decoded `-EncodedCommand`, not in the visible command line. */
  readonly decoded: boolean;
}

const SEPARATORS = /[\s'"`(),;{}<>|^\[\]]+/;
const SCHEME = /^https?:\/\//i;
/** host[:port]/path without a scheme: an address-looking or metadata host, then a slash. */
const BARE = /^(?:\d[0-9a-fx.]*|\[[0-9a-f:.]+\]|metadata\.google\.internal|metadata\.goog|metadata|instance-data(?:\.[a-z0-9-]+)*|localhost)(?::\d{1,5})?\//i;

export function commandLineUrls(commandLine: string): CommandLineUrl[] {
  const urls: CommandLineUrl[] = [];
  const visible = scan(commandLine, false);
  appendAll(urls, visible);
  const decoded = decodedPowerShell(commandLine);
  if (decoded !== undefined) appendAll(urls, scan(decoded, true));
  return urls;
}

function scan(text: string, decoded: boolean): CommandLineUrl[] {
  const method = methodOf(text);
  const found: CommandLineUrl[] = [];
  // cmd drops a caret and PowerShell a backtick before a character (`c^u^r^l`, ``meta`data``): read the
  // URL as the shell would run it, not cut at the escape.
  // An empty pair of quotes inside a word (`…/metadata/""identity/…`, `tok''en`) is gone by then too.
  const quotes = withEscapedQuotesAsQuotes(text);
  const escapesDropped = quotes.includes('^') || quotes.includes('`') ? quotes.replace(/[\^`](?=[^\s\^`])/g, '') : quotes;
  const unescaped = withoutStringConcatenation(escapesDropped.includes('""') || escapesDropped.includes("''") ? withoutEmptyQuotes(escapesDropped) : escapesDropped);
  for (const token of wordsOf(unescaped)) {
    // `-Uri=http://…`, `--url=…`, `url=http://…` (and PowerShell's `-Uri:http://…`, regsvr32's `/i:http://…`).
    const value = token.replace(/^(?:-{1,2}|\/)[a-z][\w-]*[=:](?!\/\/)/i, '').replace(/^[a-z_]+=(?=https?:)/i, '');
    if (SCHEME.test(value)) found.push({ url: trimUrl(value), method, decoded });
    else if (BARE.test(value)) found.push({ url: `http://${trimUrl(value)}`, method, decoded });
  }
  const devTcp = text.includes('/dev/tcp/') ? devTcpRequest(text) : undefined;
  if (devTcp !== undefined) found.push({ ...devTcp, decoded });
  if (found.length === 0 || !(text.includes('--resolve') || text.includes('--connect-to'))) return found;
  const overrides = curlHostOverrides(unescaped);
  return overrides.length === 0 ? found : found.map((u) => ({ ...u, url: redirected(u.url, overrides) }));
}

/**
 * The words of a command line split on SEPARATORS, a bracketed IPv6 host (`[fd00:ec2::254]`) kept
 * whole though brackets separate words too.
 */
function wordsOf(text: string): string[] {
  return text
    .replace(/\[([0-9a-f:.]+)\]/gi, '\u0001$1\u0002')
    .split(SEPARATORS)
    .map((raw) => raw.replace(/\u0001/g, '[').replace(/\u0002/g, ']'));
}

/**
 * String literals joined with `+` read as the one string they make (PowerShell, Python and
 * JavaScript alike): `('http://169.254.169.254/metadata/'+'identity/oauth2/token?…')`.
 */
function withoutStringConcatenation(text: string): string {
  return text.includes('+') ? text.replace(/(['"])\s*\+\s*\1/g, '') : text;
}

/**
 * The words of a command line that may be the two halves of a request written apart: host words
 * (`169.254.169.254`, `metadata.google.internal`, also assigned, `H=169.254.169.254`) and absolute
 * paths (`/metadata/identity/oauth2/token?…`, also a URL's path whose host is a variable,
 * `http://$H/…`). Standard-library clients take them as two arguments
 * (`http.client.HTTPConnection('169.254.169.254').request('GET', '/metadata/identity/…')`,
 * `require('http').get({host:'169.254.169.254',path:'/metadata/identity/…'})`), and raw HTTP
 * through nc or socat writes the path in its request line and the host in its arguments.
 */
export function hostAndPathWords(commandLine: string): { readonly hosts: string[]; readonly paths: string[] } {
  const hosts: string[] = [];
  const paths: string[] = [];
  for (const raw of wordsOf(withoutStringConcatenation(withEscapedQuotesAsQuotes(commandLine)))) {
    const word = raw.replace(/^[a-z_]\w*=/i, '');
    if (word.startsWith('/') && word.length > 1 && !word.startsWith('//')) paths.push(word);
    else if (/^https?:\/\/[$%][^/]*\//i.test(word)) paths.push(word.replace(/^https?:\/\/[^/]*/i, ''));
    else if (/^(?:\d[0-9a-fx.]*|\[[0-9a-f:.]+\]|[a-z][a-z0-9.-]*\.internal|metadata\.goog)(?::\d{1,5})?$/i.test(word)) hosts.push(word);
  }
  return { hosts, paths };
}

/** One `--resolve` or `--connect-to` of a curl command line: requests for host:port go to toHost:toPort. */
interface HostOverride {
  /** '' or `*`: any host. */
  readonly host: string;
  /** '': any port. */
  readonly port: string;
  /** '': the URL's own host. */
  readonly toHost: string;
  /** '': the URL's own port. */
  readonly toPort: string;
}

/**
 * curl's `--resolve [+]HOST:PORT:ADDR[,ADDR…]` and `--connect-to HOST1:PORT1:HOST2:PORT2` (either
 * side's host or port may be empty) send the request for one URL to another address:
 * `curl --resolve x.example:80:169.254.169.254 http://x.example/metadata/identity/oauth2/token…`
 * asks IMDS for a token. curl's own rules: the first matching option wins.
 */
function curlHostOverrides(text: string): HostOverride[] {
  const overrides: HostOverride[] = [];
  const option = /--(resolve|connect-to)\s+["']?([^\s"']+)/g;
  for (const match of text.matchAll(option)) {
    const value = match[2] ?? '';
    if (match[1] === 'resolve') {
      const resolve = /^\+?([^:]+):(\d+):(\[[^\]]*\]|[^,]+)/.exec(value);
      if (resolve !== null) overrides.push({ host: resolve[1]!, port: resolve[2]!, toHost: resolve[3]!, toPort: '' });
    } else {
      const connectTo = /^(\[[^\]]*\]|[^:]*):(\d*):(\[[^\]]*\]|[^:]*):(\d*)$/.exec(value);
      if (connectTo !== null) overrides.push({ host: connectTo[1]!, port: connectTo[2]!, toHost: connectTo[3]!, toPort: connectTo[4]! });
    }
  }
  return overrides;
}

/** The URL with its host and port replaced as the first override that matches it says; the URL itself when none does. */
function redirected(url: string, overrides: readonly HostOverride[]): string {
  const parts = /^(https?):\/\/(\[[^\]]*\]|[^:/?#]*)(?::(\d+))?(.*)$/i.exec(url);
  if (parts === null) return url;
  const [, scheme = 'http', host = '', port, rest = ''] = parts;
  const effectivePort = port ?? (scheme.toLowerCase() === 'https' ? '443' : '80');
  const override = overrides.find((o) => (o.host === '' || o.host === '*' || o.host.toLowerCase() === host.toLowerCase()) && (o.port === '' || o.port === effectivePort));
  if (override === undefined) return url;
  const toHost = override.toHost === '' ? host : override.toHost.includes(':') && !override.toHost.startsWith('[') ? `[${override.toHost}]` : override.toHost;
  const toPort = override.toPort !== '' ? override.toPort : port;
  return `${scheme}://${toHost}${toPort !== undefined ? `:${toPort}` : ''}${rest}`;
}

/**
 * bash's `/dev/tcp/<host>/<port>` with the request line it writes there
 * (`exec 3<>/dev/tcp/169.254.169.254/80; printf 'GET /metadata/identity/oauth2/token?… HTTP/1.1…' >&3`):
 * the URL the request asks for; undefined when no request line is written.
 */
function devTcpRequest(text: string): Omit<CommandLineUrl, 'decoded'> | undefined {
  const socket = /\/dev\/tcp\/([0-9a-z.:-]+)\/(\d{1,5})/i.exec(text);
  if (socket === null) return undefined;
  const request = /\b(GET|PUT|POST)\s+(\/[^\s'"\\]*)/.exec(text);
  // Without a request line the socket is a bare connection: network telemetry judges that.
  if (request === null) return undefined;
  const port = socket[2] === '80' ? '' : `:${socket[2]}`;
  return { url: `http://${socket[1]}${port}${request[2]}`, method: request[1]! };
}

/**
 * A command line with each `\"` read as the quote it is inside a quoted argument, to Windows'
 * argument parsing and to a POSIX shell alike (`powershell -Command "Get-Content \"C:\Users\mia\.azure\msal_token_cache.json\""`,
 * `-Command "iwr \"http://…\""`): not a backslash ending the path or URL before it. The token-file scan reads it so too.
 */
export function withEscapedQuotesAsQuotes(commandLine: string): string {
  return commandLine.includes('\\"') ? commandLine.replace(/\\+"/g, '"') : commandLine;
}

/**
 * A command line without the empty pairs of quotes inside its words (`tok''en`, `…/metadata/""identity/…`),
 * which a shell drops before the program sees the word; the token-file scan drops them too.
 */
export function withoutEmptyQuotes(commandLine: string): string {
  return commandLine.replace(/(?<=\S)(?:''|"")(?=\S)/g, '');
}

/** Trailing punctuation that ends a sentence or a statement is not part of a URL. */
function trimUrl(url: string): string {
  return url.replace(/[.,;:!]+$/, '');
}

function methodOf(text: string): string {
  const patterns = [
    /(?:^|\s)(?:-X|--request)(?:\s+|=)?["']?([a-z]+)/i,
    /(?:^|\s)-Method(?:\s+|:)["']?([a-z]+)/i,
    /(?:^|\s)--method=["']?([a-z]+)/i,
    /\brequests\.(get|put|post)\s*\(/i,
    /\burllib\.request\.Request\([^)]*method\s*=\s*["']([a-z]+)/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(text);
    if (match?.[1] !== undefined) return match[1].toUpperCase();
  }
  return '';
}

/**
 * PowerShell accepts any prefix of `-EncodedCommand` from `-e` (and `/e`), followed by base64 of
 * UTF-16LE text. Returns the decoded script, or undefined when there is none.
 */
export function decodedPowerShell(commandLine: string): string | undefined {
  // PowerShell takes an en dash, em dash or horizontal bar for the hyphen of a parameter (`–enc`).
  const match = /(?:^|\s)[-/\u2013\u2014\u2015]e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?)?)?)?)?)?|c)?\s+["']?([A-Za-z0-9+/=]{8,})/i.exec(commandLine);
  if (match?.[1] === undefined) return undefined;
  const bytes = Buffer.from(match[1], 'base64');
  if (bytes.length < 2) return undefined;
  const text = bytes.toString('utf16le');
  // Not UTF-16LE text (for example `-e` used for something else): mostly non-printable characters.
  const printable = text.replace(/[^\x20-\x7e\t\r\n]/g, '').length;
  return printable >= text.length * 0.9 ? text : undefined;
}
